import type { ActionFunctionArgs } from "react-router";
import { sessionContext } from "tessera-session/react-router";
import { apiLogout } from "../../../shared/api.js";
import { loginOptions } from "../../../shared/env-login-options.js";
import { apiResponse } from "../respond.js";

export const action = async ({ context }: ActionFunctionArgs) => apiResponse(await apiLogout(loginOptions, context.get(sessionContext)));
