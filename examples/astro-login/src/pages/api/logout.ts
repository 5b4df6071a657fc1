import type { APIRoute } from "astro";
import { apiLogout } from "../../../../shared/api.js";
import { apiResponse } from "../../lib/api.js";
import { loginHost } from "../../lib/host.js";

/** `POST /api/logout`: ends the token's session. */
export const POST: APIRoute = async (context) => apiResponse(await apiLogout(loginHost(context), context.locals.session));
