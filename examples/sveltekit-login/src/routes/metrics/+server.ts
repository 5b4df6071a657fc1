import type { RequestHandler } from "@sveltejs/kit";
import { metricsResponse } from "../../../../shared/metrics.js";
import { loginHost } from "../../lib/server/host.js";

/** This instance's session metrics in the Prometheus text format (examples/shared/metrics.ts). */
export const GET: RequestHandler = (event) => {
  const { metrics, instance } = loginHost(event);
  return metricsResponse(metrics, instance);
};
