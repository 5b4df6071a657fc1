// The benchmark app on Fastify, with a pluggable session library.
import Fastify from "fastify";
import { announce } from "../shared/env.js";
import { greet, hit, listKeys, login, setKey } from "../shared/routes.js";

/** @param {import("../shared/routes.js").SessionPlugin} plugin */
export async function serveFastify(plugin) {
  const app = Fastify({ logger: false });
  await plugin.install(app);
  app.get("/", async (request) => greet(plugin.data(request)));
  app.get("/hit", async (request) => hit(plugin.data(request)));
  app.get("/set", async (request) => setKey(plugin.data(request), request.query.i));
  app.get("/keys", async (request) => listKeys(plugin.data(request)));
  app.post("/login", async (request) => login(plugin, request));
  await app.listen({ port: 0, host: "127.0.0.1" });
  announce(app.server);
}
