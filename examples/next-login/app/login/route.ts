import { loginForm, logIn } from "../../../shared/login-app.js";
import { parseUsername } from "../../../shared/pages.js";
import { html, route, seeOther } from "../../lib/login.js";

/** The login form (asking for its CSRF token stores the visitor's session, so it is there when the form comes back). */
export const GET = route((_request, session, options) => (session.data.username ? seeOther("/") : html(loginForm(options, session))));

/** The form's POST: CSRF-checked, then a new token (no session fixation) carrying the name. */
export const POST = route(async (request, session, options) => {
  const form = await request.formData();
  const parsed = parseUsername(form.get("username"));
  if (!parsed.ok) return html(loginForm(options, session, parsed.error), 400);
  await logIn(session, parsed.username, form.get("remember"));
  return seeOther("/");
});
