// Tessera on Express (tessera/express).
import { expressSession } from "tessera/express";
import { serveExpress } from "./frameworks/express.js";
import { tesseraSessions } from "./shared/tessera.js";

const sessions = await tesseraSessions();
await serveExpress({
  install: (app) => app.use(expressSession(sessions)),
  data: (req) => req.session.data,
  login: (req) => req.session.regenerate(),
});
