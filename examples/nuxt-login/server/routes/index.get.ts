import { defineEventHandler } from "h3";
import { countVisit, homePage } from "../../../shared/login-app.js";
import { loginOptions } from "../../../shared/env-login-options.js";

// `/`: the greeting (every view counted), with the login's one-time flash the first time.
export default defineEventHandler((event) => {
  countVisit(event.context.session);
  return homePage(loginOptions, event.context.session);
});
