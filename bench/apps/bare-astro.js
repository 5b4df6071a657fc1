// Bare Astro (@astrojs/node's production build): the ceiling its adapter is compared with; the same build as tessera-astro.js, with no session hook.
import { serveAstro } from "./frameworks/astro.js";
import { noSession } from "./shared/routes.js";

await serveAstro(noSession);
