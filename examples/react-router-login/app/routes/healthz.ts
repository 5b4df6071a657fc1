import { loginOptions } from "../../../shared/env-login-options.js";

export const loader = () => new Response(`ok ${loginOptions.instance}\n`, { headers: { "Content-Type": "text/plain; charset=utf-8" } });
