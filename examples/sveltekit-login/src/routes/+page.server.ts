import type { ServerLoad } from "@sveltejs/kit";
import { countVisit, homePage } from "../../../shared/login-app.js";
import { loginHost } from "../lib/server/host.js";

// Plain HTML forms: the pages work without JavaScript, so none is sent.
export const csr = false;

/** `/`: greets the logged-in user (every view counted in the session, the login's one-time flash shown once), or links to the login page. */
export const load: ServerLoad = async (event) => {
  countVisit(event.locals.session);
  return { page: await homePage(loginHost(event), event.locals.session) };
};
