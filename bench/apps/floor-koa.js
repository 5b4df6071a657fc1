// Floor on Koa: bare Koa's routing switch around hand-written Redis calls
// (shared/floor.js), no session library.
import Koa from "koa";
import { announce } from "./shared/env.js";
import { floorRoutes, floorSessions } from "./shared/floor.js";

const routes = floorRoutes(await floorSessions());
const app = new Koa();
app.use(async (ctx) => {
  const route = `${ctx.method} ${ctx.path}`;
  const cookie = ctx.get("cookie");
  if (route === "GET /") ctx.body = await routes.read(cookie);
  else if (route === "GET /hit") ctx.body = await routes.hit(cookie);
  else if (route === "GET /set") ctx.body = await routes.set(cookie, ctx.query.i);
  else if (route === "GET /keys") ctx.body = await routes.keys(cookie);
  else if (route === "POST /login") {
    const { setCookie, body } = await routes.login();
    ctx.set("Set-Cookie", setCookie);
    ctx.body = body;
  }
});
const server = app.listen(0, "127.0.0.1", () => announce(server));
