import type { LoaderFunctionArgs } from "react-router";
import { sessionContext } from "tessera-session/react-router";
import { apiMe } from "../../../shared/api.js";
import { loginOptions } from "../../../shared/env-login-options.js";
import { apiResponse } from "../respond.js";

export const loader = ({ context }: LoaderFunctionArgs) => apiResponse(apiMe(loginOptions, context.get(sessionContext)));
