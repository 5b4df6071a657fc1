// The session manager every Tessera app uses: signed cookies, Tessera's
// defaults (30 min idle timeout, like the anchors' maxAge).
//
// The Redis client is ioredis with enableAutoPipelining, which batches the
// commands of one event-loop tick into one write, as node-redis always does
// (connect-redis's client). Without it ioredis writes every command on its
// own, and Redis pays a wake-up per command. BENCH_TESSERA_CLIENT=ioredis
// (no auto-pipelining) or node-redis measures the alternatives.
import process from "node:process";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { createSessionManager } from "tessera";
import { redisStore } from "tessera/redis";
import { IDLE_TIMEOUT_MS, PREFIX, REDIS_URL, SECRET } from "./env.js";

async function connect(kind) {
  if (kind === "node-redis") {
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    return client;
  }
  if (kind === "ioredis") return new Redis(REDIS_URL);
  if (kind === "ioredis-pipelined") return new Redis(REDIS_URL, { enableAutoPipelining: true });
  throw new Error(`BENCH_TESSERA_CLIENT: unknown client "${kind}"`);
}

export async function tesseraSessions() {
  const client = await connect(process.env.BENCH_TESSERA_CLIENT ?? "ioredis-pipelined");
  return createSessionManager({
    // BENCH_TESSERA_COALESCE=false measures the store without coalescing
    // (redisStore's `coalesce` option; the default is on).
    store: redisStore({ client, prefix: PREFIX, coalesce: process.env.BENCH_TESSERA_COALESCE !== "false" }),
    secrets: [SECRET],
    idleTimeoutSeconds: IDLE_TIMEOUT_MS / 1000,
  });
}
