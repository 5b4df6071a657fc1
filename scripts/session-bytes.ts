/**
 * Bytes per logged-in session in Redis, as the README quotes it: 10,000
 * sessions holding `{ username }` under the default prefix, stored through
 * the manager into a private redis-server; the growth of `used_memory`
 * (client buffers excluded) divided by the count; with data in clear, then
 * with `encryptData: true`.
 *
 *   npm run build && npx tsx scripts/session-bytes.ts [count]
 */
import { Redis } from "ioredis";
import { createSessionManager } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { startRedisServer } from "../test/support/redis-server.js";

const count = Number(process.argv[2] ?? 10_000);
const BATCH = 100;
const server = await startRedisServer();
const client = new Redis(server.url);
try {
  // Both variants from the same run and server: data in clear, then sealed.
  for (const encryptData of [false, true]) {
    const sessions = createSessionManager<{ username: string }>({ store: redisStore({ client }), encryptData });
    const login = async (username: string) => {
      const session = await sessions.load({ cookieHeader: undefined, secure: false });
      session.data.username = username;
      await sessions.commit(session);
    };
    const memory = async () => {
      const info = await client.info("memory");
      const field = (name: string) => Number(new RegExp(`${name}:(\\d+)`).exec(info)?.[1] ?? 0);
      return field("used_memory") - field("mem_clients_normal");
    };
    await login("warm-up"); // loads the script into Redis before measuring
    await client.flushall();
    const before = await memory();
    for (let i = 0; i < count; i += BATCH) {
      await Promise.all(Array.from({ length: Math.min(BATCH, count - i) }, (_, j) => login(`user${i + j}`)));
    }
    const bytes = ((await memory()) - before) / count;
    const label = encryptData ? "encryptData: true " : "encryptData: false";
    console.log(`${label} ${await client.dbsize()} sessions: ${bytes.toFixed(1)} bytes/session (used_memory delta, client buffers excluded)`);
    await client.flushall();
  }
} finally {
  client.disconnect();
  await server.close();
}
