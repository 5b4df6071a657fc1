// The benchmark app on plain node:http, with a pluggable session library.
// `install` gets a tiny app object whose `use(fn)` hooks run, in order,
// before routing, on a per-request context `{ req, res }`.
import { createServer } from "node:http";
import { URL } from "node:url";
import { announce } from "../shared/env.js";
import { answer } from "../shared/routes.js";

/** @param {import("../shared/routes.js").SessionPlugin} plugin */
export async function serveNode(plugin) {
  const hooks = [];
  await plugin.install({ use: (fn) => hooks.push(fn) });
  const route = (ctx) => {
    const url = new URL(ctx.req.url ?? "/", "http://localhost");
    return answer(plugin, ctx.req.method, url.pathname, url.searchParams, ctx);
  };
  const server = createServer(async (req, res) => {
    const ctx = { req, res };
    try {
      for (const hook of hooks) await hook(ctx);
      const body = await route(ctx);
      res.statusCode = body === undefined ? 404 : 200;
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      res.end(body ?? "not found");
    } catch (error) {
      res.statusCode = error?.status ?? 500;
      res.end(String(error?.message ?? error));
    }
  });
  server.listen(0, "127.0.0.1", () => announce(server));
}
