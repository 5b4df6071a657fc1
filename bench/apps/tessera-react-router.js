// Tessera on React Router 7 (tessera-session/react-router's `reactRouterSession` as the root middleware).
import { reactRouterSession, sessionOf } from "tessera-session/react-router";
import { serveReactRouter } from "./frameworks/react-router.js";
import { tesseraSessions } from "./shared/tessera.js";

const sessions = await tesseraSessions();
await serveReactRouter({
  install: () => reactRouterSession(sessions),
  data: (context) => sessionOf(context).data,
  login: (context) => sessionOf(context).regenerate(),
});
