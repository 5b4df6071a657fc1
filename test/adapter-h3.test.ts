/**
 * The adapter conformance suite against a real Nuxt 4 production build
 * (`nuxi build`, Nitro's node-listener preset) of test/fixtures/nuxt-conformance:
 * the test process serves the built listener and hands it, per request,
 * `h3Session` for the suite's manager and the conformance routes (the
 * suite's latches and managers live in this process). Two managers' middleware
 * on one app run on bare h3.
 */
import { createServer, type IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createApp, defineEventHandler, toNodeListener } from "h3";
import type { SessionManager } from "tessera-session";
import { h3Session } from "tessera-session/h3";
import { adapterConformance, findConformanceRoute, listenOnLoopback, type ConformanceData } from "tessera-session/testing";
import { ensureNuxtBuilt } from "../examples/nuxt-login/build.js";
import { INJECTED, type Injected } from "./fixtures/nuxt-conformance/server/injected.js";
import { withRedis } from "./support/conformance.js";
import { assertEachAccessorOwnsItsSession, managerWithCookie } from "./support/two-managers.js";

const root = fileURLToPath(new URL("./fixtures/nuxt-conformance/", import.meta.url));
await ensureNuxtBuilt(root, []);
const { listener } = (await import(`${root}.output/server/index.mjs`)) as { listener: (req: IncomingMessage, res: unknown) => void };

async function serve(manager: SessionManager<ConformanceData>) {
  const parts: Injected = { session: h3Session(manager, { trustProxy: "loopback" }), findRoute: findConformanceRoute };
  return listenOnLoopback(
    createServer((req, res) => {
      (req as unknown as Record<symbol, Injected>)[INJECTED] = parts;
      listener(req, res);
    }),
  );
}

adapterConformance(withRedis("nuxt (h3)", "ioredis", serve));
adapterConformance(withRedis("nuxt (h3)", "node-redis", serve));
// The same suite with the token in a header instead of the cookie (issue 14).
adapterConformance({ ...withRedis("nuxt (h3)", "ioredis", serve), transport: "bearer" });

describe("h3Session with two managers on one app", () => {
  it("each middleware's tessera.session(event) gives its own session, and event.context.session stays the last one's", async () => {
    const admin = h3Session(managerWithCookie("admin"));
    const user = h3Session(managerWithCookie("user"));
    const app = createApp();
    app.use(admin);
    app.use(user);
    app.use(
      defineEventHandler((event) => {
        if (event.method === "POST") admin.session(event).data.visits = 7; // through the first middleware only
        return { first: admin.session(event).data.visits ?? null, last: user.session(event).data.visits ?? null, lastIsShared: event.context.session === user.session(event) };
      }),
    );
    const served = await listenOnLoopback(createServer(toNodeListener(app)));
    await assertEachAccessorOwnsItsSession(served.url).finally(() => served.close());
  });
});
