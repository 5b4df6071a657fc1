/**
 * The adapter conformance suite against a real Nuxt 4 production build
 * (`nuxi build`, Nitro's node-listener preset) of test/fixtures/nuxt-conformance:
 * the test process serves the built listener and hands it, per request,
 * `h3Session` for the suite's manager and the conformance routes (the
 * suite's latches and managers live in this process).
 */
import { createServer, type IncomingMessage } from "node:http";
import { fileURLToPath } from "node:url";
import type { SessionManager } from "tessera-session";
import { h3Session } from "tessera-session/h3";
import { adapterConformance, findConformanceRoute, listenOnLoopback, type ConformanceData } from "tessera-session/testing";
import { ensureNuxtBuilt } from "../examples/nuxt-login/build.js";
import { INJECTED, type Injected } from "./fixtures/nuxt-conformance/server/injected.js";
import { withRedis } from "./support/conformance.js";

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
