// The session manager every Tessera app uses: signed cookies, Tessera's
// defaults (30 min idle timeout, like the anchors' maxAge), on the client of
// shared/redis-client.js (the floor apps use the same one).
import process from "node:process";
import { createSessionManager } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { IDLE_TIMEOUT_MS, PREFIX, SECRET } from "./env.js";
import { connectClient } from "./redis-client.js";

/**
 * BENCH_TESSERA_TELEMETRY=metrics (a meter) or =traces (a meter and a
 * tracer) measures the app with OpenTelemetry on: the real SDK, its metrics
 * never collected and its spans batched to an exporter that drops them, so
 * what is measured is the recording, not an exporter's I/O. Unset: no
 * telemetry option at all, the default.
 */
async function benchTelemetry() {
  const mode = process.env.BENCH_TESSERA_TELEMETRY;
  if (mode === undefined || mode === "") return {};
  if (mode !== "metrics" && mode !== "traces") throw new Error(`BENCH_TESSERA_TELEMETRY must be metrics or traces, got ${mode}`);
  const { MeterProvider } = await import("@opentelemetry/sdk-metrics");
  const meter = new MeterProvider().getMeter("tessera-session");
  if (mode === "metrics") return { telemetry: { meter } };
  const { BasicTracerProvider, BatchSpanProcessor } = await import("@opentelemetry/sdk-trace-base");
  const dropping = { export: (_spans, done) => done({ code: 0 }), shutdown: () => Promise.resolve() };
  const tracer = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropping)] }).getTracer("tessera-session");
  return { telemetry: { meter, tracer } };
}

export async function tesseraSessions() {
  const client = await connectClient();
  return createSessionManager({
    ...(await benchTelemetry()),
    // BENCH_TESSERA_COALESCE=false measures the store without coalescing
    // (redisStore's `coalesce` option; the default is on).
    store: redisStore({ client, prefix: PREFIX, coalesce: process.env.BENCH_TESSERA_COALESCE !== "false" }),
    secrets: [SECRET],
    idleTimeoutSeconds: IDLE_TIMEOUT_MS / 1000,
  });
}
