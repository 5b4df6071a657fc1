// Tessera on Astro (tessera-session/astro's `astroSession` as the middleware).
import { astroSession } from "tessera-session/astro";
import { serveAstro } from "./frameworks/astro.js";
import { tesseraSessions } from "./shared/tessera.js";

const sessions = await tesseraSessions();
await serveAstro({
  install: () => astroSession(sessions),
  data: (context) => context.locals.session.data,
  login: (context) => context.locals.session.regenerate(),
});
