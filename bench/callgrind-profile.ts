// A profile by function from the dumps `bench/instructions.ts --keep` leaves
// behind: self instructions per request of each function, or, with --base,
// the difference between two dumps (B minus A), which is how a gap over the
// floor is taken apart. With a perf map (`--perf-map` on the bench), JIT-
// compiled JavaScript is named by its function and file; without one it is
// one line, "JIT code".
//
//   npx tsx bench/callgrind-profile.ts <dir>/tessera-koa-read-app.cg.3 --map=<dir>/tessera-koa-read-app.perfmap
//     [--base=<dir>/floor-koa-read-app.cg.3 --base-map=<dir>/floor-koa-read-app.perfmap]
//     [--requests=3000] [--top=40]
//
// --requests is the window's size (the bench's --window). Categories: V8's
// optimizing compilers, its garbage collector, its builtins (the Builtins_*
// code objects: property-access stubs, WeakMap, string and promise
// operations), JIT code, other C++ of V8, node/libuv, the rest (libc,
// OpenSSL, llhttp).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { selfInstructions } from "./lib/callgrind.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    map: { type: "string" },
    base: { type: "string" },
    "base-map": { type: "string" },
    requests: { type: "string", default: "3000" },
    top: { type: "string", default: "40" },
  },
});
if (positionals.length !== 1) throw new Error("usage: callgrind-profile.ts <dump> [--map=<perfmap>] [--base=<dump> [--base-map=<perfmap>]] [--requests=N] [--top=N]");
const requests = Number(values.requests);
const top = Number(values.top);
if (!Number.isInteger(requests) || requests < 1) throw new Error(`--requests: a whole number above 0, got ${values.requests}`);
if (!Number.isInteger(top) || top < 1) throw new Error(`--top: a whole number above 0, got ${values.top}`);

/** Names JIT addresses from node's `--perf-basic-prof` map: the function whose code holds the address (the later entry wins, as code is reused). */
function jitNamer(mapFile: string | undefined): (address: string) => string {
  if (mapFile === undefined) return () => "JIT code";
  const byStart = new Map<number, { end: number; name: string }>();
  for (const line of readFileSync(mapFile, "utf8").split("\n")) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (m) byStart.set(parseInt(m[1]!, 16), { end: parseInt(m[1]!, 16) + parseInt(m[2]!, 16), name: m[3]! });
  }
  const starts = [...byStart.keys()].sort((a, b) => a - b);
  return (address) => {
    const at = parseInt(address, 16);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    const entry = starts.length > 0 && starts[lo]! <= at ? byStart.get(starts[lo]!) : undefined;
    if (entry === undefined || at >= entry.end) return "JIT code (not in the map)";
    // One name for every tier of a function: drop V8's tier marks and the checkout's path.
    return `JS ${entry.name.replace(/^JS:[*~^+]?/, "").replace(/ (?:file:\/\/)?\/\S*?\/(node_modules|dist|bench)\//, " $1/")}`;
  };
}

/** A dump's self costs by display name, JIT addresses named through the map. */
function profile(dump: string, mapFile: string | undefined): Map<string, number> {
  const name = jitNamer(mapFile);
  const named = new Map<string, number>();
  for (const [fn, cost] of selfInstructions(dump)) {
    const key = /^0x[0-9a-f]+('\d+)?$/.test(fn) ? name(fn.replace(/'\d+$/, "")) : fn;
    named.set(key, (named.get(key) ?? 0) + cost);
  }
  return named;
}

function category(fn: string): string {
  if (fn.includes("compiler::") || /maglev/i.test(fn)) return "compiler";
  if (/Heap|Scaveng|MarkCompact|Sweeper|Marking|Evacuat|GCTracer/.test(fn)) return "garbage collector";
  if (fn.startsWith("Builtins_")) return "builtins";
  if (fn.startsWith("JS") || fn.startsWith("JIT")) return "JIT code";
  if (fn.includes("v8::")) return "V8, other";
  if (fn.includes("node::") || fn.startsWith("uv_")) return "node, libuv";
  return "other";
}

const b = profile(positionals[0]!, values.map);
const a = values.base === undefined ? new Map<string, number>() : profile(values.base, values["base-map"]);
const diff = new Map<string, number>();
for (const fn of new Set([...a.keys(), ...b.keys()])) diff.set(fn, ((b.get(fn) ?? 0) - (a.get(fn) ?? 0)) / requests);
const byCategory = new Map<string, number>();
for (const [fn, cost] of diff) byCategory.set(category(fn), (byCategory.get(category(fn)) ?? 0) + cost);

const sum = (costs: Iterable<number>): number => [...costs].reduce((s, c) => s + c, 0);
const fmt = (n: number): string => Math.round(n).toLocaleString("en-US").padStart(10);
const what = values.base === undefined ? "self instructions per request" : "self instructions per request, B minus A";
console.log(`${what}: ${fmt(sum(diff.values())).trim()} in all`);
for (const [name, cost] of [...byCategory].sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]))) console.log(`  ${fmt(cost)}  ${name}`);
console.log("");
for (const [fn, cost] of [...diff].sort((x, y) => Math.abs(y[1]) - Math.abs(x[1])).slice(0, top)) console.log(`${fmt(cost)}  ${fn.slice(0, 150)}`);
