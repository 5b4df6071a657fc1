import type { APIRoute } from "astro";
import { apiLogin } from "../../../../shared/api.js";
import { apiResponse } from "../../lib/api.js";
import { loginHost } from "../../lib/host.js";

/** `POST /api/login`: a header client's session, its token in the JSON answer, no cookie. */
export const POST: APIRoute = async (context) => {
  const { request } = context;
  const json = /^\s*application\/json\s*(;|$)/i.test(request.headers.get("content-type") ?? "");
  const body: unknown = json
    ? await request.json().catch(() => ({}))
    : { username: (await request.formData().catch(() => undefined))?.get("username") ?? undefined };
  const answer = await apiLogin(loginHost(context), context.locals.session, body, request.headers.get("cookie") ?? undefined, request.headers.get("user-agent") ?? undefined);
  return apiResponse(answer);
};
