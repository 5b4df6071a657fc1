// Summarises a V8 CPU profile (`npm run bench -- --cpu-prof` writes them to
// bench/results/tmp/profiles): where the app's CPU time went, by package and
// by function, so a missed target can be traced to code.
//
//   tsx bench/profile-summary.ts bench/results/tmp/profiles/tessera-express.cpuprofile [top]
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package (or area) a script URL belongs to: `tessera:core/session.js`, `express`, `node:internal`... */
function area(url: string): string {
  if (!url) return "(native / idle / gc)";
  if (url.startsWith("node:")) return url.startsWith("node:internal/") ? `node:${url.split("/")[1]}` : url;
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "/node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const dist = url.indexOf("/dist/");
  if (dist >= 0) return `tessera:${url.slice(dist + "/dist/".length)}`;
  const bench = url.indexOf("/bench/");
  if (bench >= 0) return `bench:${url.slice(bench + 1)}`;
  return url;
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) throw new Error("usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]");
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let totalMicros = 0;
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id)!;
    totalMicros += micros;
    const name = node.callFrame.functionName || "(anonymous)";
    if (name === "(idle)") continue;
    const where = area(node.callFrame.url);
    byArea.set(where, (byArea.get(where) ?? 0) + micros);
    const key = `${name}  ${where}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ""}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  }
  const busy = totalMicros - (selfMicros.size ? [...selfMicros].filter(([id]) => byId.get(id)!.callFrame.functionName === "(idle)").reduce((s, [, m]) => s + m, 0) : 0);
  const pct = (m: number): string => `${((100 * m) / busy).toFixed(1).padStart(5)}%`;
  console.log(`${file}: ${(totalMicros / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy (percentages are of busy time)`);
  console.log("\nby area (self time):");
  for (const [name, m] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(m)}  ${name}`);
  console.log("\nby function (self time):");
  for (const [name, m] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(m)}  ${name}`);
}

main();
