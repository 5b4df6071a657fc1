// Floor on Hono (served by @hono/node-server): bare Hono's routes around
// hand-written Redis calls (shared/floor.js), no session library.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { announce } from "./shared/env.js";
import { floorRoutes, floorSessions } from "./shared/floor.js";

const routes = floorRoutes(await floorSessions());
const app = new Hono();
app.get("/", async (c) => c.text(await routes.read(c.req.header("cookie"))));
app.get("/hit", async (c) => c.text(await routes.hit(c.req.header("cookie"))));
app.get("/set", async (c) => c.text(await routes.set(c.req.header("cookie"), c.req.query("i"))));
app.get("/keys", async (c) => c.text(await routes.keys(c.req.header("cookie"))));
app.post("/login", async (c) => {
  const { setCookie, body } = await routes.login();
  c.header("Set-Cookie", setCookie);
  return c.text(body);
});
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => announce(server));
