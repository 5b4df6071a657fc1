/**
 * The demo's `/metrics`: each instance keeps its own OpenTelemetry meter,
 * which its session manager records into (the `telemetry` option), and
 * serves it in the Prometheus text format. Every name starts with
 * `tessera_` (`tessera.session.loads` is `tessera_session_loads_total`);
 * the exporter's own `target_info` and scope labels are left out, so a
 * scrape shows only Tessera's series. A real app would add its own meters
 * to the same provider, and keep the endpoint off the public internet.
 */
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import type { TelemetryOptions } from "tessera-session";
import { SERVED_BY_HEADER } from "./api.js";

/** The Content-Type of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** One instance's metrics: what its manager records into, and the scrape. */
export interface DemoMetrics {
  /** The manager's `telemetry` option. */
  readonly telemetry: TelemetryOptions;
  /** A `/metrics` response for this instance: the text, its Content-Type, and `X-Served-By`. */
  scrape(instance: string): Promise<{ readonly body: string; readonly headers: Readonly<Record<string, string>> }>;
}

/**
 * A meter whose readings are served on demand (the exporter's own HTTP
 * server is not started: each framework routes `/metrics` itself).
 *
 * @example
 * ```ts
 * const metrics = demoMetrics();
 * const sessions = createSessionManager({ store, telemetry: metrics.telemetry });
 * app.get("/metrics", async (_req, res) => {
 *   const { body, headers } = await metrics.scrape("app-1");
 *   res.set(headers).send(body);
 * });
 * ```
 */
export function demoMetrics(): DemoMetrics {
  const reader = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [reader] });
  // (prefix, appendTimestamp, withResourceConstantLabels, withoutTargetInfo, withoutScopeInfo)
  const serializer = new PrometheusSerializer(undefined, false, undefined, true, true);
  return {
    telemetry: { meter: provider.getMeter("tessera-session") },
    async scrape(instance) {
      const { resourceMetrics } = await reader.collect();
      return { body: serializer.serialize(resourceMetrics), headers: { "Content-Type": PROMETHEUS_CONTENT_TYPE, [SERVED_BY_HEADER]: instance } };
    },
  };
}

/**
 * The `/metrics` answer as a web `Response`, for the fetch-based frameworks
 * (Next.js, SvelteKit, React Router, Astro); a 404 when the host gave the
 * app no metrics.
 *
 * @example
 * ```ts
 * export const GET: RequestHandler = (event) => metricsResponse(loginHost(event).metrics, loginHost(event).instance);
 * ```
 */
export async function metricsResponse(metrics: DemoMetrics | undefined, instance: string): Promise<Response> {
  if (metrics === undefined) return new Response("Not Found\n", { status: 404 });
  const { body, headers } = await metrics.scrape(instance);
  return new Response(body, { headers });
}
