// The Redis client of every Tessera app and every floor app, so a floor
// costs what the same calls cost Tessera's own client: ioredis with
// enableAutoPipelining by default, which batches the commands of one
// event-loop tick into one write, as node-redis always does (connect-redis's
// client). Without it ioredis writes every command on its own, and Redis pays
// a wake-up per command. BENCH_TESSERA_CLIENT=ioredis (no auto-pipelining) or
// node-redis measures the alternatives.
import process from "node:process";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { REDIS_URL } from "./env.js";

/** Which client this run uses: `ioredis-pipelined` (default), `ioredis` or `node-redis`. */
export const CLIENT_KIND = process.env.BENCH_TESSERA_CLIENT ?? "ioredis-pipelined";

/**
 * A connected client of CLIENT_KIND.
 *
 * @example
 * const client = await connectClient(); // ioredis, enableAutoPipelining: true
 */
export async function connectClient() {
  if (CLIENT_KIND === "node-redis") {
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    return client;
  }
  if (CLIENT_KIND === "ioredis") return new Redis(REDIS_URL);
  if (CLIENT_KIND === "ioredis-pipelined") return new Redis(REDIS_URL, { enableAutoPipelining: true });
  throw new Error(`BENCH_TESSERA_CLIENT: unknown client "${CLIENT_KIND}"`);
}
