import type { ServerLoad } from "@sveltejs/kit";
import { countVisit, pageContext } from "../../../shared/login-app.js";
import { indexPage } from "../../../shared/pages.js";
import { loginHost } from "../lib/server/host.js";

// Plain HTML forms: the pages work without JavaScript, so none is sent.
export const csr = false;

/** `/`: greets the logged-in user (every view counted in the session), or links to the login page. */
export const load: ServerLoad = (event) => {
  countVisit(event.locals.session);
  return { page: indexPage(pageContext(loginHost(event), event.locals.session)) };
};
