/**
 * Metrics and traces, through OpenTelemetry without depending on it: the
 * manager's `telemetry` option takes a meter and a tracer, and the types
 * below are the few members of `@opentelemetry/api`'s `Meter` and `Tracer`
 * that Tessera calls, so a real one fits them and an app without
 * OpenTelemetry installs, imports and type-checks nothing of it. Without the
 * option, no instrument exists and no store call is wrapped.
 *
 * What is recorded (names as OpenTelemetry gives them; a Prometheus
 * exporter turns `tessera.session.loads` into `tessera_session_loads_total`)
 * is listed in {@link METRIC}; spans are named `tessera.<operation>`. Never
 * the token; the public session id only with `recordSessionIds: true`.
 */
import { SessionConfigError, TesseraError } from "./errors.js";
import { knownKeys } from "./known-keys.js";

/** Attribute values Tessera records (a subset of OpenTelemetry's `Attributes`). */
export type TelemetryAttributes = Record<string, string | number | boolean>;

/** The part of an OpenTelemetry `Counter` Tessera uses. */
export interface TelemetryCounter {
  add(value: number, attributes?: TelemetryAttributes): void;
}

/** The part of an OpenTelemetry `Histogram` Tessera uses. */
export interface TelemetryHistogram {
  record(value: number, attributes?: TelemetryAttributes): void;
}

/** Options of an instrument, as OpenTelemetry's `MetricOptions` reads them. */
export interface TelemetryInstrumentOptions {
  readonly description?: string;
  readonly unit?: string;
  readonly advice?: { readonly explicitBucketBoundaries?: number[] };
}

/**
 * The part of an OpenTelemetry `Meter` Tessera uses: pass
 * `metrics.getMeter("tessera-session")`.
 */
export interface TelemetryMeter {
  createCounter(name: string, options?: TelemetryInstrumentOptions): TelemetryCounter;
  createHistogram(name: string, options?: TelemetryInstrumentOptions): TelemetryHistogram;
}

/** The part of an OpenTelemetry `Span` Tessera uses. */
export interface TelemetrySpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  /** `code` 2 is OpenTelemetry's `SpanStatusCode.ERROR`. */
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
}

/**
 * The part of an OpenTelemetry `Tracer` Tessera uses: pass
 * `trace.getTracer("tessera-session")`. Spans start in the active context,
 * so with the HTTP instrumentation on they are children of the request's span.
 */
export interface TelemetryTracer {
  startSpan(name: string, options?: { attributes?: TelemetryAttributes; kind?: number }): TelemetrySpan;
}

/**
 * The manager's `telemetry` option.
 *
 * @example
 * ```ts
 * import { metrics, trace } from "@opentelemetry/api";
 * import { createSessionManager } from "tessera-session";
 * import { memoryStore } from "tessera-session/memory";
 *
 * const sessions = createSessionManager({
 *   store: memoryStore(),
 *   telemetry: { meter: metrics.getMeter("tessera-session"), tracer: trace.getTracer("tessera-session") },
 * });
 * ```
 */
export interface TelemetryOptions {
  /** Where metrics go. Without it, no metric is recorded. */
  meter?: TelemetryMeter;
  /** Where spans go. Without it, no span is started. */
  tracer?: TelemetryTracer;
  /**
   * Put the public session id (never the token) on spans as
   * `tessera.session.id`. Default `false`: an id names a user's session to
   * whoever reads the traces, and a metric attribute would be unbounded, so
   * ids never go on metrics at all.
   */
  recordSessionIds?: boolean;
}

/** The metric names Tessera records, in OpenTelemetry's dotted form. */
export const METRIC = {
  /** Counter: session loads that reached the store, by `tessera.outcome` (`found`, `missing`, `error`). */
  loads: "tessera.session.loads",
  /** Counter: writes (`tessera.write`: `create`, `update`) by `tessera.outcome` (`ok`, `gone`, `exists`, `revoked`, `error`). */
  commits: "tessera.session.commits",
  /** Histogram, seconds: each store call's latency, by `tessera.operation` and `tessera.outcome`. */
  storeDuration: "tessera.store.duration",
  /** Counter: failures by `error.code` (a `TesseraErrorCode`) and `tessera.operation`. */
  errors: "tessera.errors",
  /** Counter: sessions created (a login on a new visitor, a first write; not a regenerate). */
  created: "tessera.sessions.created",
  /** Counter: tokens rotated by `regenerate()` or `bindUser()`. */
  regenerated: "tessera.sessions.regenerated",
  /** Counter: sessions ended by this process, by `tessera.end.reason` (`destroyed`, `revoked`). */
  ended: "tessera.sessions.ended",
  /** Counter: sessions moved over from another library (`migrate`), by `tessera.migration.library`. */
  migrations: "tessera.session.migrations",
  /** Histogram: calls per coalesced turn of a Redis store, by `tessera.redis.command` (`read`, `update`). */
  batchSize: "tessera.redis.batch.size",
} as const;

/** Store latency buckets, in seconds: a Redis round trip is a fraction of a millisecond to a few. */
const DURATION_BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Batch size buckets: powers of two up to the coalescing cap of 64. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64];

/** The instruments the manager records into, made once per manager. */
export interface SessionInstruments {
  readonly loads: TelemetryCounter;
  readonly commits: TelemetryCounter;
  readonly storeDuration: TelemetryHistogram;
  readonly errors: TelemetryCounter;
  readonly created: TelemetryCounter;
  readonly regenerated: TelemetryCounter;
  readonly ended: TelemetryCounter;
  readonly migrations: TelemetryCounter;
}

/** The telemetry option, validated, with its instruments made. */
export interface ResolvedTelemetry {
  /** Undefined without a meter. */
  readonly instruments: SessionInstruments | undefined;
  readonly tracer: TelemetryTracer | undefined;
  readonly recordSessionIds: boolean;
  /** The meter, for the store's own instruments (see `SessionStore.instrument`). */
  readonly meter: TelemetryMeter | undefined;
}

const KNOWN_TELEMETRY_OPTIONS = knownKeys<TelemetryOptions>({ meter: true, tracer: true, recordSessionIds: true });

/**
 * Validates the `telemetry` option and makes its instruments. Undefined
 * when there is nothing to record into.
 *
 * @throws SessionConfigError for an unknown key, or a meter or tracer without the methods Tessera calls.
 */
export function resolveTelemetry(value: TelemetryOptions | undefined): ResolvedTelemetry | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== "object") throw new SessionConfigError("telemetry must be an object: { meter, tracer }");
  for (const key of Object.keys(value)) {
    if (!KNOWN_TELEMETRY_OPTIONS.has(key)) throw new SessionConfigError(`Unknown option telemetry.${key}; expected meter, tracer or recordSessionIds.`);
  }
  const { meter, tracer } = value;
  if (meter !== undefined && (typeof meter.createCounter !== "function" || typeof meter.createHistogram !== "function")) {
    throw new SessionConfigError('telemetry.meter must be an OpenTelemetry Meter, e.g. metrics.getMeter("tessera-session") from "@opentelemetry/api".');
  }
  if (tracer !== undefined && typeof tracer.startSpan !== "function") {
    throw new SessionConfigError('telemetry.tracer must be an OpenTelemetry Tracer, e.g. trace.getTracer("tessera-session") from "@opentelemetry/api".');
  }
  if (value.recordSessionIds !== undefined && typeof value.recordSessionIds !== "boolean") {
    throw new SessionConfigError("telemetry.recordSessionIds must be true or false.");
  }
  if (meter === undefined && tracer === undefined) return undefined;
  return { instruments: meter && sessionInstruments(meter), tracer, recordSessionIds: value.recordSessionIds === true, meter };
}

function sessionInstruments(meter: TelemetryMeter): SessionInstruments {
  const counter = (name: string, description: string): TelemetryCounter => meter.createCounter(name, { description });
  return {
    loads: counter(METRIC.loads, "Session loads that reached the store, by outcome"),
    commits: counter(METRIC.commits, "Session writes, by kind and outcome"),
    storeDuration: meter.createHistogram(METRIC.storeDuration, {
      description: "Latency of each session store call",
      unit: "s",
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    errors: counter(METRIC.errors, "Session failures, by error code and operation"),
    created: counter(METRIC.created, "Sessions created"),
    regenerated: counter(METRIC.regenerated, "Session tokens rotated (regenerate, bindUser)"),
    ended: counter(METRIC.ended, "Sessions ended by this process, by reason"),
    migrations: counter(METRIC.migrations, "Sessions migrated from another library"),
  };
}

/**
 * The histogram of a Redis store's coalesced batch sizes, made on the
 * manager's meter.
 */
export function batchSizeHistogram(meter: TelemetryMeter): TelemetryHistogram {
  return meter.createHistogram(METRIC.batchSize, {
    description: "Calls sent per event-loop turn by a coalescing Redis store",
    advice: { explicitBucketBoundaries: BATCH_BUCKETS },
  });
}

/** Attribute objects for one key, each value's made once and reused (see {@link pairAttributes}). */
export function singleAttributes(key: string): (value: string) => TelemetryAttributes {
  const made = new Map<string, TelemetryAttributes>();
  return (value) => {
    let attributes = made.get(value);
    if (attributes === undefined) made.set(value, (attributes = Object.freeze({ [key]: value })));
    return attributes;
  };
}

/**
 * Attribute objects for two keys, each pair of values made once and
 * reused: a store call records without allocating them. The values come
 * from small fixed sets (operations, outcomes, error codes), so the cache
 * stays small.
 *
 * @example
 * ```ts
 * const timing = pairAttributes("tessera.operation", "tessera.outcome");
 * histogram.record(0.001, timing("load", "found"));
 * ```
 */
export function pairAttributes(firstKey: string, secondKey: string): (first: string, second: string) => TelemetryAttributes {
  const made = new Map<string, Map<string, TelemetryAttributes>>();
  return (first, second) => {
    let row = made.get(first);
    if (row === undefined) made.set(first, (row = new Map()));
    let attributes = row.get(second);
    if (attributes === undefined) row.set(second, (attributes = Object.freeze({ [firstKey]: first, [secondKey]: second })));
    return attributes;
  };
}

/** An error's stable code for the `error.code` attribute (`"unknown"` for one that is not Tessera's). */
export function errorCode(error: unknown): string {
  return error instanceof TesseraError ? error.code : "unknown";
}
