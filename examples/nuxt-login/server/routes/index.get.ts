import { defineEventHandler } from "h3";
import { countVisit, pageContext } from "../../../shared/login-app.js";
import { indexPage } from "../../../shared/pages.js";
import { loginOptions } from "../../../shared/env-login-options.js";

export default defineEventHandler((event) => {
  countVisit(event.context.session);
  return indexPage(pageContext(loginOptions, event.context.session));
});
