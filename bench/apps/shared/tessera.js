// The session manager every Tessera app uses: signed cookies, Tessera's
// defaults (30 min idle timeout, like the anchors' maxAge), on the client of
// shared/redis-client.js (the floor apps use the same one).
import process from "node:process";
import { createSessionManager } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { IDLE_TIMEOUT_MS, PREFIX, SECRET } from "./env.js";
import { connectClient } from "./redis-client.js";

export async function tesseraSessions() {
  const client = await connectClient();
  return createSessionManager({
    // BENCH_TESSERA_COALESCE=false measures the store without coalescing
    // (redisStore's `coalesce` option; the default is on).
    store: redisStore({ client, prefix: PREFIX, coalesce: process.env.BENCH_TESSERA_COALESCE !== "false" }),
    secrets: [SECRET],
    idleTimeoutSeconds: IDLE_TIMEOUT_MS / 1000,
  });
}
