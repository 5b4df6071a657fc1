import { apiLogin } from "../../../../shared/api.js";
import { apiResponse, route } from "../../../lib/login.js";

/** The API login (JSON or a form): a token, no cookie; not CSRF-checked, as it refuses a request carrying the browser's cookie. */
export const POST = route(
  async (request, session, options) => {
    const json = /^\s*application\/json\s*(;|$)/i.test(request.headers.get("content-type") ?? "");
    const body: unknown = json ? await request.json().catch(() => ({})) : { username: (await request.formData().catch(() => new FormData())).get("username") ?? undefined };
    const answer = await apiLogin(options, session, body, request.headers.get("cookie") ?? undefined, request.headers.get("user-agent") ?? undefined);
    return apiResponse(answer);
  },
  { csrf: false },
);
