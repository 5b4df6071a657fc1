// The session manager every Tessera app uses: ioredis, signed cookies,
// Tessera's defaults (30 min idle timeout, like the anchors' maxAge).
import Redis from "ioredis";
import { createSessionManager } from "tessera";
import { redisStore } from "tessera/redis";
import { IDLE_TIMEOUT_MS, PREFIX, REDIS_URL, SECRET } from "./env.js";

export function tesseraSessions() {
  const client = new Redis(REDIS_URL);
  return createSessionManager({
    store: redisStore({ client, prefix: PREFIX }),
    secrets: [SECRET],
    idleTimeoutSeconds: IDLE_TIMEOUT_MS / 1000,
  });
}
