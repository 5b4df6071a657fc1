import { defineEventHandler, setResponseHeaders } from "h3";
import { loginOptions } from "../../../shared/env-login-options.js";

// This process's session metrics in the Prometheus text format (examples/shared/metrics.ts).
export default defineEventHandler(async (event) => {
  const { body, headers } = await loginOptions.metrics!.scrape(loginOptions.instance);
  setResponseHeaders(event, headers);
  return body;
});
