// Bare Fastify: the ceiling Fastify session libraries are compared with.
import { serveFastify } from "./frameworks/fastify.js";
import { noSession } from "./shared/routes.js";

await serveFastify(noSession);
