// What lifecycle hooks and OpenTelemetry cost Tessera's own CPU per
// request, bench/core-cpu.ts style: the manager against a store that
// answers at once, so the difference between the variants is only the
// observing. Variants, interleaved in one process:
//   off        no hooks, no telemetry (the store is not wrapped at all)
//   hooks      all five lifecycle hooks set (a read or an update raises none)
//   metrics    telemetry: { meter } from the real SDK (a MeterProvider whose
//              reader is never collected, so only the recording is measured)
//   traces     telemetry: { meter, tracer }, the tracer's spans going through
//              a BatchSpanProcessor to an exporter that drops them
// Run after `npm run build`:
//
//   npx tsx bench/telemetry-cpu.ts [requests per run = 50000] [runs = 7]
import { InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { createSessionManager, type SessionManagerOptions, type SessionStore } from "tessera-session";

const SECRET = "bench-secret-0123456789abcdef-0123456789abcdef";
const IDLE_MS = 30 * 60 * 1000;

/** A one-record store that answers at once (writes are accepted, not kept: every read sees the login's data). */
function instantStore(): SessionStore {
  let fields = new Map<string, string>();
  return {
    load: (_id, now) => Promise.resolve(fields.size ? { fields, expiresAt: now + IDLE_MS, renewed: false } : undefined),
    write: (_id, write) => {
      if (write.kind === "create") fields = new Map(write.set);
      return Promise.resolve("ok");
    },
    destroy: () => Promise.resolve(),
  };
}

/** Spans are made, batched and handed over, then dropped: the cost of tracing without an exporter's network I/O. */
const droppingExporter: SpanExporter = {
  export: (_spans: ReadableSpan[], done) => done({ code: 0 }),
  shutdown: () => Promise.resolve(),
};

function variants(): Record<string, Partial<SessionManagerOptions>> {
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(1), exportIntervalMillis: 3_600_000 })],
  });
  const meter = meterProvider.getMeter("tessera-session");
  const tracer = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(droppingExporter)] }).getTracer("tessera-session");
  const noop = (): void => undefined;
  return {
    off: {},
    hooks: { on: { created: noop, regenerated: noop, destroyed: noop, revoked: noop, expired: noop } },
    metrics: { telemetry: { meter } },
    traces: { telemetry: { meter, tracer } },
  };
}

/** The request scenarios for one variant. */
async function scenariosFor(variant: string, options: Partial<SessionManagerOptions>): Promise<Record<string, () => Promise<void>>> {
  const manager = createSessionManager<{ user: { id: number; name: string }; hits: number }>({
    store: instantStore(),
    secrets: [SECRET],
    idleTimeoutSeconds: IDLE_MS / 1000,
    ...options,
  });
  const login = await manager.load({ cookieHeader: undefined, secure: false });
  login.data.user = { id: 1234, name: "ada" };
  const cookieHeader = `theme=dark; ${(await manager.commit(login))!.split(";")[0]}`;
  return {
    [`authenticated read, ${variant}`]: async () => {
      const session = await manager.load({ cookieHeader, secure: false });
      if (session.data.user?.name !== "ada") throw new Error("the read did not see the login");
      await manager.commit(session);
    },
    [`write (hits + 1), ${variant}`]: async () => {
      const session = await manager.load({ cookieHeader, secure: false });
      session.data.hits = (session.data.hits ?? 0) + 1;
      await manager.commit(session);
    },
  };
}

async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? 50_000);
  const runs = Number(process.argv[3] ?? 7);
  const scenarios: Record<string, () => Promise<void>> = {};
  for (const [name, options] of Object.entries(variants())) Object.assign(scenarios, await scenariosFor(name, options));
  const best = new Map<string, number>();
  for (let run = 0; run < runs; run++) {
    for (const [name, request] of Object.entries(scenarios)) {
      const started = process.cpuUsage();
      for (let i = 0; i < requests; i++) await request();
      const used = process.cpuUsage(started);
      best.set(name, Math.min(best.get(name) ?? Infinity, (used.user + used.system) / requests));
    }
  }
  for (const [name, micros] of best) console.log(`${name.padEnd(32)} ${micros.toFixed(2)} µs CPU per request (best of ${runs} runs of ${requests})`);
  process.exit(0); // the batch processor's timer would keep the process alive
}

await main();
