import { defineEventHandler, sendRedirect, setResponseStatus } from "h3";
import { logIn, loginForm } from "../../../shared/login-app.js";
import { parseUsername } from "../../../shared/pages.js";
import { checkedForm } from "../form.js";
import { loginOptions } from "../../../shared/env-login-options.js";

export default defineEventHandler(async (event) => {
  const form = await checkedForm(event);
  const parsed = parseUsername(form.username);
  if (!parsed.ok) {
    setResponseStatus(event, 400);
    return loginForm(loginOptions, event.context.session, parsed.error);
  }
  await logIn(event.context.session, parsed.username, form.remember);
  return sendRedirect(event, "/", 303);
});
