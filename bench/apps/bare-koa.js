// Bare Koa: the ceiling Koa session libraries are compared with.
import { serveKoa } from "./frameworks/koa.js";
import { noSession } from "./shared/routes.js";

await serveKoa(noSession);
