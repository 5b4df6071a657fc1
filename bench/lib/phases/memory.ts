import { sessionApps, sleep, type BenchContext } from "../context.js";
import { login } from "../http.js";
import { fireRequests } from "../load.js";

/** One stored session, shown as the app stores it. */
export interface StoredRecord {
  readonly key: string;
  readonly type: string;
  /** The value: JSON text for a string, field → value for a hash. */
  readonly value: string | Record<string, string>;
  readonly ttlMs: number;
  /** `MEMORY USAGE` of the key, in bytes. */
  readonly memoryUsageBytes: number;
}

export interface MemoryResult {
  readonly appId: string;
  readonly sessions: number;
  /** used_memory delta (client buffers excluded) per session. */
  readonly bytesPerSession: number;
  /** Redis keys per session (1 for every library here). */
  readonly keysPerSession: number;
  readonly sample: StoredRecord | undefined;
}

/**
 * Bytes per session: N logins into an empty Redis, one app at a time, and the
 * growth of `used_memory` minus client buffers. Everything else the app left
 * in Redis (loaded scripts) is there before the first reading.
 */
export async function memoryPhase(ctx: BenchContext): Promise<MemoryResult[]> {
  const results: MemoryResult[] = [];
  const sessions = ctx.plan.memorySessions;
  for (const app of sessionApps(ctx, "memory")) {
    await login(app); // loads scripts and warms the login path
    await ctx.probe.flush();
    await sleep(100);
    const bytesBefore = await ctx.probe.datasetBytes();
    const keysBefore = await ctx.probe.keyCount();
    const run = await fireRequests({ url: `${app.baseUrl}/login`, method: "POST", concurrency: 10, total: sessions });
    if (run.failed > 0) throw new Error(`${app.spec.id}: ${run.failed} failed logins in the memory phase`);
    await sleep(200);
    const bytesAfter = await ctx.probe.datasetBytes();
    const keysAfter = await ctx.probe.keyCount();
    const result: MemoryResult = {
      appId: app.spec.id,
      sessions,
      bytesPerSession: (bytesAfter - bytesBefore) / sessions,
      keysPerSession: (keysAfter - keysBefore) / sessions,
      sample: await sampleRecord(ctx),
    };
    results.push(result);
    ctx.log(`memory ${app.spec.id.padEnd(18)} ${result.bytesPerSession.toFixed(0)} B/session, ${result.keysPerSession.toFixed(2)} keys/session`);
    await ctx.probe.flush();
  }
  return results;
}

/** Any one key of the (single-app) keyspace, as stored. */
async function sampleRecord(ctx: BenchContext): Promise<StoredRecord | undefined> {
  const redis = ctx.probe.client;
  const key = await redis.randomkey();
  if (key === null) return undefined;
  const type = await redis.type(key);
  const value = type === "hash" ? await redis.hgetall(key) : type === "string" ? ((await redis.get(key)) ?? "") : `(${type})`;
  return {
    key,
    type,
    value,
    ttlMs: await redis.pttl(key),
    memoryUsageBytes: Number(await redis.call("MEMORY", "USAGE", key, "SAMPLES", "0")),
  };
}
