import type { RequestHandler } from "@sveltejs/kit";
import { apiLogin } from "../../../../../shared/api.js";
import { apiResponse } from "../../../lib/server/api.js";
import { loginHost } from "../../../lib/server/host.js";

/** `POST /api/login`: a header client's session, its token in the JSON answer, no cookie. */
export const POST: RequestHandler = async (event) => {
  const { request } = event;
  const json = /^\s*application\/json\s*(;|$)/i.test(request.headers.get("content-type") ?? "");
  const body: unknown = json
    ? await request.json().catch(() => ({}))
    : { username: (await request.formData().catch(() => undefined))?.get("username") ?? undefined };
  const answer = await apiLogin(loginHost(event), event.locals.session, body, request.headers.get("cookie") ?? undefined, request.headers.get("user-agent") ?? undefined);
  return apiResponse(answer);
};
