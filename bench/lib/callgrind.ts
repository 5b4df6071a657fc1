import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { sleep } from "./context.js";

const run = promisify(execFile);

/** Whether valgrind (with callgrind and callgrind_control) is installed: Debian's `valgrind` package. */
export function hasCallgrind(): boolean {
  return spawnSync("valgrind", ["--version"], { stdio: "ignore" }).status === 0 && spawnSync("callgrind_control", ["--version"], { stdio: "ignore" }).status === 0;
}

/**
 * A process running under valgrind's callgrind, counting the instructions
 * it executes. The count is the process's own work: what other tenants of
 * the machine do slows it down but does not change it.
 */
export interface CountedProcess {
  readonly child: ChildProcess;
  /** Zeroes the counters: a window starts. */
  zero(): Promise<void>;
  /** Dumps the counters and returns the instructions counted since the last zero or dump: a window ends. */
  dump(): Promise<number>;
}

/**
 * Wraps `program args` in `valgrind --tool=callgrind`, writing its dumps to
 * `outFile.<n>`. Windows are set from outside with callgrind_control, which
 * reaches an idle process too (valgrind's gdbserver), so a window holds
 * exactly the requests sent between `zero()` and `dump()`.
 *
 * @example
 * ```ts
 * const redis = countInstructions("redis-server", ["--port", "7001"], "/tmp/redis.cg", { stdio: "ignore" });
 * await redis.zero(); await sendRequests(); const instructions = await redis.dump();
 * ```
 */
export function countInstructions(program: string, args: readonly string[], outFile: string, options: Parameters<typeof spawn>[2]): CountedProcess {
  const child = spawn("valgrind", ["--tool=callgrind", "--quiet", `--callgrind-out-file=${outFile}`, program, ...args], options);
  let dumps = 0;
  const control = async (...args: string[]): Promise<void> => {
    await run("callgrind_control", [...args, String(child.pid)], {
      timeout: 60_000,
    });
  };
  return {
    child,
    zero: () => control("--zero"),
    async dump() {
      await control("--dump");
      const file = `${outFile}.${++dumps}`;
      // callgrind_control returns once the dump is requested; the file follows.
      for (let waited = 0; waited < 30_000; waited += 50) {
        if (existsSync(file)) {
          const totals = /^totals: (\d+)/m.exec(readFileSync(file, "utf8"));
          if (totals) return Number(totals[1]);
        }
        await sleep(50);
      }
      throw new Error(`callgrind wrote no ${file} in 30 s`);
    },
  };
}

/**
 * Self instructions per function name in one callgrind dump, such as a
 * window of {@link CountedProcess.dump}'s (costs on the line after a
 * `calls=` line are the callee's, not self). JIT-compiled code is named by
 * its address (`0x...`).
 *
 * @example
 * ```ts
 * const costs = selfInstructions("/tmp/app.cg.3");
 * costs.get("Builtins_WeakMapGet"); // instructions in that builtin itself
 * ```
 */
export function selfInstructions(dump: string): Map<string, number> {
  const names = new Map<string, string>(); // callgrind's name compression: "(12) name" once, then "(12)"
  const nameOf = (spec: string): string => {
    const m = /^\((\d+)\)(?: (.*))?$/.exec(spec);
    if (m === null) return spec;
    if (m[2] !== undefined) names.set(m[1]!, m[2]);
    return names.get(m[1]!) ?? spec;
  };
  const costs = new Map<string, number>();
  let fn = "?";
  let calleeCost = false;
  for (const line of readFileSync(dump, "utf8").split("\n")) {
    if (line.startsWith("fn=")) fn = nameOf(line.slice(3));
    else if (line.startsWith("cfn=")) nameOf(line.slice(4));
    else if (line.startsWith("calls=")) calleeCost = true;
    else if (/^[\d+*-]/.test(line)) {
      const cost = Number(line.split(" ")[1] ?? 0);
      if (calleeCost) calleeCost = false;
      else costs.set(fn, (costs.get(fn) ?? 0) + cost);
    }
  }
  return costs;
}
