// Tessera on Fastify (tessera-session/fastify), against the API of issue 4.
import { fastifySession } from "tessera-session/fastify";
import { serveFastify } from "./frameworks/fastify.js";
import { tesseraSessions } from "./shared/tessera.js";

const sessions = await tesseraSessions();
await serveFastify({
  install: (app) => app.register(fastifySession(sessions)),
  data: (request) => request.session.data,
  login: (request) => request.session.regenerate(),
});
