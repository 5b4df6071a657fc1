/**
 * The example's Nitro error handler: Tessera's errors get the shared pages
 * (a 403 for a failed CSRF check, a 503 "try again" page while the store is
 * down, never a page pretending the user is logged out); anything else
 * goes to Nitro's default answer.
 */
import { send, setResponseHeader, setResponseHeaders, setResponseStatus } from "h3";
import { defineNitroErrorHandler } from "nitropack/runtime";
import { CsrfError, SessionStoreError } from "tessera-session";
import { formExpired, pageContext } from "../../shared/login-app.js";
import { unavailablePage } from "../../shared/pages.js";
import { loginOptions } from "../../shared/env-login-options.js";

export default defineNitroErrorHandler(async (error, event, { defaultHandler }) => {
  // h3 wraps what a handler throws: the Tessera error is the cause.
  const cause = error.cause;
  if (cause instanceof CsrfError) {
    setResponseStatus(event, 403);
    setResponseHeader(event, "Content-Type", "text/html; charset=utf-8");
    return send(event, formExpired(loginOptions, event.context.session));
  }
  if (cause instanceof SessionStoreError) {
    setResponseStatus(event, 503);
    setResponseHeaders(event, { "Content-Type": "text/html; charset=utf-8", "Retry-After": "2" });
    return send(event, unavailablePage(pageContext(loginOptions, undefined)));
  }
  const answer = await defaultHandler(error, event);
  setResponseHeaders(event, answer.headers);
  setResponseStatus(event, answer.status, answer.statusText);
  return send(event, typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body));
});
