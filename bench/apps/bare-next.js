// Bare Next.js (the route handler of a production build): the ceiling its adapter is compared with; the same build as tessera-next.js, with no session hook.
import { serveNext } from "./frameworks/next.js";
import { noSession } from "./shared/routes.js";

await serveNext(noSession);
