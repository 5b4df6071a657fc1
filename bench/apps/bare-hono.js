// Bare Hono: the ceiling Hono session libraries are compared with.
import { serveHono } from "./frameworks/hono.js";
import { noSession } from "./shared/routes.js";

await serveHono(noSession);
