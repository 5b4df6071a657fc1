import { cpuTargetChecks, summarizeCpu, summarizeScale, summarizeThroughput, type CpuRow, type ThroughputRow } from "./analysis.js";
import { FRAMEWORKS, fetchBased, type AbsentApp, type AppSpec } from "./apps.js";
import type { CommandCount, CommandScenario } from "./phases/commands.js";
import { KEPT_UP_FRACTION, type CpuSample } from "./phases/cpu.js";
import type { LostUpdateResult } from "./phases/lost-updates.js";
import type { MemoryResult } from "./phases/memory.js";
import type { ScaleResult } from "./phases/scale.js";
import type { ThroughputSample } from "./phases/throughput.js";
import type { Phase, Plan } from "./plan.js";
import { median, type Spread } from "./stats.js";

/** Everything one run measured, as written to latest.json. */
export interface BenchResults {
  readonly meta: {
    readonly startedAt: string;
    readonly durationSeconds: number;
    readonly quick: boolean;
    readonly node: string;
    readonly redis: string;
    readonly cpus: number;
    readonly loadAverageBefore: number[];
    readonly loadAverageAfter: number[];
    readonly gitCommit: string;
    readonly plan: Omit<Plan, "phases"> & { readonly phases: readonly Phase[] };
    readonly versions: Record<string, string>;
  };
  readonly apps: readonly AppSpec[];
  readonly absent: readonly AbsentApp[];
  readonly cpu?: readonly CpuSample[];
  readonly throughput?: readonly ThroughputSample[];
  readonly commands?: readonly CommandCount[];
  readonly memory?: readonly MemoryResult[];
  readonly lostUpdates?: readonly LostUpdateResult[];
  readonly scale?: ScaleResult;
}

/** Figures the issue quotes for the anchors on this kind of machine, for comparison. */
const REFERENCE: Record<string, { read: number; write: number; readMicros: number; writeMicros: number }> = {
  "express-session": { read: 0.73, write: 0.66, readMicros: 25, writeMicros: 35 },
  "fastify-session": { read: 0.4, write: 0.25, readMicros: 28, writeMicros: 52 },
  "koa-session": { read: 0.42, write: 0.3, readMicros: 29, writeMicros: 50 },
};

/** Tessera's targets (issues 4 and 7). Ratio targets exist for some frameworks only. */
export const TARGETS = {
  readMicros: 12,
  writeMicros: 17,
  ratios: { express: { read: 0.85, write: 0.8 }, fastify: { read: 0.6, write: 0.45 }, koa: { read: 0.6, write: 0.45 }, hono: { read: 0.6, write: 0.45 } } as Record<string, { read: number; write: number }>,
  commands: { anonymous: 0, read: 1, write: 2 } as Partial<Record<CommandScenario, number>>,
  bytesPerSession: 200,
  scaleRatio: 1.1,
};

const f0 = (n: number): string => n.toLocaleString("en-US", { maximumFractionDigits: 0 });
const f1 = (n: number): string => n.toFixed(1);
const f2 = (n: number): string => n.toFixed(2);
/** 2 decimals, without trailing zeros: 2, 1.5, 0.33. */
const trim = (n: number): string => String(Number(n.toFixed(2)));
const verdict = (ok: boolean): string => (ok ? "✅ met" : "❌ missed");

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function labelOf(apps: readonly AppSpec[], id: string): string {
  return apps.find((a) => a.id === id)?.label ?? id;
}

/** `median (min–max)` with one decimal. */
const range1 = (s: Spread): string => `${f1(s.median)} (${f1(s.min)}–${f1(s.max)})`;

function cpuSection(rows: readonly CpuRow[], results: BenchResults): string {
  const plan = results.meta.plan;
  const find = (id: string, scenario: CpuRow["scenario"]): CpuRow | undefined => rows.find((r) => r.app.id === id && r.scenario === scenario);
  const added = (id: string, scenario: CpuRow["scenario"]): string => {
    const row = find(id, scenario);
    return row?.overBare ? `${f1(row.overBare.median)}${row.behindRounds ? " ⚠" : ""}` : "—";
  };
  const anchorOf = (framework: string): AppSpec | undefined => results.apps.find((a) => a.kind === "anchor" && a.framework === framework);
  const atOwnRate = (id: string): string => {
    const rate = rows.find((r) => r.app.id === id)?.offeredRate;
    return rate === undefined || rate === plan.cpuRate ? "" : ` (at ${f0(rate)} req/s)`;
  };
  const headline = FRAMEWORKS.filter((fw) => rows.some((r) => r.app.framework === fw && r.app.kind !== "bare")).map((fw) => {
    const anchor = anchorOf(fw);
    const tessera = `tessera-${fw}`;
    const off = `${tessera}-coalesce-off`;
    return [
      (results.apps.find((a) => a.kind === "bare" && a.framework === fw)?.label.replace(" (bare)", "") ?? fw) + atOwnRate(tessera),
      added(`floor-${fw}`, "read"),
      `**${added(tessera, "read")}**`,
      added(off, "read"),
      added(`floor-${fw}`, "write"),
      `**${added(tessera, "write")}**`,
      added(off, "write"),
      `**${added(tessera, "anonymous")}**`,
      anchor ? `${anchor.label.split(" ")[0]} ${added(anchor.id, "read")} / ${added(anchor.id, "write")}` : "",
    ];
  });
  const parts: string[] = [];
  // Each variant (coalescing off, telemetry on) against the app it varies, in the same rounds.
  const variantIds = [...new Set(rows.filter((r) => r.overBase).map((r) => r.app.id))];
  const overBase = (id: string, scenario: CpuRow["scenario"]): string => {
    const row = find(id, scenario);
    return row?.overBase ? `${range1(row.overBase)}${row.behindRounds ? " ⚠" : ""}` : "—";
  };
  const variants = variantIds.map((id) => [labelOf(results.apps, id), overBase(id, "read"), overBase(id, "write"), overBase(id, "anonymous")]);
  parts.push(
    `App + Redis CPU µs per request **added over the bare framework** (median of ${plan.cpuRounds} rounds at ${f0(plan.cpuRate)} req/s, or the rate a row names):\n`,
    table(["", "read: floor", "read: Tessera", "read: coalesce off", "write: floor", "write: Tessera", "write: coalesce off", "anonymous: Tessera", "anchor read / write"], headline),
    "",
    ...(variants.length
      ? [
          "### Variants over Tessera without them\n",
          table(["App", "read: µs over Tessera without, median (min–max)", "write", "anonymous"], variants),
          "",
          "App + Redis µs per request over the same app without the variant's setting, per round. Telemetry: the OpenTelemetry SDK's meter and tracer (`BENCH_TESSERA_TELEMETRY=traces`, bench/apps/shared/tessera.js), metrics never collected, spans batched to an exporter that drops them: the recording's cost, not an exporter's.\n",
        ]
      : []),
    "### Tessera's CPU targets\n",
    table(
      ["App", "target", "measured: difference µs, median (min–max)", ""],
      cpuTargetChecks(rows).map((c) => [c.app.label, c.target, range1(c.measured), `${verdict(c.met)}${c.atFixedRate ? "" : " ⚠ a round fell behind the rate"}`]),
    ),
    "",
  );
  const titles = { read: "Authenticated read (`GET /`)", write: "Write on every request (`GET /hit`)", anonymous: "Anonymous request (`GET /`, no cookie)" } as const;
  for (const scenario of ["read", "write", "anonymous"] as const) {
    const own = rows.filter((r) => r.scenario === scenario);
    if (own.length === 0) continue;
    parts.push(`### ${titles[scenario]}\n`);
    parts.push(
      table(
        ["App", "achieved req/s (min–max)", "app µs", "Redis µs", "app + Redis µs (min–max)", "over bare", "over floor", "Redis over floor's", "p99 ms"],
        own.map((r) => [
          r.app.kind === "tessera" && r.app.variantOf === undefined ? `**${r.app.label}**` : r.app.label,
          `${f0(r.achievedRate.median)} (${f0(r.achievedRate.min)}–${f0(r.achievedRate.max)})${r.offeredRate === plan.cpuRate ? "" : ` of ${f0(r.offeredRate)}`}${r.behindRounds ? ` ⚠ ${r.behindRounds} round(s) behind` : ""}${r.failures ? ` ⚠ ${r.failures} failed` : ""}`,
          f1(r.appMicros.median),
          f1(r.redisMicros.median),
          range1(r.totalMicros),
          r.overBare ? range1(r.overBare) : "—",
          r.overFloor ? range1(r.overFloor) : "—",
          r.redisOverFloor ? range1(r.redisOverFloor) : "—",
          f1(r.p99Ms),
        ]),
      ),
    );
    parts.push("");
  }
  const ownRates = [...new Set(rows.filter((r) => r.offeredRate !== plan.cpuRate).map((r) => r.offeredRate))].sort((a, b) => a - b);
  const ownRatesNote = ownRates.length
    ? `Heavier frameworks were driven at lower fixed rates, chosen below their saturation on a 2-core machine, with as many fewer requests per measurement (each lasts as long): ${ownRates.map((rate) => `${[...new Set(rows.filter((r) => r.offeredRate === rate).map((r) => r.app.framework))].join(", ")} at ${f0(rate)} req/s`).join("; ")}. `
    : "";
  parts.push(
    `Every app was driven at a fixed ${f0(plan.cpuRate)} req/s ` +
      (plan.cpuLoad === "bursts"
        ? "(`--cpu-load=bursts`: autocannon's `overallRate`, each connection sending its share of a second back to back at the start of that second, so the app runs saturated for part of each second and Redis commands batch as at saturation), over"
        : "(evenly paced: request i due at start + i / rate, to the timer's 1 ms; `--cpu-load=bursts` measures autocannon's bursty `overallRate` instead), over") +
      ` ${plan.cpuConnections} keep-alive connections, ` +
      `${f0(plan.cpuRequests)} requests per measurement, ${plan.cpuRounds} interleaved rounds, after ${f0(plan.cpuWarmupRequests)} warm-up requests per scenario. ` +
      ownRatesNote +
      "app µs is the app process's CPU time over the run (its threads' scheduler run times, /proc/<pid>/task/*/schedstat), per request; Redis µs is redis-server's used_cpu_user + used_cpu_sys (INFO cpu), per request, including its idle housekeeping (the bare rows show how much). " +
      "Differences (over bare, over the floor) are taken per round against the other app's run in the same round, then the median (min–max) over rounds is shown. " +
      `A round whose achieved rate fell below ${f0(100 * KEPT_UP_FRACTION)}% of the offered one is flagged ⚠: the app could not keep up, so that figure is not at the fixed rate. ` +
      "The floor is the same routes with the Redis calls written by hand on Tessera's client (read: one HGETALL of the key the cookie names; write: that HGETALL plus one EVALSHA that sets the field and the TTL): " +
      "the least a Redis-backed session can cost on that client. Bare apps get a cookie of a real one's size for read and write.",
  );
  return parts.join("\n");
}

function throughputSection(rows: readonly ThroughputRow[], results: BenchResults): string {
  const parts: string[] = [];
  for (const scenario of ["read", "write"] as const) {
    const title = scenario === "read" ? "Authenticated read (`GET /`)" : "Write on every request (`GET /hit`)";
    parts.push(`### ${title}\n`);
    parts.push(
      table(
        ["App", "req/s median (min–max)", "p50 ms", "p99 ms", "× own bare (min–max)", "added µs/req (min–max)", "CPU µs/req app + Redis", "issue's reference"],
        rows
          .filter((r) => r.scenario === scenario)
          .map((r) => {
            const ref = REFERENCE[r.app.id];
            return [
              r.app.kind === "tessera" ? `**${r.app.label}**` : r.app.label,
              `${f0(r.requestsPerSecond.median)} (${f0(r.requestsPerSecond.min)}–${f0(r.requestsPerSecond.max)})${r.failures ? ` ⚠ ${r.failures} failed` : ""}`,
              f1(r.p50Ms),
              f1(r.p99Ms),
              r.ratioToBare ? `${f2(r.ratioToBare.median)}× (${f2(r.ratioToBare.min)}–${f2(r.ratioToBare.max)})` : "1 (ceiling)",
              r.addedMicros ? `${f1(r.addedMicros.median)} (${f1(r.addedMicros.min)}–${f1(r.addedMicros.max)})` : "—",
              `${f0(r.appCpuMicros)} + ${f1(r.redisCpuMicros)}`,
              ref ? `${f2(ref[scenario])}× / ${ref[scenario === "read" ? "readMicros" : "writeMicros"]} µs` : "",
            ];
          }),
      ),
    );
    parts.push("");
  }
  const plan = results.meta.plan;
  parts.push(
    `${plan.rounds} interleaved rounds; in each, every app ran ${plan.measureSeconds} s per scenario with autocannon, ${plan.connections} connections ` +
      `(before its first run, ${plan.warmupRequests.toLocaleString("en-US")} warm-up requests). ` +
      "Ratios and added µs are computed per round against the bare framework's run in the same round, then the median (min–max) over rounds is shown. " +
      "req/s counts 2xx responses only; any failed request is flagged in the table. " +
      "CPU µs/req is the CPU time the app process (from /proc, 10 ms ticks) and redis-server (INFO cpu) used during the run, per request: " +
      "other tenants of a shared machine disturb it less than req/s, but contention still inflates it.",
  );
  return parts.join("\n");
}

function commandsSection(counts: readonly CommandCount[], apps: readonly AppSpec[]): string {
  const scenarios: CommandScenario[] = ["anonymous", "read", "write", "login"];
  const ids = [...new Set(counts.map((c) => c.appId))];
  const cell = (id: string, scenario: CommandScenario): string => {
    const c = counts.find((x) => x.appId === id && x.scenario === scenario);
    if (!c) return "—";
    const names = Object.entries(c.sent).map(([name, n]) => `${name}${Math.abs(n - 1) < 0.005 ? "" : ` ×${trim(n)}`}`);
    const executed = Math.abs(c.executedPerRequest - c.sentPerRequest) > 0.005 ? ` (${f2(c.executedPerRequest)} executed)` : "";
    return `**${f2(c.sentPerRequest)}**${executed}${names.length ? ` ${names.join(", ")}` : ""}`;
  };
  const rows = ids.map((id) => [labelOf(apps, id), ...scenarios.map((s) => cell(id, s))]);
  // Apps whose scripts ran the same commands are listed together.
  const scriptRuns = new Map<string, Set<string>>();
  for (const c of counts.filter((x) => Object.keys(x.inScripts).length > 0)) {
    const what = `${c.scenario}: ${Object.entries(c.inScripts).map(([n, k]) => `${n}${Math.abs(k - 1) < 0.005 ? "" : ` ×${trim(k)}`}`).join(", ")}`;
    scriptRuns.set(what, (scriptRuns.get(what) ?? new Set()).add(labelOf(apps, c.appId)));
  }
  const scriptNote = scriptRuns.size
    ? "\n\nRun inside scripts, per request: " + [...scriptRuns].map(([what, who]) => `${what} (${[...who].join(", ")})`).join("; ") + "."
    : "";
  const micros = ids.map((id) => [
    labelOf(apps, id),
    ...scenarios.map((scenario) => {
      const c = counts.find((x) => x.appId === id && x.scenario === scenario);
      return c ? f1(c.redisMicrosPerRequest) : "—";
    }),
  ]);
  return (
    table(["App", "anonymous `GET /`", "read `GET /`", "write `GET /hit`", "login `POST /login`"], rows) +
    `\n\nBold: commands the app sends per request (round trips' worth; one EVALSHA counts as one, like one GET), ` +
    `= the \`INFO commandstats\` delta over ${counts[0]?.requests ?? 0} requests minus the calls that ran inside Lua scripts ` +
    `(MONITOR, watching the same requests, tells those apart). "executed" is the raw commandstats delta, which Redis 7 also ` +
    `increments for every command a script runs. The same counting is applied to every app.` +
    scriptNote +
    "\n\nRedis CPU time per request, in µs (commandstats `usec` of the commands sent; a script's time includes what it runs). " +
    "On a 2-core machine Redis competes with the app for CPU, so this is part of each app's cost:\n\n" +
    table(["App", "anonymous", "read", "write", "login"], micros)
  );
}

function memorySection(results: readonly MemoryResult[], apps: readonly AppSpec[]): string {
  const rows = results.map((r) => [
    labelOf(apps, r.appId),
    f0(r.bytesPerSession),
    f2(r.keysPerSession),
    r.sample ? String(r.sample.memoryUsageBytes) : "—",
    r.sample?.type ?? "—",
  ]);
  const samples = results
    .filter((r) => r.sample)
    .map((r) => {
      const s = r.sample!;
      const value = typeof s.value === "string" ? s.value : JSON.stringify(s.value, null, 1).replace(/\n\s*/g, " ");
      return `- **${labelOf(apps, r.appId)}**: \`${s.type}\` \`${s.key}\` (TTL ${f0(s.ttlMs / 1000)} s) = \`${value}\``;
    });
  return (
    table(["App", "bytes/session (used_memory Δ)", "keys/session", "MEMORY USAGE of one", "type"], rows) +
    `\n\n${results[0]?.sessions.toLocaleString("en-US") ?? 0} logins (\`POST /login\`, each storing \`user = {"id":1234,"name":"ada"}\`) into an empty Redis, one app at a time; ` +
    "bytes/session is the growth of `used_memory` minus `mem_clients_normal` (client buffers), divided by the number of sessions. " +
    "It includes Redis's per-key overhead (main and expires dictionaries).\n\nOne stored record per app, as the app stores it:\n\n" +
    samples.join("\n")
  );
}

function lostUpdatesSection(results: readonly LostUpdateResult[], apps: readonly AppSpec[]): string {
  return (
    table(
      ["App", "keys kept, per trial", "median kept"],
      results.map((r) => [labelOf(apps, r.appId), r.kept.map((k) => `${k}/${r.writers}`).join(", "), `${median(r.kept)} of ${r.writers}`]),
    ) + `\n\n${results[0]?.writers ?? 20} concurrent \`GET /set?i=N\` on one logged-in session (one connection each), each setting its own key; then \`GET /keys\` counts the survivors.`
  );
}

function scaleSection(scale: ScaleResult, apps: readonly AppSpec[]): string {
  const rows = summarizeScale(scale).map((r) => [
    labelOf(apps, r.appId),
    r.scenario,
    f1(r.smallMicros),
    f1(r.largeMicros),
    `${f2(r.costRatio.median)} (${f2(r.costRatio.min)}–${f2(r.costRatio.max)})`,
  ]);
  return (
    table(["App", "scenario", `µs/req, ${scale.small.toLocaleString("en-US")} sessions`, `µs/req, ${scale.large.toLocaleString("en-US")} sessions`, "cost ratio large/small"], rows) +
    `\n\nµs/req is 1e6 ÷ req/s at ${"50"} connections (whole-app service time, not latency). Filler sessions are copies of each session app's own stored login ` +
    `(DUMP/RESTORE, same key shape, 30 min TTL), in equal shares, inserted by pipelines of 10,000 (${f1(scale.fillSeconds)} s for both keyspaces). ` +
    "The two keyspaces live in databases 0 and 1 and SWAPDB (instant) switches between them, so each app is measured in both conditions back to back, alternating which goes first."
  );
}

function targetsSection(results: BenchResults, rows: readonly ThroughputRow[]): string {
  const lines: string[][] = [];
  // CPU at a fixed rate first: the figures the performance targets are judged on.
  for (const c of results.cpu ? cpuTargetChecks(summarizeCpu(results.cpu, results.apps)) : []) {
    lines.push([c.app.label, `CPU ${c.target}`, `${f1(c.measured.median)} µs`, `${verdict(c.met)}${c.atFixedRate ? "" : " ⚠"}`]);
  }
  for (const row of rows.filter((r) => r.app.kind === "tessera" && r.addedMicros && r.ratioToBare)) {
    const micros = row.scenario === "read" ? TARGETS.readMicros : TARGETS.writeMicros;
    lines.push([row.app.label, `${row.scenario}: added ≤ ${micros} µs`, f1(row.addedMicros!.median), verdict(row.addedMicros!.median <= micros)]);
    const ratio = TARGETS.ratios[row.app.framework]?.[row.scenario];
    if (ratio !== undefined) lines.push([row.app.label, `${row.scenario}: ≥ ${f2(ratio)}× bare`, `${f2(row.ratioToBare!.median)}×`, verdict(row.ratioToBare!.median >= ratio)]);
  }
  for (const c of results.commands?.filter((c) => results.apps.find((a) => a.id === c.appId)?.kind === "tessera") ?? []) {
    const target = TARGETS.commands[c.scenario];
    if (target !== undefined) lines.push([labelOf(results.apps, c.appId), `${c.scenario}: ${target} command(s)`, f2(c.sentPerRequest), verdict(c.sentPerRequest <= target + 0.005)]);
  }
  for (const m of results.memory?.filter((m) => results.apps.find((a) => a.id === m.appId)?.kind === "tessera") ?? []) {
    lines.push([labelOf(results.apps, m.appId), `≤ ${TARGETS.bytesPerSession} B/session`, f0(m.bytesPerSession), verdict(m.bytesPerSession <= TARGETS.bytesPerSession)]);
  }
  for (const l of results.lostUpdates?.filter((l) => results.apps.find((a) => a.id === l.appId)?.kind === "tessera") ?? []) {
    lines.push([labelOf(results.apps, l.appId), `${l.writers} of ${l.writers} keys kept`, `${Math.min(...l.kept)} (worst trial)`, verdict(Math.min(...l.kept) === l.writers)]);
  }
  if (results.scale) {
    for (const s of summarizeScale(results.scale).filter((s) => results.apps.find((a) => a.id === s.appId)?.kind === "tessera")) {
      lines.push([labelOf(results.apps, s.appId), `${s.scenario} at ${results.scale.large.toLocaleString("en-US")} within 10%`, `${f2(s.costRatio.median)}×`, verdict(s.costRatio.median <= TARGETS.scaleRatio)]);
    }
  }
  return table(["App", "target", "measured", ""], lines);
}

/**
 * The Markdown report (bench/results/latest.md).
 *
 * @example
 * ```ts
 * writeFileSync("bench/results/latest.md", renderReport(results));
 * ```
 */
export function renderReport(results: BenchResults): string {
  const { meta, apps, absent } = results;
  const rows = results.throughput ? summarizeThroughput(results.throughput, apps) : [];
  const out: string[] = [];
  out.push(`# Tessera benchmark${meta.quick ? " (quick run: short, for development; do not quote)" : ""}\n`);
  out.push(
    `Run ${meta.startedAt} (${f0(meta.durationSeconds)} s) at commit \`${meta.gitCommit}\` on ${meta.cpus} CPUs, Node ${meta.node}, redis-server ${meta.redis}. ` +
      `Load average before/after: ${meta.loadAverageBefore.map(f2).join(" ")} / ${meta.loadAverageAfter.map(f2).join(" ")}. ` +
      "The machine is shared and small, so absolute req/s are noise-prone: compare the ratios, which are taken within one round.\n",
  );
  const busiest = Math.max(meta.loadAverageBefore[0] ?? 0, meta.loadAverageAfter[0] ?? 0);
  if (busiest > meta.cpus) {
    out.push(
      `> ⚠ The machine was busy with other work during this run (1-minute load average up to ${f2(busiest)} on ${meta.cpus} CPUs): ` +
        "every figure here is provisional. Re-run on a quiet machine before quoting.\n",
    );
  }
  out.push("Reproduce: `npm run bench` (full) or `npm run bench -- --quick`. Method and how to read this: [docs/performance.md](../../docs/performance.md).\n");
  out.push(`![Throughput as a fraction of the bare framework](latest.svg)\n`);

  out.push("## Apps\n");
  out.push(
    table(
      ["App", "kind", "packages"],
      apps.map((a) => [a.label, a.kind, a.packages.map((p) => `${p}@${meta.versions[p] ?? "?"}`).join(", ")]),
    ),
  );
  out.push(
    "\nOne Node process per app, all running for the whole run, one redis-server (started by the harness on a free loopback port) shared by all. " +
      "Every app implements the same routes (`POST /login`, `GET /`, `GET /hit`, `GET /set?i=N`, `GET /keys`) and stores the same data. " +
      "The established libraries run with their documented recommended options: express-session `resave: false, saveUninitialized: false`; " +
      "@fastify/session `saveUninitialized: false` and `rolling: false` (it has no `resave`; its default `rolling: true` rewrites every unchanged session, which is what `resave: false` turns off); " +
      "koa-session defaults (it never stores empty sessions and writes only changed ones). All sign their cookies, and so does Tessera (`secrets`). " +
      "Login uses each library's documented regenerate step. All idle timeouts are 30 minutes. " +
      `${tesseraSetup()} ` +
      "Tessera's apps do not call `bindUser` at login: the per-user index is opt-in and has no counterpart in the other libraries. " +
      "Every app's key prefix has the same length (`aNN:`)." +
      (apps.some((a) => fetchBased(a.framework))
        ? " The fetch-based frameworks' apps serve production builds (bench/lib/framework-builds.ts: Next.js the adapter conformance fixture, the others bench/apps/frameworks/<framework>/) holding one session hook and one catch-all route that call the app process's routes (bench/apps/shared/host.js); a bare app is the same build with no session hook. " +
          "Next.js runs on its programmatic server (`next({ dev: false })`), the others' Node handlers on node:http, the plain fetch handler on @hono/node-server. No floor app exists for them."
        : "") +
      "\n",
  );
  if (absent.length) {
    out.push("**Not measured in this run** (absent, not skipped silently):\n");
    for (const a of absent) out.push(`- ${a.label}: ${a.reason}`);
    out.push("");
  }

  if (results.cpu) out.push(`## 1. CPU per request at a fixed rate\n\n${cpuSection(summarizeCpu(results.cpu, apps), results)}\n`);
  if (rows.length) out.push(`## 2. Throughput and latency at saturation\n\n${throughputSection(rows, results)}\n`);
  if (results.commands) out.push(`## 3. Redis commands per request\n\n${commandsSection(results.commands, apps)}\n`);
  if (results.memory) out.push(`## 4. Bytes per session\n\n${memorySection(results.memory, apps)}\n`);
  if (results.lostUpdates) out.push(`## 5. Lost updates\n\n${lostUpdatesSection(results.lostUpdates, apps)}\n`);
  if (results.scale) out.push(`## 6. Scale\n\n${scaleSection(results.scale, apps)}\n`);
  out.push(`## Tessera's targets\n\n${targetsSection(results, rows)}\n`);
  return `${out.join("\n")}\n`;
}

/** How this run's Tessera apps talk to Redis (bench/apps/shared/tessera.js reads the same variables). */
function tesseraSetup(): string {
  const client = process.env.BENCH_TESSERA_CLIENT ?? "ioredis-pipelined";
  const clientText =
    client === "ioredis-pipelined"
      ? "ioredis with `enableAutoPipelining: true` (node-redis, which connect-redis uses, always pipelines a tick's commands)"
      : `\`${client}\` (BENCH_TESSERA_CLIENT)`;
  const coalesce = process.env.BENCH_TESSERA_COALESCE !== "false";
  return `Tessera's apps use ${clientText}, with \`redisStore\`'s \`coalesce: ${coalesce}\` (${coalesce ? "the default" : "BENCH_TESSERA_COALESCE=false; the default is true"}).`;
}
