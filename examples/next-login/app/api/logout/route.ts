import { apiLogout } from "../../../../shared/api.js";
import { apiResponse, route } from "../../../lib/login.js";

/** Ends the session; CSRF-checked like every POST (a request carrying only its Bearer token passes). */
export const POST = route(async (_request, session, options) => apiResponse(await apiLogout(options, session)));
