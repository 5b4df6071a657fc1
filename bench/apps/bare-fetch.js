// Bare a plain fetch handler on @hono/node-server: the ceiling its adapter is compared with; the same build as tessera-fetch.js, with no session hook.
import { serveFetch } from "./frameworks/fetch.js";
import { noSession } from "./shared/routes.js";

await serveFetch(noSession);
