/**
 * What the process around the app (server.ts, or a test) hands each
 * request: the login app's options, with the session manager it built
 * (examples/shared/demo-server.ts), in the locals of @astrojs/node's
 * middleware-mode handler. An app of your own creates its manager in
 * src/middleware.ts instead (see docs/frameworks.md).
 */
import type { LoginAppOptions } from "../../../shared/login-app.js";

/** The locals' property that carries the options. */
export const LOGIN_HOST = "tesseraLoginApp";

/** The options of the app serving this request. */
export function loginHost(context: { locals: object }): LoginAppOptions {
  const host = (context.locals as Record<string, unknown>)[LOGIN_HOST];
  if (host === undefined) throw new Error("astro-login: start the app through examples/astro-login/app.ts, which hands over its options");
  return host as LoginAppOptions;
}
