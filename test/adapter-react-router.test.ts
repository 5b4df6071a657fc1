/**
 * The adapter conformance suite against a real React Router 7 production
 * build (`react-router build`, framework mode, v8 middleware) of
 * test/fixtures/react-router-conformance, served in this process by
 * @react-router/node: each request's router context carries
 * `reactRouterSession` for the suite's manager and the conformance routes
 * (the suite's latches and managers live in this process).
 */
import { createServer } from "node:http";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createRequestListener } from "@react-router/node";
import { RouterContextProvider, type ServerBuild } from "react-router";
import type { SessionManager } from "tessera-session";
import { reactRouterSession, sessionContext, sessionOf } from "tessera-session/react-router";
import { adapterConformance, findConformanceRoute, listenOnLoopback, type ConformanceData, type ConformanceRoute } from "tessera-session/testing";
import { ensureReactRouterBuilt } from "../examples/shared/react-router-build.js";
import { injectedContext, type Injected } from "./fixtures/react-router-conformance/app/injected.js";
import { withRedis } from "./support/conformance.js";
import { assertEachAccessorOwnsItsSession, managerWithCookie } from "./support/two-managers.js";

// What React Router's typegen declares for an app with future.v8_middleware: the load context is a RouterContextProvider.
declare module "react-router" {
  interface Future {
    v8_middleware: true;
  }
}

const root = fileURLToPath(new URL("./fixtures/react-router-conformance/", import.meta.url));
const build = (await import(await ensureReactRouterBuilt(root, []))) as ServerBuild;

async function serve(manager: SessionManager<ConformanceData>) {
  // React Router's middleware does not see the peer's address: trust one proxy by count.
  const parts: Injected = { middleware: reactRouterSession(manager, { trustProxy: 1 }), findRoute: findConformanceRoute, sessionOf: sessionOf<ConformanceData> };
  const getLoadContext = () => {
    const context = new RouterContextProvider();
    context.set(injectedContext, parts);
    return context;
  };
  return listenOnLoopback(createServer(createRequestListener({ build, mode: "production", getLoadContext })));
}

adapterConformance(withRedis("react-router", "ioredis", serve));
adapterConformance(withRedis("react-router", "node-redis", serve));
// The same suite with the token in a header instead of the cookie (issue 14).
adapterConformance({ ...withRedis("react-router", "ioredis", serve), transport: "bearer" });

describe("reactRouterSession with two managers on one app", () => {
  it("each middleware's tessera.session(context) gives its own session, and context.get(sessionContext) stays the last one's", async () => {
    const admin = reactRouterSession(managerWithCookie("admin"));
    const user = reactRouterSession(managerWithCookie("user"));
    // The built route hands its handler the injected sessionOf's answer (the first manager's session); its context comes along here.
    const contextOf = new WeakMap<object, Readonly<RouterContextProvider>>();
    const twoManagersRoute = (method: "GET" | "POST"): ConformanceRoute => ({
      method,
      path: "/two-managers",
      async handle({ session }) {
        const context = contextOf.get(session)!;
        if (method === "POST") admin.session(context).data.visits = 7; // through the first middleware only
        const body = { first: admin.session(context).data.visits ?? null, last: user.session(context).data.visits ?? null, lastIsShared: context.get(sessionContext) === user.session(context) };
        return { kind: "json", body };
      },
    });
    const parts: Injected = {
      // The two middlewares in a row, as `export const middleware = [admin, user]` runs them.
      middleware: (args, next) => admin(args, async () => (await user(args, next)) as Response),
      findRoute: (method, path) => (path === "/two-managers" && (method === "GET" || method === "POST") ? twoManagersRoute(method) : undefined),
      sessionOf(context) {
        const session = admin.session(context);
        contextOf.set(session, context);
        return session;
      },
    };
    const getLoadContext = () => {
      const context = new RouterContextProvider();
      context.set(injectedContext, parts);
      return context;
    };
    const served = await listenOnLoopback(createServer(createRequestListener({ build, mode: "production", getLoadContext })));
    await assertEachAccessorOwnsItsSession(served.url, "/two-managers").finally(() => served.close());
  });
});
