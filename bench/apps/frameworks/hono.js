// The benchmark app on Hono (served by @hono/node-server), with a pluggable session library.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { announce } from "../shared/env.js";
import { greet, hit, listKeys, login, setKey } from "../shared/routes.js";

/** @param {import("../shared/routes.js").SessionPlugin} plugin */
export async function serveHono(plugin) {
  const app = new Hono();
  await plugin.install(app);
  app.get("/", (c) => c.text(greet(plugin.data(c))));
  app.get("/hit", (c) => c.text(hit(plugin.data(c))));
  app.get("/set", (c) => c.text(setKey(plugin.data(c), c.req.query("i"))));
  app.get("/keys", (c) => c.text(listKeys(plugin.data(c))));
  app.post("/login", async (c) => c.text(await login(plugin, c)));
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => announce(server));
}
