import type { LoaderFunctionArgs } from "react-router";
import { sessionContext } from "tessera-session/react-router";
import { loginOptions } from "../../../shared/env-login-options.js";
import { countVisit, pageContext } from "../../../shared/login-app.js";
import { indexPage } from "../../../shared/pages.js";
import { html } from "../respond.js";

export function loader({ context }: LoaderFunctionArgs) {
  const session = context.get(sessionContext);
  countVisit(session);
  return html(indexPage(pageContext(loginOptions, session)));
}
