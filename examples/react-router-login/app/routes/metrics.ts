import { loginOptions } from "../../../shared/env-login-options.js";
import { metricsResponse } from "../../../shared/metrics.js";

/** This process's session metrics in the Prometheus text format (examples/shared/metrics.ts). */
export const loader = () => metricsResponse(loginOptions.metrics, loginOptions.instance);
