/**
 * The CLI's `sessions` command shows a session's own expiry
 * (`session.setExpiry`, "keep me signed in") and its last authentication,
 * end to end: the built bin against a real redis-server.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createSessionManager, type SessionManager } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { runCli } from "./support/cli.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { sessionClient } from "./support/session-client.js";

const PREFIX = "cli-lifetime:";
const DAY = 24 * 3600;

let server: RedisServer;
let redis: Redis;
let manager: SessionManager<{ name: string }>;

before(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
  manager = createSessionManager({ store: redisStore({ client: redis, prefix: PREFIX }), maxIdleTimeoutSeconds: 30 * DAY, maxAbsoluteTimeoutSeconds: 90 * DAY });
});
after(async () => {
  await redis.quit();
  await server.close();
});

describe("tessera sessions: lifetimes", () => {
  it("shows a remember-me session's own expiry, and default for the others", async () => {
    const remembered = sessionClient();
    const plain = sessionClient();
    const rememberedSession = await remembered.request(manager, async (s) => {
      await s.bindUser("grace", { label: "remembered laptop" });
      s.setExpiry({ idleTimeoutSeconds: 30 * DAY, absoluteTimeoutSeconds: 90 * DAY, persistent: true });
      s.data.name = "grace";
    });
    await plain.request(manager, async (s) => {
      await s.bindUser("grace", { label: "borrowed phone" });
      s.data.name = "grace";
    });
    const env = { env: { REDIS_URL: server.url } };
    const table = await runCli(["--prefix", PREFIX, "sessions", "--user", "grace"], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^ID\s+DEVICE\s+IP\s+SIGNED IN\s+LAST SEEN\s+EXPIRES\s+LIFETIME/);
    const line = (label: string) => table.stdout.split("\n").find((row) => row.includes(label)) ?? "";
    assert.match(line("remembered laptop"), /idle 30d, max 90d, persistent/);
    assert.match(line("borrowed phone"), /default/);

    const json = await runCli(["--prefix", PREFIX, "sessions", "--user", "grace", "--json"], env);
    const sessions = (JSON.parse(json.stdout) as { sessions: Array<{ id: string; ownExpiry?: unknown; authenticatedAt?: number }> }).sessions;
    const own = sessions.find((s) => s.id === rememberedSession.id)!;
    assert.deepEqual(own.ownExpiry, { idleTimeoutSeconds: 30 * DAY, absoluteTimeoutSeconds: 90 * DAY, persistent: true });
    assert.ok(own.authenticatedAt! > 0, "bindUser recorded the authentication");
    assert.equal(sessions.find((s) => s.id !== rememberedSession.id)!.ownExpiry, undefined);
  });
});
