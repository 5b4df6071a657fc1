// Floor on plain node:http: bare node:http's routing around hand-written
// Redis calls (shared/floor.js), no session library.
import { createServer } from "node:http";
import { URL } from "node:url";
import { announce } from "./shared/env.js";
import { floorRoutes, floorSessions } from "./shared/floor.js";

const routes = floorRoutes(await floorSessions());
const route = async (req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  const key = `${req.method} ${url.pathname}`;
  const cookie = req.headers.cookie;
  if (key === "GET /") return routes.read(cookie);
  if (key === "GET /hit") return routes.hit(cookie);
  if (key === "GET /set") return routes.set(cookie, url.searchParams.get("i"));
  if (key === "GET /keys") return routes.keys(cookie);
  if (key === "POST /login") {
    const { setCookie, body } = await routes.login();
    res.setHeader("Set-Cookie", setCookie);
    return body;
  }
  return undefined;
};
const server = createServer(async (req, res) => {
  try {
    const body = await route(req, res);
    res.statusCode = body === undefined ? 404 : 200;
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.end(body ?? "not found");
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error?.message ?? error));
  }
});
server.listen(0, "127.0.0.1", () => announce(server));
