import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createSessionManager, type SessionManager } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { runCli, type CliResult } from "./support/cli.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { sessionClient } from "./support/session-client.js";

// Issue 11, finding 10: what the CLI prints is data other people wrote
// (user ids, labels, user agents, key names). None of it may reach the
// operator's terminal as a control sequence: not ESC, CSI, OSC, C1 or a
// bidi override. The real bin, as a child process, against a real Redis.

const PREFIX = "esc:";
/** ESC-CSI (clear screen), OSC (retitle the window, BEL-terminated), 8-bit CSI, DEL, RLO and an isolate. */
const EVIL = "\u001b[2J\u001b]0;owned\u0007\u009b31m\u007f\u202etxt.exe\u2066";
const EVIL_USER = `eve${EVIL}`;
/** Stored by the library; bindUser strips C0/C1 from labels but bidi controls pass. */
const EVIL_LABEL = `Firefox \u202eSOcam no\u202c ${EVIL}`;
/** A key under the prefix that Tessera did not write: its name is data too. */
const EVIL_KEY_ID = `AAAA${EVIL}`;

/** Any character a terminal may obey: C0 except newline, DEL, C1, bidi controls, U+2028/9. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

function assertNoRawControls(result: CliResult, what: string): void {
  assert.doesNotMatch(result.stdout, RAW_CONTROL, `${what}: stdout carries a raw control character: ${JSON.stringify(result.stdout)}`);
  assert.doesNotMatch(result.stderr, RAW_CONTROL, `${what}: stderr carries a raw control character: ${JSON.stringify(result.stderr)}`);
}

let server: RedisServer;
let redis: Redis;
let manager: SessionManager<{ n: number }>;
let publicId: string;
const cli = (...args: string[]) => runCli(["--prefix", PREFIX, ...args], { env: { REDIS_URL: server.url } });

before(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
  manager = createSessionManager({ store: redisStore({ client: redis, prefix: PREFIX }) });
  const session = await sessionClient().request(manager, async (s) => {
    await s.regenerate();
    await s.bindUser(EVIL_USER, { label: EVIL_LABEL, ip: `192.0.2.1${EVIL}`, userAgent: `Mozilla/5.0 ${EVIL}` });
    s.data.n = 1;
  });
  publicId = session.id!;
  await redis.hset(`${PREFIX}s:${EVIL_KEY_ID}`, "@c", String(Date.now()), "@u", EVIL_USER, "pad", "x".repeat(2000));
  await redis.pexpire(`${PREFIX}s:${EVIL_KEY_ID}`, 600_000);
});
after(async () => {
  await redis.quit();
  await server.close();
});

describe("the CLI escapes everything it prints", () => {
  it("sessions: the table shows control characters escaped, and --json carries none raw yet parses to the stored values", async () => {
    const table = await cli("sessions", "--user", EVIL_USER);
    assert.equal(table.code, 0, table.stderr);
    assertNoRawControls(table, "sessions");
    assert.ok(table.stdout.includes(publicId));
    assert.ok(table.stdout.includes("\\u202e"), `bidi override shown escaped: ${table.stdout}`);

    const json = await cli("sessions", "--user", EVIL_USER, "--json");
    assert.equal(json.code, 0, json.stderr);
    assertNoRawControls(json, "sessions --json");
    const parsed = JSON.parse(json.stdout) as { userId: string; sessions: Array<{ label: string }> };
    assert.equal(parsed.userId, EVIL_USER, "nothing lost: the JSON value is the stored user id");
    assert.ok(parsed.sessions[0]!.label.includes("\u202e"), "nothing lost: the label's bidi override is in the value, escaped in the text");
  });

  it("sessions: an error quoting the user id is one escaped line", async () => {
    const missing = await cli("sessions", "--user", `${EVIL_USER}-nobody`);
    assert.equal(missing.code, 3);
    assertNoRawControls(missing, "sessions (not found)");
    assert.equal(missing.stderr.trimEnd().split("\n").length, 1);
  });

  it("stats: user ids and key names in the biggest-sessions table are escaped, in text and JSON", async () => {
    const text = await cli("stats");
    assert.equal(text.code, 0, text.stderr);
    assertNoRawControls(text, "stats");
    assert.ok(text.stdout.includes("\\x1b"), `ESC shown as \\x1b: ${text.stdout}`);
    assert.ok(text.stdout.includes("\\x9b"), `8-bit CSI shown as \\x9b: ${text.stdout}`);

    const json = await cli("stats", "--json");
    assert.equal(json.code, 0, json.stderr);
    assertNoRawControls(json, "stats --json");
    const report = JSON.parse(json.stdout) as { biggest: Array<{ id: string; userId: string | null }> };
    assert.deepEqual(new Set(report.biggest.map((b) => b.id)), new Set([publicId, EVIL_KEY_ID]));
    assert.ok(report.biggest.every((b) => b.userId === EVIL_USER));
  });

  it("revoke --dry-run, by id and by user, and the refusal without --yes: escaped", async () => {
    const byId = await cli("revoke", "--dry-run", "--", publicId);
    assert.equal(byId.code, 0, byId.stderr);
    assertNoRawControls(byId, "revoke <id> --dry-run");
    assert.match(byId.stdout, new RegExp(`would revoke session ${publicId} of user "eve`));

    const byUser = await cli("revoke", "--user", EVIL_USER, "--dry-run");
    assert.equal(byUser.code, 0, byUser.stderr);
    assertNoRawControls(byUser, "revoke --user --dry-run");

    const json = await cli("revoke", "--user", EVIL_USER, "--dry-run", "--json");
    assert.equal(json.code, 0, json.stderr);
    assertNoRawControls(json, "revoke --user --dry-run --json");
    assert.equal((JSON.parse(json.stdout) as { userId: string }).userId, EVIL_USER);

    const refused = await cli("revoke", "--user", EVIL_USER);
    assert.equal(refused.code, 5);
    assertNoRawControls(refused, "revoke --user (needs --yes)");
    assert.equal(refused.stderr.trimEnd().split("\n").length, 1);
    assert.equal((await manager.listUserSessions(EVIL_USER)).length, 1, "nothing revoked");
  });
});
