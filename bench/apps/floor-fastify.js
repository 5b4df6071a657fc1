// Floor on Fastify: bare Fastify's routes around hand-written Redis calls
// (shared/floor.js), no session library.
import Fastify from "fastify";
import { announce } from "./shared/env.js";
import { floorRoutes, floorSessions } from "./shared/floor.js";

const routes = floorRoutes(await floorSessions());
const app = Fastify({ logger: false });
app.get("/", async (request) => routes.read(request.headers.cookie));
app.get("/hit", async (request) => routes.hit(request.headers.cookie));
app.get("/set", async (request) => routes.set(request.headers.cookie, request.query.i));
app.get("/keys", async (request) => routes.keys(request.headers.cookie));
app.post("/login", async (request, reply) => {
  const { setCookie, body } = await routes.login();
  reply.header("set-cookie", setCookie);
  return body;
});
await app.listen({ port: 0, host: "127.0.0.1" });
announce(app.server);
