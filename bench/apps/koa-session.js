// Anchor: koa-session + koa-redis (its bundled ioredis). koa-session never
// stores an empty session and only writes changed ones (rolling: false,
// renew: false are its defaults); maxAge matches the others' idle timeout.
import session from "koa-session";
import redisStore from "koa-redis";
import { serveKoa } from "./frameworks/koa.js";
import { IDLE_TIMEOUT_MS, PREFIX, SECRET, redisAddress } from "./shared/env.js";

await serveKoa({
  install: (app) => {
    app.keys = [SECRET];
    app.use(session({ store: redisStore({ ...redisAddress() }), prefix: PREFIX, maxAge: IDLE_TIMEOUT_MS }, app));
  },
  data: (ctx) => ctx.session,
  login: (ctx) => ctx.session.regenerate(),
});
