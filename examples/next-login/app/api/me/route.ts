import { apiMe } from "../../../../shared/api.js";
import { apiResponse, route } from "../../../lib/login.js";

/** Who the Bearer token (or cookie) belongs to. */
export const GET = route((_request, session, options) => apiResponse(apiMe(options, session)));
