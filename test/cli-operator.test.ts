import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createSessionManager } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { assertOneLineError, BIN, runCli, type CliResult } from "./support/cli.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { sessionClient } from "./support/session-client.js";
import { silentServer, stallingProxy } from "./support/stalling-proxy.js";

// Issue 13 §4: the CLI as an operator meets it: closed pipes, a Redis that
// never answers, a missing password, help, Ctrl-C. The real bin as a child
// process; every child is killed by the test's own timer if it hangs.

const PREFIX = "op:";

let server: RedisServer;
let redis: Redis;
let publicId: string;

before(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
  const manager = createSessionManager({ store: redisStore({ client: redis, prefix: PREFIX }) });
  const session = await sessionClient().request(manager, async (s) => {
    await s.regenerate();
    await s.bindUser("ada", { label: "laptop" });
  });
  publicId = session.id!;
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

const CLIENTS = ["ioredis", "redis"] as const;
/** ioredis is what the CLI picks by default (both are installed here); node-redis needs --client. */
const clientArgs = (client: (typeof CLIENTS)[number]): string[] => (client === "ioredis" ? [] : ["--client", client]);
/** Every command that talks to Redis, read-only forms (a hang must not be able to change anything). Globals go first: after "--" all is positional. */
const REDIS_COMMANDS = (): string[][] => [
  ["sessions", "--user", "ada"],
  ["revoke", "--user", "ada", "--dry-run"],
  ["revoke", "--dry-run", "--", publicId],
  ["stats"],
  ["doctor"],
];
/** The test's own bound on a child that should have given up by itself. */
const HANG_KILL_MS = 20_000;

function assertTimedOut(result: CliResult, what: string): void {
  assert.equal(result.signal, null, `${what}: still running after ${HANG_KILL_MS} ms, killed`);
  assert.equal(result.code, 4, `${what}: ${result.stderr}`);
  assertOneLineError(result, /did not answer .* within \d+(\.\d+)? s \(--timeout\)/);
}

describe("a Redis that never answers: every command exits 4 within --timeout", () => {
  it("a port that accepts connections and stays silent, with the default timeout and --timeout 1, both clients", async () => {
    const silent = await silentServer();
    try {
      for (const client of CLIENTS) {
        const byDefault = await runCli(["stats", ...clientArgs(client), "--redis-url", silent.url], { killAfterMs: HANG_KILL_MS });
        assertTimedOut(byDefault, `${client} stats, default timeout`);
        assert.match(byDefault.stderr, /within 5 s/);
        for (const args of REDIS_COMMANDS()) {
          const result = await runCli(["--timeout", "1", ...clientArgs(client), "--redis-url", silent.url, "--prefix", PREFIX, ...args], { killAfterMs: HANG_KILL_MS });
          assertTimedOut(result, `${client} ${args.join(" ")}`);
        }
      }
    } finally {
      await silent.close();
    }
  });

  it("a SIGSTOPped redis-server, both clients", async () => {
    const hung = await startRedisServer();
    hung.pause();
    try {
      // Hangs at the handshake, like the silent port: two commands per client suffice.
      for (const client of CLIENTS) {
        for (const args of [["sessions", "--user", "ada"], ["stats"]]) {
          const result = await runCli(["--timeout", "1", ...clientArgs(client), "--redis-url", hung.url, "--prefix", PREFIX, ...args], { killAfterMs: HANG_KILL_MS });
          assertTimedOut(result, `${client} ${args.join(" ")}`);
        }
      }
    } finally {
      hung.resume();
      await hung.close();
    }
  });

  it("a Redis that hangs mid-run (after the handshake), both clients", async () => {
    for (const [trigger, args] of [["SCAN", ["stats"]], ["EVALSHA", ["sessions", "--user", "ada"]]] as const) {
      for (const client of CLIENTS) {
        const proxy = await stallingProxy(server.port, trigger);
        try {
          const result = await runCli(["--timeout", "1", ...clientArgs(client), "--redis-url", proxy.url, "--prefix", PREFIX, ...args], { killAfterMs: HANG_KILL_MS });
          assertTimedOut(result, `${client} ${args.join(" ")} stalled at ${trigger}`);
        } finally {
          await proxy.close();
        }
      }
    }
  });
});

describe("credentials", () => {
  it("a missing password is reported as NOAUTH with the fix, not as 'cannot reach'; a wrong one as WRONGPASS", async () => {
    const guarded = await startRedisServer();
    // Set after start: the server helper waits for an unauthenticated PING.
    assert.match(await guarded.command("CONFIG", "SET", "requirepass", "s3cret"), /^\+OK/);
    try {
      const port = guarded.port;
      for (const client of CLIENTS) {
        const missing = await runCli(["stats", ...clientArgs(client), "--redis-url", `redis://127.0.0.1:${port}`], { killAfterMs: HANG_KILL_MS });
        assert.equal(missing.code, 4, missing.stderr);
        assertOneLineError(missing, /refused the connection \(NOAUTH\): it needs a password: put it in the URL/);
        assert.doesNotMatch(missing.stderr, /cannot reach/);

        const wrong = await runCli(["stats", ...clientArgs(client), "--redis-url", `redis://:nope@127.0.0.1:${port}`], { killAfterMs: HANG_KILL_MS });
        assert.equal(wrong.code, 4, wrong.stderr);
        assertOneLineError(wrong, /redis:\/\/:\*\*\*@127\.0\.0\.1:\d+.* refused the connection \(WRONGPASS\): check the username and password/);
        assert.ok(!wrong.stderr.includes("nope"), "the password is masked");

        const right = await runCli(["stats", ...clientArgs(client), "--redis-url", `redis://:s3cret@127.0.0.1:${port}`], { killAfterMs: HANG_KILL_MS });
        assert.equal(right.code, 3, `${client}: connected, nothing under the default prefix: ${right.stderr}`);
      }
    } finally {
      await guarded.close();
    }
  });
});

describe("help", () => {
  it("every subcommand's --help shows the global options", async () => {
    for (const command of ["sessions", "revoke", "stats", "doctor", "secret"]) {
      const help = await runCli([command, "--help"], { killAfterMs: 30_000 });
      assert.equal(help.code, 0, help.stderr);
      for (const option of ["--redis-url", "--prefix", "--json", "--timeout"]) {
        assert.ok(help.stdout.includes(option), `${command} --help lists ${option}:\n${help.stdout}`);
      }
    }
  });
});

const HAS_TMUX = spawnSync("tmux", ["-V"], { stdio: "ignore" }).status === 0;

describe("Ctrl-C in a real terminal (tmux)", () => {
  it("during the progress bar: the cursor and line wrap come back, exit code 130", { skip: HAS_TMUX ? false : "tmux is not installed (Debian package tmux; .ci/run should install it)" }, async () => {
    const proxy = await stallingProxy(server.port, "SCAN");
    let stalled = false;
    void proxy.stalled.then(() => (stalled = true));
    const dir = mkdtempSync(join(tmpdir(), "tessera-tmux-"));
    // A private tmux server: its socket is ours alone, and kill-server stops only it.
    const tmux = (...args: string[]) => spawnSync("tmux", ["-S", join(dir, "socket"), ...args], { encoding: "utf8", timeout: 10_000 });
    const raw = join(dir, "raw");
    const exit = join(dir, "exit");
    try {
      assert.equal(tmux("new-session", "-d", "-x", "160", "-y", "20", "sh").status, 0);
      // Everything the pane receives, escape sequences included.
      assert.equal(tmux("pipe-pane", "-o", `cat >> '${raw}'`).status, 0);
      const command = `'${process.execPath}' '${BIN}' stats --timeout 60 --prefix ${PREFIX} --redis-url ${proxy.url}; echo $? > '${exit}'`;
      assert.equal(tmux("send-keys", command, "Enter").status, 0);
      // The bar is up (it starts before the first SCAN), and SCAN will never be answered.
      await waitUntil(() => stalled || existsSync(exit), "the CLI to send SCAN");
      assert.ok(stalled, `the CLI exited before scanning: ${existsSync(raw) ? readFileSync(raw, "utf8") : ""}`);
      await waitUntil(() => existsSync(raw) && readFileSync(raw, "latin1").includes("scanning ["), "the progress bar on the pane");
      assert.equal(tmux("send-keys", "C-c").status, 0);
      await waitUntil(() => existsSync(exit) && readFileSync(exit, "utf8").trim() !== "", "the CLI to exit");
      assert.equal(readFileSync(exit, "utf8").trim(), "130");
      const output = readFileSync(raw, "latin1");
      const hidden = output.lastIndexOf("\u001b[?25l");
      assert.ok(hidden >= 0, "the bar hid the cursor");
      const after = output.slice(hidden);
      assert.ok(after.includes("\u001b[?25h"), `cursor shown again after Ctrl-C: ${JSON.stringify(after)}`);
      assert.ok(after.includes("\u001b[?7h"), `line wrap on again after Ctrl-C: ${JSON.stringify(after)}`);
    } finally {
      tmux("kill-server");
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Polls `condition` every 50 ms, for at most 15 s. */
async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; waited < 15_000; waited += 50) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
