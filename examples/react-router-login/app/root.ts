import { createElement } from "react";
import { Outlet, type MiddlewareFunction } from "react-router";
import { reactRouterSession } from "tessera-session/react-router";
import { SERVED_BY_HEADER } from "../../shared/api.js";
import { loginOptions, trustProxy } from "../../shared/env-login-options.js";
import { pageContext } from "../../shared/login-app.js";
import { unavailablePage } from "../../shared/pages.js";
import { html } from "./respond.js";

// What React Router's typegen declares for an app with future.v8_middleware.
declare module "react-router" {
  interface Future {
    v8_middleware: true;
  }
}

/**
 * Every response names the instance that served it; a 503 (the session
 * store is down: reactRouterSession's route error) is the "try again" page,
 * never a page pretending the user is logged out.
 */
const servedBy: MiddlewareFunction<Response> = async (_args, next) => {
  let response = await next();
  if (response.status === 503) response = html(unavailablePage(pageContext(loginOptions, undefined)), 503);
  response = new Response(response.body, response); // mutable headers
  response.headers.set(SERVED_BY_HEADER, loginOptions.instance);
  if (response.status === 503) response.headers.set("Retry-After", "2");
  return response;
};

// React Router's middleware sees no peer address: a trusted balancer is counted (one hop).
export const middleware: MiddlewareFunction<Response>[] = [servedBy, reactRouterSession(loginOptions.sessions, { trustProxy: trustProxy === false ? false : 1 })];

export default function Root() {
  return createElement(Outlet);
}
