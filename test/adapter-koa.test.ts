import http from "node:http";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import Koa from "koa";
import type { SessionManager } from "tessera-session";
import { koaSession } from "tessera-session/koa";
import { adapterConformance, findConformanceRoute, listenOnLoopback, type ConformanceData } from "tessera-session/testing";
import { withRedis } from "./support/conformance.js";
import { assertEachAccessorOwnsItsSession, managerWithCookie } from "./support/two-managers.js";

async function serve(manager: SessionManager<ConformanceData>) {
  const app = new Koa({ proxy: true });
  app.silent = true; // Koa's default error handling, without logging the expected 503s
  const tessera = koaSession(manager);
  app.use(tessera);
  app.use(async (ctx) => {
    const route = findConformanceRoute(ctx.method, ctx.path);
    if (!route) return;
    const answer = await route.handle({ session: tessera.session(ctx), query: new URLSearchParams(ctx.querystring) });
    if (answer.kind !== "stream" && answer.headers) ctx.set(answer.headers);
    if (answer.kind === "json") {
      ctx.status = answer.status ?? 200;
      ctx.body = answer.body;
    }
    else if (answer.kind === "redirect") {
      ctx.status = 303;
      ctx.redirect(answer.location);
    } else {
      ctx.type = "text/plain";
      ctx.body = Readable.from(answer.chunks);
    }
  });
  return listenOnLoopback(http.createServer(app.callback()));
}

adapterConformance(withRedis("koa", "ioredis", serve));
// The same suite with the token in a header instead of the cookie (issue 14).
adapterConformance({ ...withRedis("koa", "ioredis", serve), transport: "bearer" });
adapterConformance({ ...withRedis("koa", "ioredis", serve), transport: { header: "X-Session-Token" } });

describe("koaSession with two managers on one app", () => {
  it("each middleware's tessera.session(ctx) gives its own session, and ctx.session stays the last one's", async () => {
    const admin = koaSession(managerWithCookie("admin"));
    const user = koaSession(managerWithCookie("user"));
    const app = new Koa();
    app.use(admin);
    app.use(user);
    app.use((ctx) => {
      if (ctx.method === "POST") admin.session(ctx).data.visits = 7; // through the first middleware only
      ctx.body = { first: admin.session(ctx).data.visits ?? null, last: user.session(ctx).data.visits ?? null, lastIsShared: ctx.session === user.session(ctx) };
    });
    const served = await listenOnLoopback(http.createServer(app.callback()));
    await assertEachAccessorOwnsItsSession(served.url).finally(() => served.close());
  });
});
