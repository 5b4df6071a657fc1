import { countVisit, homePage } from "../../shared/login-app.js";
import { html, route } from "../lib/login.js";

/**
 * `/`: the greeting, counting the visit, with the login's one-time flash.
 * A route handler, not a server component: it commits (the count is
 * stored, and a failed response puts a taken flash back), where a server
 * component's session is read-only and nothing commits after it.
 */
export const GET = route(async (_request, session, options) => {
  countVisit(session);
  return html(await homePage(options, session));
});
