import { defineEventHandler } from "h3";
import { apiLogin } from "../../../../shared/api.js";
import { sendApi } from "../../api-answer.js";
import { readForm } from "../../form.js";
import { loginOptions } from "../../../../shared/env-login-options.js";

// Not CSRF-checked: it sets no cookie and refuses a request carrying the browser's (examples/shared/api.ts).
export default defineEventHandler(async (event) => {
  const { headers } = event.node.req;
  return sendApi(event, await apiLogin(loginOptions, event.context.session, await readForm(event).catch(() => ({})), headers.cookie, headers["user-agent"]));
});
