import { pageContext, countVisit } from "../../shared/login-app.js";
import { indexPage } from "../../shared/pages.js";
import { html, route } from "../lib/login.js";

/** `/`: the greeting, counting the visit (a route handler, so the count is stored). */
export const GET = route((_request, session, options) => {
  countVisit(session);
  return html(indexPage(pageContext(options, session)));
});
