import { defineEventHandler } from "h3";
import { apiMe } from "../../../../shared/api.js";
import { sendApi } from "../../api-answer.js";
import { loginOptions } from "../../../../shared/env-login-options.js";

export default defineEventHandler((event) => sendApi(event, apiMe(loginOptions, event.context.session)));
