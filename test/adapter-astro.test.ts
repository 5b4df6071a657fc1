import { describe, it } from "node:test";
import { adapterConformance } from "tessera-session/testing";
import { serveAstroConformance } from "./support/astro.js";
import { withRedis } from "./support/conformance.js";
import { assertEachAccessorOwnsItsSession, managerWithCookie } from "./support/two-managers.js";

// The suite against a production build of an Astro 6 app (server output,
// @astrojs/node in middleware mode: test/apps/astro-conformance), built once
// and reused while unchanged.
adapterConformance(withRedis("astro", "ioredis", serveAstroConformance));
adapterConformance(withRedis("astro", "node-redis", serveAstroConformance));
adapterConformance({ ...withRedis("astro", "ioredis", serveAstroConformance), transport: "bearer" });

describe("astroSession with two managers in sequence()", () => {
  it("each middleware's tessera.session(context) gives its own session, and locals.session stays the last one's", async () => {
    const served = await serveAstroConformance(managerWithCookie("user"), managerWithCookie("admin"));
    await assertEachAccessorOwnsItsSession(served.url, "/two-managers").finally(() => served.close());
  });
});
