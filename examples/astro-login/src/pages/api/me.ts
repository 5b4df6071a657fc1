import type { APIRoute } from "astro";
import { apiMe } from "../../../../shared/api.js";
import { apiResponse } from "../../lib/api.js";
import { loginHost } from "../../lib/host.js";

/** `GET /api/me`: who the Bearer token belongs to. */
export const GET: APIRoute = (context) => apiResponse(apiMe(loginHost(context), context.locals.session));
