import type { Server } from "node:http";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { stream } from "hono/streaming";
import type { SessionManager } from "tessera";
import { honoSession, type HonoSessionEnv } from "tessera/hono";
import { adapterConformance, conformanceRoutes, listenOnLoopback, type ConformanceData } from "tessera/testing";
import { withRedis } from "./support/conformance.js";

async function serve(manager: SessionManager<ConformanceData>) {
  const app = new Hono<HonoSessionEnv<ConformanceData>>();
  app.use(honoSession(manager, { trustProxy: true }));
  for (const route of conformanceRoutes) {
    app.on(route.method, route.path, async (c) => {
      const answer = await route.handle({ session: c.get("session"), query: new URL(c.req.url).searchParams });
      if (answer.kind === "json") return c.json(answer.body);
      if (answer.kind === "redirect") return c.redirect(answer.location, 303);
      c.header("Content-Type", "text/plain");
      return stream(c, async (out) => {
        for await (const chunk of answer.chunks) await out.write(chunk);
      });
    });
  }
  // Hono's default error handling, without logging the expected errors.
  app.onError((error, c) => (error instanceof HTTPException ? error.getResponse() : c.text("Internal Server Error", 500)));
  return listenOnLoopback(createAdaptorServer({ fetch: app.fetch }) as Server);
}

adapterConformance(withRedis("hono", "ioredis", serve));
adapterConformance(withRedis("hono", "node-redis", serve));
