import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createSessionManager, DEFAULT_LIST_LIMIT, TOMBSTONE_FIELD, type SessionManager } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { assertOneLineError, BIN, runCli, type CliResult } from "./support/cli.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { sessionClient, type SessionClient } from "./support/session-client.js";

// The operator CLI end to end: the built bin as a child process against a
// real redis-server, sessions made by the real library.

const PREFIX = "cli:";

let server: RedisServer;
let redis: Redis;
let manager: SessionManager<{ name: string }>;
let cli: (...args: string[]) => Promise<CliResult>;

before(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
  manager = createSessionManager({ store: redisStore({ client: redis, prefix: PREFIX }) });
  // REDIS_URL from the environment, the way an operator's shell has it.
  // Global options first: anything after a "--" in args is positional.
  cli = (...args) => runCli(["--prefix", PREFIX, ...args], { env: { REDIS_URL: server.url } });
});
after(async () => {
  await redis.quit();
  await server.close();
});

async function login(client: SessionClient, userId: string, label: string): Promise<string> {
  const session = await client.request(manager, async (s) => {
    await s.regenerate();
    await s.bindUser(userId, { label, ip: "192.0.2.7", userAgent: "Mozilla/5.0 \u001b[2J" });
    s.data.name = userId;
  });
  return session.id!;
}

describe("tessera CLI", () => {
  it("secret prints a fresh 384-bit base64url secret, needing no Redis", async () => {
    const [a, b] = await Promise.all([runCli(["secret"]), runCli(["secret", "--json"])]);
    assert.equal(a.code, 0);
    assert.match(a.stdout, /^[A-Za-z0-9_-]{64}\n$/);
    const { secret } = JSON.parse(b.stdout) as { secret: string };
    assert.match(secret, /^[A-Za-z0-9_-]{64}$/);
    assert.notEqual(secret, a.stdout.trim());
  });

  it("sessions --user lists public ids and device facts, as a table and as JSON, never tokens", async () => {
    const [laptop, phone] = [sessionClient(), sessionClient()];
    const ids = [await login(laptop, "ada", "Firefox on macOS"), await login(phone, "ada", "Safari on iPhone")];
    const table = await cli("sessions", "--user", "ada");
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^ID\s+DEVICE\s+IP\s+SIGNED IN\s+LAST SEEN\s+EXPIRES/);
    for (const id of ids) assert.ok(table.stdout.includes(id));
    assert.ok(table.stdout.includes("Firefox on macOS") && table.stdout.includes("192.0.2.7"));
    for (const client of [laptop, phone]) assert.ok(!table.stdout.includes(client.cookie!.slice(0, 43)), "no token printed");

    const json = await cli("sessions", "--user", "ada", "--json");
    assert.equal(json.code, 0);
    const parsed = JSON.parse(json.stdout) as { userId: string; sessions: Array<{ id: string; userAgent: string; expiresAt: number }> };
    assert.equal(parsed.userId, "ada");
    assert.deepEqual(parsed.sessions.map((s) => s.id).sort(), [...ids].sort());
    assert.equal(parsed.sessions[0]!.userAgent, "Mozilla/5.0 [2J", "no terminal escapes stored");
    assert.ok(parsed.sessions.every((s) => s.expiresAt > Date.now()));
  });

  it("says clearly when nothing is found, and suggests the prefix in use", async () => {
    const unknown = await cli("sessions", "--user", "nobody");
    assert.equal(unknown.code, 3);
    assertOneLineError(unknown, /no live sessions for user "nobody" under prefix "cli:"/);

    await login(sessionClient(), "ada", "laptop");
    const wrongPrefix = await runCli(["sessions", "--user", "ada", "--prefix", "other:"], { env: { REDIS_URL: server.url } });
    assert.equal(wrongPrefix.code, 3);
    assertOneLineError(wrongPrefix, /no keys use prefix "other:", but sessions were found under "cli:": is --prefix right\?/);
  });

  it("revoke --user refuses without --yes, previews with --dry-run, keeps --except, and the revoked are logged out", async () => {
    const browsers = [sessionClient(), sessionClient(), sessionClient()];
    const ids: string[] = [];
    for (const [i, browser] of browsers.entries()) ids.push(await login(browser, "grace", `device ${i}`));

    const refused = await cli("revoke", "--user", "grace");
    assert.equal(refused.code, 5);
    assertOneLineError(refused, /revoking 3 sessions of user "grace" needs --yes/);
    assert.equal((await manager.listUserSessions("grace")).length, 3, "nothing revoked");

    const preview = await cli("revoke", "--user", "grace", "--except", ids[0]!, "--dry-run");
    assert.equal(preview.code, 0);
    assert.match(preview.stdout, /would revoke 2 sessions of user "grace"/);
    assert.ok(preview.stdout.includes(ids[1]!) && !preview.stdout.includes(ids[0]!));

    const typo = await cli("revoke", "--user", "grace", "--except", "AAAAAAAAAAAAAAAA", "--yes");
    assert.equal(typo.code, 3, "an --except that matches nothing revokes nothing");
    assert.equal((await manager.listUserSessions("grace")).length, 3);

    const done = await cli("revoke", "--user", "grace", "--except", ids[0]!, "--yes", "--json");
    assert.equal(done.code, 0, done.stderr);
    assert.deepEqual((JSON.parse(done.stdout) as { revoked: string[] }).revoked.sort(), [ids[1], ids[2]].sort());
    assert.equal((await browsers[0]!.request(manager)).userId, "grace");
    assert.equal((await browsers[1]!.request(manager)).userId, undefined, "revoked: anonymous on the next request");

    const again = await cli("revoke", "--user", "grace", "--except", ids[0]!, "--yes");
    assert.equal(again.code, 3);
  });

  it("revoke <public-id> needs --yes, refuses tokens without echoing them, and reports unknown ids", async () => {
    const browser = sessionClient();
    const id = await login(browser, "hopper", "laptop");
    const token = browser.cookie!;
    // Ids and tokens are base64url and may start with "-": positionals go after "--".
    const tokenGiven = await cli("revoke", "--yes", "--", token);
    assert.equal(tokenGiven.code, 2);
    assertOneLineError(tokenGiven, /looks like a session token/);
    assert.ok(!tokenGiven.stderr.includes(token.slice(0, 43)), "the token is not echoed");

    assert.equal((await cli("revoke", "not-an-id")).code, 2);
    assert.equal((await cli("revoke", "--user", "hopper", "--", id)).code, 2);
    const unknown = await cli("revoke", "BBBBBBBBBBBBBBBB", "--yes");
    assert.equal(unknown.code, 3);
    assertOneLineError(unknown, /no session BBBBBBBBBBBBBBBB under prefix "cli:"/);

    const refused = await cli("revoke", "--", id);
    assert.equal(refused.code, 5);
    const preview = await cli("revoke", "--dry-run", "--", id);
    assert.equal(preview.code, 0);
    assert.match(preview.stdout, new RegExp(`would revoke session ${id} of user "hopper"`));
    const done = await cli("revoke", "--yes", "--", id);
    assert.equal(done.code, 0, done.stderr);
    assert.equal(await redis.exists(`${PREFIX}s:${id}`), 0);
    assert.deepEqual(await manager.listUserSessions("hopper"), [], "its index entry went too");
  });

  it("stats counts sessions, bound users and indexes; no progress bar when stderr is not a TTY", async () => {
    const result = await runCli(["stats", "--json", "--prefix", "stats-small:"], { env: { REDIS_URL: server.url } });
    assert.equal(result.code, 3, "no sessions under an unused prefix");
    assertOneLineError(result, /no sessions under prefix "stats-small:"/);

    const small = createSessionManager<{ x: number }>({ store: redisStore({ client: redis, prefix: "stats-small:" }) });
    for (let i = 0; i < 5; i++) await sessionClient().request(small, (s) => void (s.data.x = i));
    for (const user of ["u1", "u1", "u2"]) await sessionClient().request(small, (s) => s.bindUser(user));
    const stats = await runCli(["stats", "--json", "--prefix", "stats-small:"], { env: { REDIS_URL: server.url } });
    assert.equal(stats.code, 0, stats.stderr);
    assert.equal(stats.stderr, "", "nothing on stderr: no progress bar without a TTY");
    const report = JSON.parse(stats.stdout) as { sessions: { count: number; bound: number; users: number }; indexes: { count: number; entries: number } };
    assert.deepEqual(report.sessions, { ...report.sessions, count: 8, bound: 3, users: 2 });
    assert.deepEqual(report.indexes, { ...report.indexes, count: 2, entries: 3 });

    const text = await runCli(["stats", "--prefix", "stats-small:"], { env: { REDIS_URL: server.url } });
    assert.match(text.stdout, /Sessions under "stats-small:": 8/);
    assert.match(text.stdout, /Biggest sessions/);
  });

  it("stats does not count a revoke's tombstones as sessions", async () => {
    const prefix = "stats-tomb:";
    const small = createSessionManager<{ x: number }>({ store: redisStore({ client: redis, prefix }) });
    await sessionClient().request(small, (s) => void (s.data.x = 1));
    // What "log out everywhere" leaves under an indexed id whose record did not exist yet.
    await redis.multi().hset(`${prefix}s:AAAAAAAAAAAAAAAA`, TOMBSTONE_FIELD, "1").pexpire(`${prefix}s:AAAAAAAAAAAAAAAA`, 60_000).exec();
    const stats = await runCli(["stats", "--json", "--prefix", prefix], { env: { REDIS_URL: server.url } });
    assert.equal(stats.code, 0, stats.stderr);
    const report = JSON.parse(stats.stdout) as { sessions: { count: number }; otherKeys: number };
    assert.equal(report.sessions.count, 1);
    assert.equal(report.otherKeys, 1);
  });

  it("sessions and revoke --user see every session of a user, past the listing's first page", async () => {
    const prefix = "cli-many:";
    const uncapped = createSessionManager<{ x: number }>({ store: redisStore({ client: redis, prefix }), maxSessionsPerUser: false });
    const count = DEFAULT_LIST_LIMIT + 30;
    for (let i = 0; i < count; i++) await sessionClient().request(uncapped, (s) => s.bindUser("many"));
    const env = { env: { REDIS_URL: server.url } };
    const listed = await runCli(["--prefix", prefix, "sessions", "--user", "many", "--json"], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal((JSON.parse(listed.stdout) as { sessions: unknown[] }).sessions.length, count);
    const preview = await runCli(["--prefix", prefix, "revoke", "--user", "many", "--dry-run", "--json"], env);
    assert.equal(preview.code, 0, preview.stderr);
    assert.equal((JSON.parse(preview.stdout) as { wouldRevoke: unknown[] }).wouldRevoke.length, count);
  });

  it("shows a progress bar on a TTY", async () => {
    // `script` gives the child a pseudo-terminal, as an operator's shell would.
    const command = [process.execPath, BIN, "stats", "--prefix", "stats-small:"].map((a) => `'${a}'`).join(" ");
    const tty = await runCli([], { env: { REDIS_URL: server.url, TERM: "xterm" }, command: "script", argv0: ["-qec", command, "/dev/null"] });
    assert.equal(tty.code, 0, tty.stdout);
    assert.match(tty.stdout, /scanning \[/);
  });

  it("doctor passes a healthy dev Redis with warnings, and fails one that evicts live sessions", async () => {
    const ok = await cli("doctor", "--json");
    assert.equal(ok.code, 0, ok.stderr);
    const report = JSON.parse(ok.stdout) as { ok: boolean; checks: Array<{ name: string; status: string; detail: string }> };
    assert.equal(report.ok, true);
    const byName = new Map(report.checks.map((c) => [c.name, c]));
    assert.equal(byName.get("version")?.status, "ok");
    assert.match(byName.get("version")!.detail, /^(Redis|Valkey) \d/);
    assert.equal(byName.get("persistence")?.status, "warn", "the test server has no persistence");
    assert.equal(byName.get("latency")?.status, "ok");
    assert.equal(byName.get("keyspace")?.status, "ok");

    const lossy = await startRedisServer(["--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"]);
    try {
      const bad = await runCli(["doctor"], { env: { REDIS_URL: lossy.url } });
      assert.equal(bad.code, 1);
      assert.match(bad.stdout, /eviction\s+FAIL\s+maxmemory-policy allkeys-lru/);
      assertOneLineError(bad, /1 check failed: eviction/);
    } finally {
      await lossy.close();
    }
  });

  it("reports an unreachable Redis in one line with exit code 4", async () => {
    const down = await startRedisServer();
    const url = down.url;
    await down.close();
    const result = await runCli(["stats", "--redis-url", url]);
    assert.equal(result.code, 4);
    assertOneLineError(result, new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${down.port}.*ECONNREFUSED`));
    assert.equal((await runCli(["stats", "--redis-url", "http://127.0.0.1:1"])).code, 2);
    assert.equal((await runCli(["frobnicate"])).code, 2);
  });
});

describe("tessera-session stats on 100,000 sessions", () => {
  it("finishes and reports exact counts", async (t) => {
    const prefix = "big:";
    const now = Date.now();
    const buckets = [
      { ttlMs: 40_000, count: 20_000 }, // < 1m
      { ttlMs: 3 * 60_000, count: 30_000 }, // 1m – 5m
      { ttlMs: 20 * 60_000, count: 40_000 }, // 5m – 30m
      { ttlMs: 5 * 3600_000, count: 10_000 }, // 2h – 24h
    ];
    const insertStarted = Date.now();
    // Pipelines of 5,000 sessions (10,000 commands), all sent at once.
    const pipelines: Array<Promise<unknown>> = [];
    let n = 0;
    for (const bucket of buckets) {
      for (let done = 0; done < bucket.count; ) {
        const pipeline = redis.pipeline();
        const chunk = Math.min(5000, bucket.count - done);
        for (let i = 0; i < chunk; i++, n++) {
          const key = `${prefix}s:${String(n).padStart(16, "0")}`;
          const fields: string[] = ["@c", String(now), "cart", JSON.stringify(["sku-1", "sku-2"])];
          if (n % 100 === 0) fields.push("@u", `user-${n % 1000}`);
          pipeline.hset(key, ...fields).pexpire(key, bucket.ttlMs);
        }
        pipelines.push(pipeline.exec());
        done += chunk;
      }
    }
    await Promise.all(pipelines);
    const insertMs = Date.now() - insertStarted;
    const result = await runCli(["stats", "--json", "--prefix", prefix], { env: { REDIS_URL: server.url } });
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      sessions: { count: number; bound: number; users: number; noExpiry: number };
      ttl: Array<{ bucket: string; count: number }>;
      biggest: unknown[];
      scanMs: number;
    };
    t.diagnostic(`inserted 100,000 sessions in ${insertMs} ms; \`tessera-session stats\` took ${result.ms} ms wall (scan ${report.scanMs} ms)`);
    assert.equal(report.sessions.count, 100_000);
    assert.equal(report.sessions.bound, 1000);
    assert.equal(report.sessions.users, 10);
    assert.equal(report.sessions.noExpiry, 0);
    assert.deepEqual(
      report.ttl.map((b) => b.count),
      [20_000, 30_000, 40_000, 0, 10_000, 0],
    );
    assert.equal(report.biggest.length, 10);
  });
});
