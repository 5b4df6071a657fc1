import { defineEventHandler } from "h3";
import { apiLogout } from "../../../../shared/api.js";
import { sendApi } from "../../api-answer.js";
import { loginOptions } from "../../../../shared/env-login-options.js";

export default defineEventHandler(async (event) => sendApi(event, await apiLogout(loginOptions, event.context.session)));
