/**
 * What the process around the app (server.ts, or a test) hands each
 * request: the login app's options, with the session manager it built
 * (examples/shared/demo-server.ts), on the Node request adapter-node passes
 * as `event.platform.req`. An app of your own creates its manager in
 * hooks.server.ts instead (see docs/frameworks.md).
 */
import type { RequestEvent } from "@sveltejs/kit";
import type { LoginAppOptions } from "../../../../shared/login-app.js";

/** The Node request's property that carries the options. */
export const LOGIN_HOST = "tesseraLoginApp";

/** The options of the app serving this request. */
export function loginHost(event: RequestEvent): LoginAppOptions {
  const host = (event.platform as { req?: Record<string, unknown> } | undefined)?.req?.[LOGIN_HOST];
  if (host === undefined) throw new Error("sveltekit-login: start the app through examples/sveltekit-login/app.ts, which hands over its options");
  return host as LoginAppOptions;
}
