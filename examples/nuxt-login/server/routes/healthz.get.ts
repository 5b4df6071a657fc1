import { defineEventHandler, setResponseHeader } from "h3";
import { loginOptions } from "../../../shared/env-login-options.js";

export default defineEventHandler((event) => {
  setResponseHeader(event, "Content-Type", "text/plain; charset=utf-8");
  return `ok ${loginOptions.instance}\n`;
});
