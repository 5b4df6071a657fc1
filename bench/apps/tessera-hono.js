// Tessera on Hono (tessera-session/hono), against the API of issue 4.
import { honoSession } from "tessera-session/hono";
import { serveHono } from "./frameworks/hono.js";
import { tesseraSessions } from "./shared/tessera.js";

const sessions = await tesseraSessions();
await serveHono({
  install: (app) => app.use(honoSession(sessions)),
  data: (c) => c.get("session").data,
  login: (c) => c.get("session").regenerate(),
});
