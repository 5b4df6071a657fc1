import type { RequestHandler } from "@sveltejs/kit";
import { apiLogout } from "../../../../../shared/api.js";
import { apiResponse } from "../../../lib/server/api.js";
import { loginHost } from "../../../lib/server/host.js";

/** `POST /api/logout`: ends the token's session. */
export const POST: RequestHandler = async (event) => apiResponse(await apiLogout(loginHost(event), event.locals.session));
