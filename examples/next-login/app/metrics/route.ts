import { metricsResponse } from "../../../shared/metrics.js";
import { loginReady } from "../../lib/login.js";

/**
 * This process's session metrics in the Prometheus text format
 * (examples/shared/metrics.ts): one meter for the whole process, which the
 * managers of route handlers and server components all record into.
 */
export async function GET(): Promise<Response> {
  const { metrics, instance } = await loginReady();
  return metricsResponse(metrics, instance);
}

/** Never prerendered: every scrape reads the meter now. */
export const dynamic = "force-dynamic";
