// Tessera on Koa (tessera-session/koa), against the API of issue 4.
import { koaSession } from "tessera-session/koa";
import { serveKoa } from "./frameworks/koa.js";
import { tesseraSessions } from "./shared/tessera.js";

const sessions = await tesseraSessions();
await serveKoa({
  install: (app) => app.use(koaSession(sessions)),
  data: (ctx) => ctx.session.data,
  login: (ctx) => ctx.session.regenerate(),
});
