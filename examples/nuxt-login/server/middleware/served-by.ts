import { defineEventHandler, setResponseHeader } from "h3";
import { SERVED_BY_HEADER } from "../../../shared/api.js";
import { loginOptions } from "../../../shared/env-login-options.js";

// Every response names the instance that served it, pages and errors alike.
export default defineEventHandler((event) => {
  setResponseHeader(event, SERVED_BY_HEADER, loginOptions.instance);
});
