// Tessera on Nuxt (tessera-session/h3's `h3Session` as a server middleware).
import { h3Session } from "tessera-session/h3";
import { serveNuxt } from "./frameworks/nuxt.js";
import { tesseraSessions } from "./shared/tessera.js";

const sessions = await tesseraSessions();
await serveNuxt({
  install: () => h3Session(sessions),
  data: (event) => event.context.session.data,
  login: (event) => event.context.session.regenerate(),
});
