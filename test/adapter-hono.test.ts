import type { Server } from "node:http";
import { describe, it } from "node:test";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { stream } from "hono/streaming";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { SessionStoreError, type SessionManager } from "tessera-session";
import { honoSession, type HonoSessionEnv } from "tessera-session/hono";
import { adapterConformance, conformanceRoutes, listenOnLoopback, type ConformanceData } from "tessera-session/testing";
import { withRedis } from "./support/conformance.js";
import { assertEachAccessorOwnsItsSession, managerWithCookie } from "./support/two-managers.js";

async function serve(manager: SessionManager<ConformanceData>) {
  const app = new Hono<HonoSessionEnv<ConformanceData>>();
  app.use(honoSession(manager, { trustProxy: true }));
  for (const route of conformanceRoutes) {
    app.on(route.method, route.path, async (c) => {
      const answer = await route.handle({ session: c.get("session"), query: new URL(c.req.url).searchParams });
      if (answer.kind !== "stream") for (const [name, value] of Object.entries(answer.headers ?? {})) c.header(name, value, { append: true });
      if (answer.kind === "json") return c.json(answer.body, (answer.status ?? 200) as ContentfulStatusCode);
      if (answer.kind === "redirect") return c.redirect(answer.location, 303);
      c.header("Content-Type", "text/plain");
      return stream(c, async (out) => {
        for await (const chunk of answer.chunks) await out.write(chunk);
      });
    });
  }
  // Hono's default error handling, without logging the expected errors; the
  // documented page for store failures, built from the context; and, as the
  // other frameworks' defaults do, an error's own 4xx `status` honoured.
  app.onError((error, c) => {
    if (error instanceof HTTPException && error.cause instanceof SessionStoreError) return c.text("Service Unavailable", 503);
    if (error instanceof HTTPException) return error.getResponse();
    const status = (error as { status?: unknown }).status;
    if (typeof status === "number" && status >= 400 && status < 500) return c.text(error.message, status as ContentfulStatusCode);
    return c.text("Internal Server Error", 500);
  });
  return listenOnLoopback(createAdaptorServer({ fetch: app.fetch }) as Server);
}

adapterConformance(withRedis("hono", "ioredis", serve));
adapterConformance(withRedis("hono", "node-redis", serve));
// The same suite with the token in a header instead of the cookie (issue 14).
adapterConformance({ ...withRedis("hono", "ioredis", serve), transport: "bearer" });
adapterConformance({ ...withRedis("hono", "node-redis", serve), transport: { header: "X-Session-Token" } });

describe("honoSession with two managers on one app", () => {
  it("each middleware's tessera.session(c) gives its own session, and c.get(\"session\") stays the last one's", async () => {
    const admin = honoSession(managerWithCookie("admin"));
    const user = honoSession(managerWithCookie("user"));
    const app = new Hono<HonoSessionEnv<ConformanceData>>();
    app.use(admin, user);
    app.on(["GET", "POST"], "/", (c) => {
      if (c.req.method === "POST") admin.session(c).data.visits = 7; // through the first middleware only
      return c.json({ first: admin.session(c).data.visits ?? null, last: user.session(c).data.visits ?? null, lastIsShared: c.get("session") === user.session(c) });
    });
    const served = await listenOnLoopback(createAdaptorServer({ fetch: app.fetch }) as Server);
    await assertEachAccessorOwnsItsSession(served.url).finally(() => served.close());
  });
});
