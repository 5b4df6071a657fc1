/**
 * OpenTelemetry spans and metrics on a real redis-server, read back with
 * the SDK's in-memory exporters: a span per store call with its outcome,
 * the session metrics, errors by code, the coalesced batch sizes; never the
 * token, the session id only when asked; and no Redis command added.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type DataPoint, type Histogram } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { createSessionManager, METRIC, SessionConfigError, SessionStoreError, type SessionManagerOptions, type TelemetryOptions } from "tessera-session";
import { fromExpressSession } from "tessera-session/migrate";
import { redisStore, type RedisSessionStore } from "tessera-session/redis";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { sessionClient } from "./support/session-client.js";

type Data = { visits: number; blob: string };
// express-session's own signer (no types of its own), to sign an old cookie.
const cookieSignature = createRequire(import.meta.url)("cookie-signature") as { sign(value: string, secret: string): string };

let server: RedisServer;
let ioredis: Redis;
let nodeRedis: ReturnType<typeof createClient>;
before(async () => {
  server = await startRedisServer();
  ioredis = new Redis(server.url);
  nodeRedis = createClient({ url: server.url });
  await nodeRedis.connect();
});
after(async () => {
  await ioredis.quit();
  await nodeRedis.quit();
  await server.close();
});

/** A meter and a tracer over in-memory exporters, and readers for what they hold. */
function otel() {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  const telemetry: TelemetryOptions = { meter: meterProvider.getMeter("tessera-session"), tracer: tracerProvider.getTracer("tessera-session") };
  return {
    telemetry,
    spans: (): ReadableSpan[] => spanExporter.getFinishedSpans(),
    /** The data points of one metric, as last exported (cumulative). */
    async points(name: string): Promise<Array<DataPoint<number | Histogram>>> {
      metricExporter.reset();
      await reader.forceFlush();
      const latest = metricExporter.getMetrics().at(-1);
      const metric = latest?.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
      return (metric?.dataPoints ?? []) as Array<DataPoint<number | Histogram>>;
    },
    close: () => Promise.all([meterProvider.shutdown(), tracerProvider.shutdown()]),
  };
}

/** A counter's value per attribute set, as "k=v,k=v" → value. */
function byAttributes(points: Array<DataPoint<number | Histogram>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const point of points) {
    const key = Object.entries(point.attributes).map(([k, v]) => `${k}=${String(v)}`).sort().join(",");
    out[key] = typeof point.value === "number" ? point.value : point.value.count;
  }
  return out;
}

let prefixes = 0;
function manager(client: Redis | ReturnType<typeof createClient>, telemetry: TelemetryOptions, options: Partial<SessionManagerOptions> = {}) {
  const store = redisStore({ client, prefix: `otel${++prefixes}:` });
  return { store, sessions: createSessionManager<Data>({ store, telemetry, secrets: ["a-secret-long-enough-to-sign-cookies-0123456789"], ...options }) };
}

for (const [name, client] of [["ioredis", () => ioredis], ["node-redis", () => nodeRedis]] as const) {
  describe(`telemetry (${name})`, () => {
    it("a span per store call, with its outcome; never the token, no session id unless asked", async () => {
      const o = otel();
      const { sessions } = manager(client(), o.telemetry);
      const browser = sessionClient();
      await browser.request(sessions, (s) => void (s.data.visits = 1));
      await browser.request(sessions, (s) => void (s.data.visits = 2));
      await browser.request(sessions, (s) => s.bindUser("ada"));
      await browser.request(sessions, (s) => s.destroy());
      await browser.request(sessions); // the cookie was cleared: no store call
      const spans = o.spans().map((s) => [s.name, s.attributes["tessera.index.operation"] ?? s.attributes["tessera.write"] ?? "", s.attributes["tessera.outcome"]]);
      assert.deepEqual(spans, [
        ["tessera.commit", "create", "ok"],
        ["tessera.load", "", "found"],
        ["tessera.commit", "update", "ok"],
        ["tessera.load", "", "found"],
        ["tessera.index", "add", "ok"],
        ["tessera.commit", "create", "ok"], // the sign-in replaced an unbound session: no entry to remove
        ["tessera.load", "", "found"],
        ["tessera.destroy", "", "ok"],
        ["tessera.index", "remove", "ok"],
      ]);
      const token = decodeURIComponent(String(browser.cookie ?? ""));
      for (const span of o.spans()) {
        assert.equal(span.attributes["tessera.session.id"], undefined);
        if (token !== "") assert.ok(!JSON.stringify(span.attributes).includes(token));
      }
      await o.close();
    });

    it("flashes and same-key updates: a tessera.field span each, with the script's outcome; none for a take with no flash", async () => {
      const o = otel();
      const { sessions } = manager(client(), o.telemetry);
      const browser = sessionClient();
      await browser.request(sessions, (s) => s.flash("notice", "hi"));
      await browser.request(sessions, async (s) => {
        await s.takeFlash("notice");
        await s.takeFlash("notice"); // taken already: answered from the request's own state
        await s.increment("visits");
        await s.compareAndSet("visits", 5, 6);
      });
      const fieldSpans = o.spans().filter((s) => s.name === "tessera.field").map((s) => [s.attributes["tessera.field.operation"], s.attributes["tessera.outcome"]]);
      assert.deepEqual(fieldSpans, [["take", "ok"], ["increment", "ok"], ["compareAndSet", "mismatch"]]);
      await o.close();
    });

    it("with recordSessionIds, spans carry the public id (never the token)", async () => {
      const o = otel();
      const { sessions } = manager(client(), { ...o.telemetry, recordSessionIds: true });
      const browser = sessionClient();
      const session = await browser.request(sessions, (s) => void (s.data.visits = 1));
      await browser.request(sessions);
      const cookie = browser.cookie!;
      assert.deepEqual(o.spans().map((s) => s.attributes["tessera.session.id"]), [session.id, session.id]);
      for (const span of o.spans()) assert.ok(!JSON.stringify(span.attributes).includes(cookie.split(".")[0]!));
      await o.close();
    });

    it("metrics: loads, commits, latency, sessions created and ended", async () => {
      const o = otel();
      const { sessions, store } = manager(client(), o.telemetry);
      const browser = sessionClient();
      await browser.request(sessions, (s) => void (s.data.visits = 1));
      await browser.request(sessions, (s) => void (s.data.visits = 2));
      await browser.request(sessions, (s) => s.regenerate());
      await browser.request(sessions, (s) => s.destroy());
      const gone = sessionClient();
      const lost = await gone.request(sessions, (s) => void (s.data.visits = 1));
      await store.destroy(lost.id!);
      await gone.request(sessions);

      assert.deepEqual(byAttributes(await o.points(METRIC.loads)), { "tessera.outcome=found": 3, "tessera.outcome=missing": 1 });
      assert.deepEqual(byAttributes(await o.points(METRIC.commits)), {
        "tessera.outcome=ok,tessera.write=create": 3,
        "tessera.outcome=ok,tessera.write=update": 1,
      });
      assert.deepEqual(byAttributes(await o.points(METRIC.created)), { "": 2 });
      assert.deepEqual(byAttributes(await o.points(METRIC.regenerated)), { "": 1 });
      assert.deepEqual(byAttributes(await o.points(METRIC.ended)), { "tessera.end.reason=destroyed": 1 });
      const latency = byAttributes(await o.points(METRIC.storeDuration));
      assert.deepEqual(latency, {
        "tessera.operation=commit,tessera.outcome=ok": 4,
        "tessera.operation=destroy,tessera.outcome=ok": 1,
        "tessera.operation=load,tessera.outcome=found": 3,
        "tessera.operation=load,tessera.outcome=missing": 1,
      });
      await o.close();
    });

    it("errors by code: a store timeout and a session too large", async () => {
      const o = otel();
      const { sessions } = manager(client(), o.telemetry, { storeTimeoutMs: 150, maxSessionBytes: 1024 });
      const browser = sessionClient();
      await browser.request(sessions, (s) => void (s.data.visits = 1));
      await assert.rejects(browser.request(sessions, (s) => void (s.data.blob = "x".repeat(4096))), /maxSessionBytes|too large/i);
      server.pause();
      try {
        await assert.rejects(browser.request(sessions), SessionStoreError);
      } finally {
        server.resume();
      }
      assert.deepEqual(byAttributes(await o.points(METRIC.errors)), {
        "error.code=TESSERA_SESSION_TOO_LARGE,tessera.operation=commit": 1,
        "error.code=TESSERA_STORE_TIMEOUT,tessera.operation=load": 1,
      });
      assert.deepEqual(byAttributes(await o.points(METRIC.loads))["tessera.outcome=error"], 1);
      const failed = o.spans().filter((s) => s.status.code === 2);
      assert.deepEqual(failed.map((s) => [s.name, s.attributes["error.type"]]), [["tessera.load", "TESSERA_STORE_TIMEOUT"]]);
      await o.close();
    });
  });
}

describe("telemetry: batches, commands, configuration", () => {
  it("records the coalesced batch sizes of a Redis store (ioredis: Tessera pipelines the reads of one turn)", async () => {
    const o = otel();
    const { sessions } = manager(ioredis, o.telemetry);
    const browsers = Array.from({ length: 10 }, () => sessionClient());
    for (const browser of browsers) await browser.request(sessions, (s) => void (s.data.visits = 1));
    // The first loads run the load script (the store learns each expiry); the next ones are plain reads, all in one turn.
    await Promise.all(browsers.map((browser) => browser.request(sessions)));
    await Promise.all(browsers.map((browser) => browser.request(sessions)));
    const points = (await o.points(METRIC.batchSize)).filter((p) => p.attributes["tessera.redis.command"] === "read");
    assert.equal(points.length, 1);
    const histogram = points[0]!.value as Histogram;
    assert.equal(histogram.max, 10);
    assert.equal(histogram.sum, 10 * histogram.count);
    await o.close();
  });

  for (const [name, client] of [["ioredis", () => ioredis], ["node-redis", () => nodeRedis]] as const) {
    it(`a plain read and a plain write cost the same commands with telemetry on (${name})`, async () => {
      async function plainCommands(store: RedisSessionStore, telemetry: TelemetryOptions | undefined) {
        const sessions = createSessionManager<Data>({ store, ...(telemetry && { telemetry }) });
        const browser = sessionClient();
        await browser.request(sessions, (s) => void (s.data.visits = 1));
        await browser.request(sessions);
        const read = await server.countCommands(() => browser.request(sessions));
        const write = await server.countCommands(() => browser.request(sessions, (s) => void (s.data.visits = 2)));
        return { read: read.byCommand, write: write.byCommand };
      }
      const o = otel();
      const plain = await plainCommands(redisStore({ client: client(), prefix: "otel-plain-a:" }), undefined);
      const observed = await plainCommands(redisStore({ client: client(), prefix: "otel-plain-b:" }), o.telemetry);
      assert.deepEqual(observed, plain);
      assert.deepEqual(plain.read, { hgetall: 1 });
      assert.ok(o.spans().length > 0);
      await o.close();
    });
  }

  it("counts a session migrated from express-session, and its creation", async () => {
    const o = otel();
    const secret = "old-express-session-secret-0123456789";
    const { sessions } = manager(ioredis, o.telemetry, { migrate: fromExpressSession({ client: ioredis, prefix: "otel-sess:", secret, cookieName: "connect.sid" }) });
    await ioredis.set("otel-sess:legacy-sid", JSON.stringify({ cookie: { path: "/" }, user: "ada" }), "EX", 300);
    const cookieHeader = `connect.sid=${encodeURIComponent(`s:${cookieSignature.sign("legacy-sid", secret)}`)}`;
    const migrated = await sessions.load({ cookieHeader, secure: false });
    assert.equal(migrated.isNew, false);
    await sessions.commit(migrated);
    // A request with no old cookie migrates nothing.
    await sessions.commit(await sessions.load({ secure: false }));
    assert.deepEqual(byAttributes(await o.points(METRIC.migrations)), { "tessera.migration.library=express-session": 1 });
    assert.deepEqual(byAttributes(await o.points(METRIC.created)), { "": 1 });
    await o.close();
  });

  it("bad telemetry options are configuration errors", () => {
    const store = redisStore({ client: ioredis, prefix: "otel-bad:" });
    assert.throws(() => createSessionManager({ store, telemetry: { metre: {} } as never }), SessionConfigError);
    assert.throws(() => createSessionManager({ store, telemetry: { meter: {} as never } }), /telemetry\.meter must be an OpenTelemetry Meter/);
    assert.throws(() => createSessionManager({ store, telemetry: { tracer: {} as never } }), /telemetry\.tracer must be an OpenTelemetry Tracer/);
    assert.throws(() => createSessionManager({ store, telemetry: { recordSessionIds: "yes" } as never }), /recordSessionIds/);
  });
});
