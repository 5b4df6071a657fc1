// Anchor: @fastify/session + @fastify/cookie + connect-redis (node-redis
// client). saveUninitialized: false as documented; @fastify/session has no
// `resave` option, and its `rolling: true` default rewrites every unchanged
// session on every request, which is exactly what resave: false turns off,
// so rolling is false too (the anchor's fastest correct setting).
import fastifyCookie from "@fastify/cookie";
import fastifySession from "@fastify/session";
import { RedisStore } from "connect-redis";
import { createClient } from "redis";
import { serveFastify } from "./frameworks/fastify.js";
import { IDLE_TIMEOUT_MS, PREFIX, REDIS_URL, SECRET } from "./shared/env.js";

const client = createClient({ url: REDIS_URL });
await client.connect();

await serveFastify({
  install: async (app) => {
    await app.register(fastifyCookie);
    await app.register(fastifySession, {
      store: new RedisStore({ client, prefix: PREFIX }),
      secret: SECRET,
      saveUninitialized: false,
      rolling: false,
      cookie: { secure: false, maxAge: IDLE_TIMEOUT_MS },
    });
  },
  data: (request) => request.session,
  login: (request) => request.session.regenerate(),
});
