import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "react-router";
import { sessionContext } from "tessera-session/react-router";
import { loginOptions } from "../../../shared/env-login-options.js";
import { logIn, loginForm } from "../../../shared/login-app.js";
import { parseUsername } from "../../../shared/pages.js";
import { checkedForm, html } from "../respond.js";

export function loader({ context }: LoaderFunctionArgs) {
  const session = context.get(sessionContext);
  if (session.data.username) return redirect("/", 303);
  return html(loginForm(loginOptions, session));
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = context.get(sessionContext);
  const form = await checkedForm(request, session);
  if (form instanceof Response) return form;
  const parsed = parseUsername(form.username);
  if (!parsed.ok) return html(loginForm(loginOptions, session, parsed.error), 400);
  await logIn(session, parsed.username, form.remember);
  return redirect("/", 303);
}
