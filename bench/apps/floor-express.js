// Floor on Express: bare Express's routes around hand-written Redis calls
// (shared/floor.js), no session library.
import express from "express";
import { announce } from "./shared/env.js";
import { floorRoutes, floorSessions } from "./shared/floor.js";

const routes = floorRoutes(await floorSessions());
const app = express();
app.get("/", async (req, res) => void res.send(await routes.read(req.headers.cookie)));
app.get("/hit", async (req, res) => void res.send(await routes.hit(req.headers.cookie)));
app.get("/set", async (req, res) => void res.send(await routes.set(req.headers.cookie, req.query.i)));
app.get("/keys", async (req, res) => void res.send(await routes.keys(req.headers.cookie)));
app.post("/login", async (req, res) => {
  const { setCookie, body } = await routes.login();
  res.setHeader("Set-Cookie", setCookie);
  res.send(body);
});
const server = app.listen(0, "127.0.0.1", () => announce(server));
