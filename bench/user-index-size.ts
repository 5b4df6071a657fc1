// One user logging in many times: how big the user's index grows and what
// one listing of their sessions costs, on a private redis-server (started
// on a free loopback port, stopped at the end). Run after `npm run build`:
//
//   npx tsx bench/user-index-size.ts [logins = 20000] [maxSessionsPerUser = default]
//
// Pass "false" as the second argument to measure without a cap.
import { Redis } from "ioredis";
import { createSessionManager, type SessionManagerOptions } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { startRedisServer } from "../test/support/redis-server.js";

async function main(): Promise<void> {
  const logins = Number(process.argv[2] ?? 20_000);
  const capArgument = process.argv[3];
  const server = await startRedisServer();
  const client = new Redis(server.url);
  try {
    const store = redisStore({ client, prefix: "bench-index:" });
    // A generous deadline: the point is to measure the listing, not to fail it.
    const options: SessionManagerOptions = { store, storeTimeoutMs: 60_000 };
    if (capArgument !== undefined) options.maxSessionsPerUser = (capArgument === "false" ? false : Number(capArgument)) as never;
    const manager = createSessionManager(options);
    const started = performance.now();
    for (let i = 0; i < logins; i++) {
      const session = await manager.load({ cookieHeader: undefined, secure: false });
      await session.bindUser("many-logins", { label: `device ${i}` });
      await manager.commit(session);
    }
    const loginMs = performance.now() - started;
    const indexBytes = Number(await client.memory("USAGE", store.userKey("many-logins")));
    const entries = await client.zcard(store.userKey("many-logins"));
    const times: number[] = [];
    let listed = 0;
    for (let run = 0; run < 5; run++) {
      const t0 = performance.now();
      listed = (await manager.listUserSessions("many-logins")).length;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        logins,
        maxSessionsPerUser: manager.options.maxSessionsPerUser ?? "none",
        loginMsEach: Number((loginMs / logins).toFixed(3)),
        indexEntries: entries,
        indexBytes,
        listed,
        listingMsMedian: Number(times[2]!.toFixed(1)),
      }),
    );
  } finally {
    await client.quit();
    await server.close();
  }
}

await main();
