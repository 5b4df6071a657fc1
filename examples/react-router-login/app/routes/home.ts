import type { LoaderFunctionArgs } from "react-router";
import { sessionContext } from "tessera-session/react-router";
import { loginOptions } from "../../../shared/env-login-options.js";
import { countVisit, homePage } from "../../../shared/login-app.js";
import { html } from "../respond.js";

/** `/`: the greeting (every view counted), with the login's one-time flash the first time. */
export async function loader({ context }: LoaderFunctionArgs) {
  const session = context.get(sessionContext);
  countVisit(session);
  return html(await homePage(loginOptions, session));
}
