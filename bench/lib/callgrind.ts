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
  /** Dumps the counters and returns the instructions counted since the last zero or dump, and the dump's file: a window ends. */
  dump(): Promise<{ instructions: number; file: string }>;
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
 * await redis.zero(); await sendRequests(); const { instructions } = await redis.dump();
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
          if (totals) return { instructions: Number(totals[1]), file };
        }
        await sleep(50);
      }
      throw new Error(`callgrind wrote no ${file} in 30 s`);
    },
  };
}

/** How a dump names JIT-compiled code: its address, with callgrind's recursion mark (`'2`) when it recursed. */
export const JIT_ADDRESS = /^0x[0-9a-f]+('\d+)?$/;

/**
 * What part of a node process a function of its dump belongs to, by name:
 * V8's optimizing compilers, its garbage collector, its builtins (the
 * Builtins_* code objects: property-access stubs, WeakMap, string and
 * promise operations), JIT code (named `JS ...` through a perf map, or an
 * address), other C++ of V8, node/libuv, and the rest (libc, OpenSSL, llhttp).
 */
export function functionCategory(fn: string): "compiler" | "garbage collector" | "builtins" | "JIT code" | "V8, other" | "node, libuv" | "other" {
  if (fn.includes("compiler::") || /maglev/i.test(fn)) return "compiler";
  if (/Heap|Scaveng|MarkCompact|Sweeper|Marking|Evacuat|GCTracer/.test(fn)) return "garbage collector";
  if (fn.startsWith("Builtins_")) return "builtins";
  if (fn.startsWith("JS") || fn.startsWith("JIT") || JIT_ADDRESS.test(fn)) return "JIT code";
  if (fn.includes("v8::")) return "V8, other";
  if (fn.includes("node::") || fn.startsWith("uv_")) return "node, libuv";
  return "other";
}

/**
 * The instructions of one dump outside V8's garbage collector and
 * optimizing compilers: the request's own work, steady from window to
 * window (within about 2%), where the collector's and the compilers' share
 * moves by tens of percent with when they happen to run (a window that
 * holds a major GC, a function that tiers up).
 *
 * @example
 * ```ts
 * const { instructions, file } = await app.dump();
 * const steady = instructionsOutsideCollectorAndCompiler(file);
 * ```
 */
export function instructionsOutsideCollectorAndCompiler(dump: string): number {
  let total = 0;
  for (const [fn, cost] of selfInstructions(dump)) {
    const category = functionCategory(fn);
    if (category !== "garbage collector" && category !== "compiler") total += cost;
  }
  return total;
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
  return readCosts(dump).self;
}

/**
 * Inclusive instructions of the calls in one callgrind dump, by caller and
 * callee (`calls.get(caller)?.get(callee)`): what each caller spent in each
 * function it called, that function's own callees included. How a cost that
 * V8's runtime bears for JavaScript (an inline-cache miss, say) is traced
 * back to the code that triggered it, one level at a time.
 *
 * @example
 * ```ts
 * const calls = callInstructions("/tmp/app.cg.3");
 * calls.get("Builtins_LoadIC_Megamorphic")?.get("Builtins_CEntry_Return1_ArgvOnStack_NoBuiltinExit");
 * ```
 */
export function callInstructions(dump: string): Map<string, Map<string, number>> {
  return readCosts(dump).calls;
}

/** One pass over a dump: self costs per function, inclusive call costs per caller and callee. */
function readCosts(dump: string): { self: Map<string, number>; calls: Map<string, Map<string, number>> } {
  const names = new Map<string, string>(); // callgrind's name compression: "(12) name" once, then "(12)"
  const nameOf = (spec: string): string => {
    const m = /^\((\d+)\)(?: (.*))?$/.exec(spec);
    if (m === null) return spec;
    if (m[2] !== undefined) names.set(m[1]!, m[2]);
    return names.get(m[1]!) ?? spec;
  };
  const self = new Map<string, number>();
  const calls = new Map<string, Map<string, number>>();
  let fn = "?";
  let callee = "?";
  let calleeCost = false;
  for (const line of readFileSync(dump, "utf8").split("\n")) {
    if (line.startsWith("fn=")) fn = nameOf(line.slice(3));
    else if (line.startsWith("cfn=")) callee = nameOf(line.slice(4));
    else if (line.startsWith("calls=")) calleeCost = true;
    else if (/^[\d+*-]/.test(line)) {
      const cost = Number(line.split(" ")[1] ?? 0);
      if (!calleeCost) self.set(fn, (self.get(fn) ?? 0) + cost);
      else {
        calleeCost = false;
        let ofCaller = calls.get(fn);
        if (ofCaller === undefined) calls.set(fn, (ofCaller = new Map()));
        ofCaller.set(callee, (ofCaller.get(callee) ?? 0) + cost);
      }
    }
  }
  return { self, calls };
}
