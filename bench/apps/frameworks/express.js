// The benchmark app on Express, with a pluggable session library.
import express from "express";
import { announce } from "../shared/env.js";
import { greet, hit, listKeys, login, setKey } from "../shared/routes.js";

/** @param {import("../shared/routes.js").SessionPlugin} plugin */
export async function serveExpress(plugin) {
  const app = express();
  await plugin.install(app);
  app.get("/", (req, res) => void res.send(greet(plugin.data(req))));
  app.get("/hit", (req, res) => void res.send(hit(plugin.data(req))));
  app.get("/set", (req, res) => void res.send(setKey(plugin.data(req), req.query.i)));
  app.get("/keys", (req, res) => void res.send(listKeys(plugin.data(req))));
  app.post("/login", async (req, res) => void res.send(await login(plugin, req)));
  const server = app.listen(0, "127.0.0.1", () => announce(server));
}
