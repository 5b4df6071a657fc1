// Tessera on Next.js route handlers (tessera-session/next's `nextSessions().route`).
import { nextSessions } from "tessera-session/next";
import { serveNext } from "./frameworks/next.js";
import { tesseraSessions } from "./shared/tessera.js";

const tessera = nextSessions(await tesseraSessions());
await serveNext({
  install: () => (fn) => tessera.route(fn),
  data: (session) => session.data,
  login: (session) => session.regenerate(),
});
