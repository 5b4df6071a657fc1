import { Redis } from "ioredis";
import type { RunningApp } from "../app-process.js";
import { sessionApps, type BenchContext } from "../context.js";
import { login } from "../http.js";
import { fireRequests, runLoad } from "../load.js";
import type { Scenario } from "./throughput.js";
import { SCENARIO_PATHS } from "./throughput.js";

export type ScaleCondition = "small" | "large";

export interface ScaleSample {
  readonly round: number;
  readonly condition: ScaleCondition;
  readonly scenario: Scenario;
  readonly appId: string;
  readonly requestsPerSecond: number;
}

export interface ScaleResult {
  readonly small: number;
  readonly large: number;
  readonly fillSeconds: number;
  readonly samples: ScaleSample[];
}

/** A stored session of one app, as DUMP gives it: the template for filler sessions. */
interface Template {
  readonly key: string;
  readonly payload: Buffer;
}

const FILL_BATCH = 10_000;

/**
 * Scale: per-request cost with few against many stored sessions. Database 0
 * holds `small` sessions, database 1 holds `large`; each app's own logged-in
 * session is in both, and SWAPDB (instant) switches which one the apps see,
 * so each app is measured in both conditions back to back (alternating which
 * goes first), seconds apart instead of minutes. Filler sessions are real records: each session app's own
 * stored login (DUMP), RESTOREd under fresh keys of the same shape with the
 * same TTL, in equal shares, pipelined in batches.
 */
export async function scalePhase(ctx: BenchContext): Promise<ScaleResult> {
  const { plan, probe } = ctx;
  const apps = sessionApps(ctx, "scale");
  await probe.flush();
  const templates: Template[] = [];
  for (const app of apps) templates.push(await templateOf(ctx, app));
  await probe.flush();

  const started = Date.now();
  const db1 = new Redis(ctx.redisUrl, { db: 1 });
  try {
    await fill(probe.client, templates, plan.scaleSmall, 0);
    await fill(db1, templates, plan.scaleLarge, 1);
  } finally {
    db1.disconnect();
  }
  const fillSeconds = (Date.now() - started) / 1000;
  ctx.log(`scale: stored ${plan.scaleSmall} + ${plan.scaleLarge} filler sessions in ${fillSeconds.toFixed(1)} s`);

  // Each app's own session must exist in both databases: log in with the
  // small one selected, then COPY the new key into database 1.
  const cookies = new Map<string, string>();
  for (const app of apps) {
    const before = new Set(await allKeys(probe.client));
    cookies.set(app.spec.id, await login(app));
    const added = (await allKeys(probe.client)).filter((key) => !before.has(key));
    if (added.length !== 1) throw new Error(`${app.spec.id}: a login added ${added.length} keys, expected 1`);
    await probe.client.call("COPY", added[0]!, added[0]!, "DB", "1", "REPLACE");
  }

  let largeSelected = false;
  const select = async (condition: ScaleCondition): Promise<void> => {
    if ((condition === "large") === largeSelected) return;
    await probe.client.swapdb(0, 1);
    largeSelected = !largeSelected;
  };

  const samples: ScaleSample[] = [];
  try {
    for (const app of apps) {
      for (const scenario of plan.scaleScenarios) {
        const url = `${app.baseUrl}${SCENARIO_PATHS[scenario]}`;
        // Short: after the throughput phase the apps are warm already.
        await fireRequests({ url, cookie: cookies.get(app.spec.id), total: 500, concurrency: plan.connections });
      }
    }
    ctx.log(`scale: ${(await probe.keyCount()).toLocaleString("en")} keys in the small keyspace; measuring`);
    for (let round = 1; round <= plan.scaleRounds; round++) {
      // Each pair is measured back to back, alternating which goes first.
      const order: ScaleCondition[] = round % 2 === 1 ? ["small", "large"] : ["large", "small"];
      for (const app of apps) {
        for (const scenario of plan.scaleScenarios) {
          for (const condition of order) {
            await select(condition);
            const url = `${app.baseUrl}${SCENARIO_PATHS[scenario]}`;
            const result = await runLoad({ url, cookie: cookies.get(app.spec.id), connections: plan.connections, seconds: plan.scaleMeasureSeconds });
            if (result.failures > 0) throw new Error(`${app.spec.id} ${scenario} (${condition}): ${result.failures} failed requests`);
            samples.push({ round, condition, scenario, appId: app.spec.id, requestsPerSecond: result.requestsPerSecond });
            ctx.log(`scale r${round} ${condition.padEnd(5)} ${scenario.padEnd(5)} ${app.spec.id.padEnd(18)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s`);
          }
        }
      }
    }
  } finally {
    await probe.flush();
  }
  return { small: plan.scaleSmall, large: plan.scaleLarge, fillSeconds, samples };
}

/** Logs in to `app` on an empty keyspace and DUMPs the one key that appears. */
async function templateOf(ctx: BenchContext, app: RunningApp): Promise<Template> {
  await ctx.probe.flush();
  await login(app);
  const keys = await allKeys(ctx.probe.client);
  if (keys.length !== 1) throw new Error(`${app.spec.id}: a login stored ${keys.length} keys, expected 1`);
  const payload = await ctx.probe.client.dumpBuffer(keys[0]!);
  if (!payload) throw new Error(`${app.spec.id}: DUMP returned nothing`);
  return { key: keys[0]!, payload };
}

/** Every key (the keyspaces this is used on are small). */
async function allKeys(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "COUNT", 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  return keys;
}

/**
 * RESTOREs `count` sessions copied from the templates, in turn, under keys of
 * each template's shape: the same prefix, the id's last characters replaced
 * by a counter (fixed width, so key lengths match), the idle timeout as TTL.
 */
async function fill(redis: Redis, templates: readonly Template[], count: number, db: number): Promise<void> {
  const ttlMs = 30 * 60 * 1000;
  for (let first = 0; first < count; first += FILL_BATCH) {
    const pipeline = redis.pipeline();
    for (let i = first; i < Math.min(count, first + FILL_BATCH); i++) {
      const template = templates[i % templates.length]!;
      const suffix = `f${db}${i.toString(36).padStart(8, "0")}`;
      pipeline.restore(template.key.slice(0, -suffix.length) + suffix, ttlMs, template.payload, "REPLACE");
    }
    const replies = await pipeline.exec();
    const failed = replies?.find(([error]: [Error | null, unknown]) => error);
    if (failed) throw failed[0]!;
  }
}
