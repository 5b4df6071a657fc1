// Bare Express: the ceiling Express session libraries are compared with.
import { serveExpress } from "./frameworks/express.js";
import { noSession } from "./shared/routes.js";

await serveExpress(noSession);
