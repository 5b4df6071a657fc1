import { defineEventHandler, sendRedirect } from "h3";
import { loginForm } from "../../../shared/login-app.js";
import { loginOptions } from "../../../shared/env-login-options.js";

export default defineEventHandler((event) => {
  if (event.context.session.data.username) return sendRedirect(event, "/", 303);
  return loginForm(loginOptions, event.context.session);
});
