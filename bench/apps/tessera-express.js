// Tessera on Express (tessera-session/express).
import { expressSession } from "tessera-session/express";
import { serveExpress } from "./frameworks/express.js";
import { tesseraSessions } from "./shared/tessera.js";

const sessions = await tesseraSessions();
await serveExpress({
  install: (app) => app.use(expressSession(sessions)),
  data: (req) => req.session.data,
  login: (req) => req.session.regenerate(),
});
