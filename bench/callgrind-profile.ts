// A profile by function from the dumps `bench/instructions.ts --keep` leaves
// behind: self instructions per request of each function, or, with --base,
// the difference between two dumps (B minus A), which is how a gap over the
// floor is taken apart. With a perf map (`--perf-map` on the bench), JIT-
// compiled JavaScript is named by its function and file; without one it is
// one line, "JIT code".
//
//   npx tsx bench/callgrind-profile.ts <dir>/tessera-koa-read-app.cg.3 --map=<dir>/tessera-koa-read-app.perfmap
//     [--base=<dir>/floor-koa-read-app.cg.3 --base-map=<dir>/floor-koa-read-app.perfmap]
//     [--requests=3000] [--top=40] [--calls=<regex>]
//
// --calls=<regex> lists calls instead: per caller, the inclusive
// instructions it spent in each callee whose name matches, so that a cost
// V8's runtime bears is traced to the code behind it, one level per run
// (--calls='^Builtins_CEntry' names the builtins that fell into the runtime;
// --calls='^Builtins_LoadIC_Megamorphic$' the code whose property loads missed).
//
// --requests is the window's size (the bench's --window). Categories are
// lib/callgrind.ts's functionCategory.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { callInstructions, functionCategory, JIT_ADDRESS, selfInstructions } from "./lib/callgrind.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    map: { type: "string" },
    base: { type: "string" },
    "base-map": { type: "string" },
    requests: { type: "string", default: "3000" },
    top: { type: "string", default: "40" },
    calls: { type: "string" },
  },
});
if (positionals.length !== 1) throw new Error("usage: callgrind-profile.ts <dump> [--map=<perfmap>] [--base=<dump> [--base-map=<perfmap>]] [--requests=N] [--top=N] [--calls=<regex>]");
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

/** Display names of a dump's functions: JIT addresses named through the map (every recursion level as one). */
function displayNamer(mapFile: string | undefined): (fn: string) => string {
  const name = jitNamer(mapFile);
  return (fn) => (JIT_ADDRESS.test(fn) ? name(fn.replace(/'\d+$/, "")) : fn);
}

/** A dump's self costs by display name. */
function profile(dump: string, mapFile: string | undefined): Map<string, number> {
  const display = displayNamer(mapFile);
  const named = new Map<string, number>();
  for (const [fn, cost] of selfInstructions(dump)) named.set(display(fn), (named.get(display(fn)) ?? 0) + cost);
  return named;
}

/** A dump's inclusive costs of calls into functions matching `callee`, by "caller -> callee" display names. */
function callsInto(dump: string, mapFile: string | undefined, callee: RegExp): Map<string, number> {
  const display = displayNamer(mapFile);
  const named = new Map<string, number>();
  for (const [caller, callees] of callInstructions(dump)) {
    for (const [fn, cost] of callees) {
      if (!callee.test(display(fn))) continue;
      const key = `${display(caller)}  ->  ${display(fn)}`;
      named.set(key, (named.get(key) ?? 0) + cost);
    }
  }
  return named;
}

const sum = (costs: Iterable<number>): number => [...costs].reduce((s, c) => s + c, 0);
const fmt = (n: number): string => Math.round(n).toLocaleString("en-US").padStart(10);

if (values.calls !== undefined) {
  const callee = new RegExp(values.calls);
  const b = callsInto(positionals[0]!, values.map, callee);
  const a = values.base === undefined ? new Map<string, number>() : callsInto(values.base, values["base-map"], callee);
  const rows = [...new Set([...a.keys(), ...b.keys()])].map((call) => ({ call, b: (b.get(call) ?? 0) / requests, diff: ((b.get(call) ?? 0) - (a.get(call) ?? 0)) / requests }));
  const order = values.base === undefined ? (r: (typeof rows)[number]) => r.b : (r: (typeof rows)[number]) => Math.abs(r.diff);
  console.log(values.base === undefined ? "inclusive instructions per request of the calls, by caller -> callee" : "inclusive instructions per request of the calls, B minus A, then B's, by caller -> callee");
  for (const row of rows.sort((x, y) => order(y) - order(x)).slice(0, top)) {
    console.log(values.base === undefined ? `${fmt(row.b)}  ${row.call.slice(0, 200)}` : `${fmt(row.diff)} ${fmt(row.b)}  ${row.call.slice(0, 200)}`);
  }
  process.exit(0);
}

const b = profile(positionals[0]!, values.map);
const a = values.base === undefined ? new Map<string, number>() : profile(values.base, values["base-map"]);
const diff = new Map<string, number>();
for (const fn of new Set([...a.keys(), ...b.keys()])) diff.set(fn, ((b.get(fn) ?? 0) - (a.get(fn) ?? 0)) / requests);
const byCategory = new Map<string, number>();
for (const [fn, cost] of diff) byCategory.set(functionCategory(fn), (byCategory.get(functionCategory(fn)) ?? 0) + cost);

const what = values.base === undefined ? "self instructions per request" : "self instructions per request, B minus A";
console.log(`${what}: ${fmt(sum(diff.values())).trim()} in all`);
for (const [name, cost] of [...byCategory].sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]))) console.log(`  ${fmt(cost)}  ${name}`);
console.log("");
for (const [fn, cost] of [...diff].sort((x, y) => Math.abs(y[1]) - Math.abs(x[1])).slice(0, top)) console.log(`${fmt(cost)}  ${fn.slice(0, 150)}`);
