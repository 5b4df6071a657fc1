// Bare Nuxt (a production build's node listener): the ceiling its adapter is compared with; the same build as tessera-nuxt.js, with no session hook.
import { serveNuxt } from "./frameworks/nuxt.js";
import { noSession } from "./shared/routes.js";

await serveNuxt(noSession);
