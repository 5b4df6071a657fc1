// The benchmark app on Koa, with a pluggable session library. Koa has no
// router of its own; one switch keeps every Koa app on the same routing cost.
import Koa from "koa";
import { announce } from "../shared/env.js";
import { greet, hit, listKeys, login, setKey } from "../shared/routes.js";

/** @param {import("../shared/routes.js").SessionPlugin} plugin */
export async function serveKoa(plugin) {
  const app = new Koa();
  await plugin.install(app);
  app.use(async (ctx) => {
    const route = `${ctx.method} ${ctx.path}`;
    if (route === "GET /") ctx.body = greet(plugin.data(ctx));
    else if (route === "GET /hit") ctx.body = hit(plugin.data(ctx));
    else if (route === "GET /set") ctx.body = setKey(plugin.data(ctx), ctx.query.i);
    else if (route === "GET /keys") ctx.body = listKeys(plugin.data(ctx));
    else if (route === "POST /login") ctx.body = await login(plugin, ctx);
  });
  const server = app.listen(0, "127.0.0.1", () => announce(server));
}
