import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createSessionManager } from "tessera";
import { redisStore } from "tessera/redis";
import { assertOneLineError, runCli, type CliResult } from "./support/cli.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { sessionClient } from "./support/session-client.js";

// Issue 13 §4: the CLI as an operator meets it: closed pipes, a Redis that
// never answers, a missing password, help, Ctrl-C. The real bin as a child
// process; every child is killed by the test's own timer if it hangs.

const PREFIX = "op:";

let server: RedisServer;
let redis: Redis;

before(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
  const manager = createSessionManager({ store: redisStore({ client: redis, prefix: PREFIX }) });
  await sessionClient().request(manager, async (s) => {
    await s.regenerate();
    await s.bindUser("ada", { label: "laptop" });
  });
});
after(async () => {
  await redis.quit();
  await server.close();
});

/** No Node crash report: no stack frames, no "Unhandled 'error' event", no EPIPE. */
function assertNoCrash(result: CliResult, what: string): void {
  assert.equal(result.signal, null, `${what}: killed by ${result.signal}`);
  assert.doesNotMatch(result.stderr, /EPIPE|Unhandled|^\s+at /m, `${what}: crashed: ${result.stderr}`);
}

describe("a closed pipe (| head) ends the output quietly", () => {
  const env = () => ({ REDIS_URL: server.url });

  it("stdout closed: no EPIPE stack trace, the command's own exit code", async () => {
    const runs: Array<[string[], number]> = [
      [["stats", "--json", "--prefix", PREFIX], 0],
      [["stats", "--prefix", PREFIX], 0],
      [["sessions", "--user", "ada", "--prefix", PREFIX], 0],
      [["secret"], 0],
      [["--help"], 0],
      [["sessions", "--help"], 0],
    ];
    for (const [args, code] of runs) {
      const result = await runCli(args, { env: env(), closeStdout: true, killAfterMs: 30_000 });
      assertNoCrash(result, args.join(" "));
      assert.equal(result.code, code, `${args.join(" ")}: ${result.stderr}`);
    }
  });

  it("stderr closed: an error still exits with its code, without a crash", async () => {
    const unknown = await runCli(["sessions", "--user", "nobody", "--prefix", PREFIX], { env: env(), closeStderr: true, killAfterMs: 30_000 });
    assert.equal(unknown.signal, null);
    assert.equal(unknown.code, 3);
    const usage = await runCli(["frobnicate"], { closeStderr: true, killAfterMs: 30_000 });
    assert.equal(usage.code, 2);
  });
});
