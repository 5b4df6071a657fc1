/**
 * The React Router login example as the demo runs it: its production build
 * (`react-router build`, reused while the sources are unchanged) started by
 * examples/react-router-login/server.ts on port 0, speaking the instance
 * protocol, against a real redis-server: the form login, the greeting, the
 * CSRF-checked logout, the JSON API, X-Served-By on every response, a 503
 * page while Redis hangs (the checks every example passes,
 * test/support/login-examples.ts).
 */
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { builtExample, checkApiTokens, checkBuildReused, checkForgedLoginsRefused, checkFormLogin, checkStoreOutage } from "./support/login-examples.js";

const STAMP = fileURLToPath(new URL("../examples/react-router-login/build/tessera-inputs", import.meta.url));

describe("react-router login example (production build)", () => {
  const example = builtExample("react-router", "rr-a");

  it("logs in through the form, greets the user with a visit counter, and logs out with the CSRF token", () =>
    // React Router answers 400 for a GET on a route with an action and no loader.
    checkFormLogin(example.app.url, { instance: example.app.instance, framework: "React Router", servedBy: true, getLogoutStatuses: [400, 404, 405] }));

  it("refuses a login form posted without its CSRF token or from another site (403), logging no one in", () => checkForgedLoginsRefused(example.app.url));

  it("the JSON API answers a Bearer token and no cookie", () => checkApiTokens(example.app.url, example.app.instance));

  it("answers the 503 page, not a logout, while Redis hangs, and recovers", () => checkStoreOutage(example.app.url, example.redis, example.app.instance));

  it("a second start reuses the build: ready without building again", () => checkBuildReused("react-router", STAMP, example.redis.url));
});
