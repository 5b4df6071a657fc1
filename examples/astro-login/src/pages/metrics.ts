import type { APIRoute } from "astro";
import { metricsResponse } from "../../../shared/metrics.js";
import { loginHost } from "../lib/host.js";

/** This instance's session metrics in the Prometheus text format (examples/shared/metrics.ts). */
export const GET: APIRoute = (context) => {
  const { metrics, instance } = loginHost(context);
  return metricsResponse(metrics, instance);
};
