import type { ActionFunctionArgs } from "react-router";
import { sessionContext } from "tessera-session/react-router";
import { apiLogin } from "../../../shared/api.js";
import { loginOptions } from "../../../shared/env-login-options.js";
import { apiResponse, formFields } from "../respond.js";

// Not CSRF-checked: it sets no cookie and refuses a request carrying the browser's (examples/shared/api.ts).
export async function action({ request, context }: ActionFunctionArgs) {
  const json = /^\s*application\/json\s*(;|$)/i.test(request.headers.get("content-type") ?? "");
  const body: unknown = json ? await request.json().catch(() => ({})) : formFields(await request.formData().catch(() => new FormData()));
  const { headers } = request;
  return apiResponse(await apiLogin(loginOptions, context.get(sessionContext), body, headers.get("cookie") ?? undefined, headers.get("user-agent") ?? undefined));
}
