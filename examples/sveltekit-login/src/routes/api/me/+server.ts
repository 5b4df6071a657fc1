import type { RequestHandler } from "@sveltejs/kit";
import { apiMe } from "../../../../../shared/api.js";
import { apiResponse } from "../../../lib/server/api.js";
import { loginHost } from "../../../lib/server/host.js";

/** `GET /api/me`: who the Bearer token belongs to. */
export const GET: RequestHandler = (event) => apiResponse(apiMe(loginHost(event), event.locals.session));
