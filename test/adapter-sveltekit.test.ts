import { describe, it } from "node:test";
import { adapterConformance } from "tessera-session/testing";
import { withRedis } from "./support/conformance.js";
import { serveSvelteKitConformance } from "./support/sveltekit.js";
import { assertEachAccessorOwnsItsSession, managerWithCookie } from "./support/two-managers.js";

// The suite against a production build of a SvelteKit 2 app on adapter-node
// (test/apps/sveltekit-conformance), built once and reused while unchanged.
adapterConformance(withRedis("sveltekit", "ioredis", serveSvelteKitConformance));
adapterConformance(withRedis("sveltekit", "node-redis", serveSvelteKitConformance));
adapterConformance({ ...withRedis("sveltekit", "ioredis", serveSvelteKitConformance), transport: "bearer" });

describe("sveltekitSession with two managers in sequence()", () => {
  it("each hook's tessera.session(event) gives its own session, and event.locals.session stays the last one's", async () => {
    const served = await serveSvelteKitConformance(managerWithCookie("user"), managerWithCookie("admin"));
    await assertEachAccessorOwnsItsSession(served.url, "/two-managers").finally(() => served.close());
  });
});
