import { adapterConformance } from "tessera-session/testing";
import { withRedis } from "./support/conformance.js";
import { serveSvelteKitConformance } from "./support/sveltekit.js";

// The suite against a production build of a SvelteKit 2 app on adapter-node
// (test/apps/sveltekit-conformance), built once and reused while unchanged.
adapterConformance(withRedis("sveltekit", "ioredis", serveSvelteKitConformance));
adapterConformance(withRedis("sveltekit", "node-redis", serveSvelteKitConformance));
adapterConformance({ ...withRedis("sveltekit", "ioredis", serveSvelteKitConformance), transport: "bearer" });
