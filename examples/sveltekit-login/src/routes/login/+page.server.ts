import { fail, redirect, type Actions, type ServerLoad } from "@sveltejs/kit";
import { logIn, loginForm } from "../../../../shared/login-app.js";
import { parseUsername } from "../../../../shared/pages.js";
import { loginHost } from "../../lib/server/host.js";

export const csr = false;

/** `GET /login`: the form with this session's CSRF token; home for a logged-in user. */
export const load: ServerLoad = (event) => {
  if (event.locals.session.data.username) redirect(303, "/");
  return { page: loginForm(loginHost(event), event.locals.session) };
};

/** `POST /login`, the form's action (CSRF-checked in hooks.server.ts): a new session token, then the name. */
export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const parsed = parseUsername(form.get("username"));
    if (!parsed.ok) return fail(400, { page: loginForm(loginHost(event), event.locals.session, parsed.error) });
    await logIn(event.locals.session, parsed.username, form.get("remember"));
    redirect(303, "/");
  },
};
