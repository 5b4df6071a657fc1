/**
 * The session manager and page options of the examples whose framework
 * owns the server process (Nuxt, React Router: their production build
 * creates the manager itself), built once per process by the same
 * `demoSessions()` as every other example's (examples/shared/demo-server.ts),
 * from the same environment: REDIS_URL, SESSION_STORE=memory,
 * SESSION_SECRET, INSTANCE_NAME, TRUST_PROXY. The manager records into
 * this process's metrics, which the app serves on `/metrics`.
 */
import { demoSessions } from "./demo-server.js";
import type { LoginAppOptions } from "./login-app.js";
import "./session-data.js";

const demo = demoSessions();

/** What every route of the example renders its pages with. */
export const loginOptions: LoginAppOptions = {
  sessions: demo.sessions,
  instance: demo.instance,
  // Set by the example's server.ts (the build itself is shared by both apps' code paths).
  framework: process.env.EXAMPLE_FRAMEWORK,
  banner: demo.banner,
  trustProxy: demo.trustProxy !== undefined,
  metrics: demo.metrics,
};

/** TRUST_PROXY as given ("loopback" behind the demo balancer), for an adapter's `trustProxy`. */
export const trustProxy = demo.trustProxy ?? false;
