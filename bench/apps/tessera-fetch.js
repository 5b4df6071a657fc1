// Tessera on a plain fetch handler (tessera-session/fetch's `fetchSessions().handler`).
import { fetchSessions } from "tessera-session/fetch";
import { serveFetch } from "./frameworks/fetch.js";
import { tesseraSessions } from "./shared/tessera.js";

const tessera = fetchSessions(await tesseraSessions());
await serveFetch({
  install: () => (fn) => tessera.handler(fn),
  data: (session) => session.data,
  login: (session) => session.regenerate(),
});
