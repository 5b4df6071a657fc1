import { existsSync, readdirSync, readFileSync } from "node:fs";
import process from "node:process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Phase } from "./plan.js";

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT_DIR = resolve(BENCH_DIR, "..");
export const APPS_DIR = join(BENCH_DIR, "apps");

/** The frameworks a bare ceiling exists for, in report order. */
export const FRAMEWORKS = ["express", "fastify", "koa", "hono", "node", "fetch", "next", "nuxt", "react-router", "sveltekit", "astro"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/**
 * bare: the framework alone (the ceiling); floor: the same routes with the
 * Redis calls written by hand on Tessera's client, no session library (the
 * least a Redis-backed session can cost); anchor: an established library;
 * tessera: Tessera's adapter.
 */
export type AppKind = "bare" | "floor" | "anchor" | "tessera";

/** One benchmark app: one Node process running `bench/apps/<file>`. */
export interface AppSpec {
  /** Stable id: the file name without `.js` (a variant adds a suffix). */
  readonly id: string;
  readonly label: string;
  readonly framework: Framework;
  readonly kind: AppKind;
  readonly file: string;
  /** npm packages whose version the report states. */
  readonly packages: readonly string[];
  /** Environment of the app process beyond the harness's own (a variant's settings). */
  readonly env?: Readonly<Record<string, string>>;
  /** The phases that measure this app; undefined: every phase. */
  readonly phases?: readonly Phase[];
  /** For a variant (the same file with other settings): the id of the app it varies. */
  readonly variantOf?: string;
  /** The CPU phase's rate for this app when lower than the plan's (a heavier framework saturates below it). */
  readonly cpuRate?: number;
}

/** Whether `phase` measures `app`. */
export function measuredIn(app: AppSpec, phase: Phase): boolean {
  return app.phases === undefined || app.phases.includes(phase);
}

/** An app that cannot run in this checkout, and why: the report lists these. */
export interface AbsentApp {
  readonly id: string;
  readonly label: string;
  readonly reason: string;
}

const FRAMEWORK_PACKAGES: Record<Framework, readonly string[]> = {
  express: ["express"],
  fastify: ["fastify"],
  koa: ["koa"],
  hono: ["hono", "@hono/node-server"],
  node: [],
  fetch: ["@hono/node-server"],
  next: ["next", "react"],
  nuxt: ["nuxt", "h3"],
  "react-router": ["react-router", "@react-router/node"],
  sveltekit: ["@sveltejs/kit", "@sveltejs/adapter-node"],
  astro: ["astro", "@astrojs/node"],
};

/**
 * The fetch-based frameworks (production builds, bench/lib/framework-builds.ts):
 * their label, the Tessera entry point their app uses when not
 * `tessera-session/<framework>`, and the CPU phase's rate for them when
 * lower than the plan's. A rate sits below the framework's saturation on the
 * 2-core machine the results come from (the report flags a round that fell
 * behind anyway): Next.js answers far fewer requests per second than Fastify.
 */
const FETCH_FRAMEWORKS: Partial<Record<Framework, { readonly label: string; readonly entry?: string; readonly cpuRate?: number }>> = {
  fetch: { label: "fetch handler (@hono/node-server)", cpuRate: 2000 },
  next: { label: "Next.js", cpuRate: 500 },
  nuxt: { label: "Nuxt", entry: "h3", cpuRate: 1500 },
  "react-router": { label: "React Router", cpuRate: 800 },
  sveltekit: { label: "SvelteKit", cpuRate: 1500 },
  astro: { label: "Astro", cpuRate: 800 },
};

/** Whether `framework` is one of the fetch-based ones (its apps serve a production build, but for the plain fetch handler). */
export function fetchBased(framework: Framework): boolean {
  return FETCH_FRAMEWORKS[framework] !== undefined;
}

/** The established libraries Tessera is compared with. Their options are in their app files. */
const ANCHORS: readonly AppSpec[] = [
  anchor("express-session", "express-session + connect-redis", "express", ["express-session", "connect-redis", "redis"]),
  anchor("fastify-session", "@fastify/session + connect-redis", "fastify", ["@fastify/session", "@fastify/cookie", "connect-redis", "redis"]),
  anchor("koa-session", "koa-session + koa-redis", "koa", ["koa-session", "koa-redis"]),
];


/**
 * The phases a floor takes part in: the two that set Tessera's CPU and
 * throughput against it, and command counting (to show its one and two round
 * trips). Bytes, lost updates and scale are about session libraries.
 */
const FLOOR_PHASES: readonly Phase[] = ["cpu", "throughput", "commands"];

/**
 * Tessera with `redisStore`'s `coalesce: false`, beside the default: only the
 * CPU phase, which reports both apps' Redis CPU. Not added when the whole run
 * already has coalescing off (BENCH_TESSERA_COALESCE=false).
 */
function coalesceOff(app: AppSpec): AppSpec | undefined {
  if (process.env.BENCH_TESSERA_COALESCE === "false") return undefined;
  return {
    ...app,
    id: `${app.id}-coalesce-off`,
    label: `${app.label}, coalesce: false`,
    env: { BENCH_TESSERA_COALESCE: "false" },
    phases: ["cpu"],
    variantOf: app.id,
  };
}

/**
 * The floor whose sessions also hold the two timestamps every Tessera record
 * has beside its data (`@c` created, `@a` authenticated; BENCH_FLOOR_STAMPS
 * in shared/floor.js): what a read costs for its reply's size alone, apart
 * from what Tessera does with it. In no phase of `npm run bench`; measured by
 * `bench/instructions.ts --apps=floor-koa-stamped:read,...`.
 */
function stampedFloor(app: AppSpec): AppSpec {
  return {
    ...app,
    id: `${app.id}-stamped`,
    label: `${app.label}, with Tessera's two timestamps`,
    env: { BENCH_FLOOR_STAMPS: "true" },
    phases: [],
    variantOf: app.id,
  };
}

/**
 * Tessera with OpenTelemetry on (a meter and a tracer from the SDK,
 * bench/apps/shared/tessera.js), beside the same app without: only the CPU
 * phase, which reports it over the app it varies (issue 16: the whole app's
 * cost, where bench/telemetry-cpu.ts measures the core alone).
 */
function telemetryOn(app: AppSpec): AppSpec {
  return {
    ...app,
    id: `${app.id}-telemetry`,
    label: `${app.label}, telemetry: meter + tracer`,
    packages: [...app.packages, "@opentelemetry/sdk-metrics", "@opentelemetry/sdk-trace-base"],
    env: { BENCH_TESSERA_TELEMETRY: "traces" },
    phases: ["cpu"],
    variantOf: app.id,
  };
}

/**
 * Bare Express with one middleware that only calls `next()`: what any
 * middleware adds on Express, whose router swaps prototypes and adds
 * properties on every request it passes down (each a lookup that misses
 * V8's caches). In no phase of `npm run bench`; measured by
 * `bench/instructions.ts --apps=bare-express-noop:anonymous,...`.
 */
function noopMiddleware(app: AppSpec): AppSpec {
  return {
    ...app,
    id: `${app.id}-noop`,
    label: `${app.label}, one no-op middleware`,
    env: { BENCH_BARE_NOOP_MIDDLEWARE: "true" },
    phases: [],
    variantOf: app.id,
  };
}

/** The Redis client package of the Tessera and floor apps (bench/apps/shared/redis-client.js). */
function clientPackage(): string {
  return process.env.BENCH_TESSERA_CLIENT === "node-redis" ? "redis" : "ioredis";
}

function anchor(id: string, label: string, framework: Framework, packages: readonly string[]): AppSpec {
  return { id, label, framework, kind: "anchor", file: `${id}.js`, packages: [...FRAMEWORK_PACKAGES[framework], ...packages] };
}

function frameworkLabel(framework: Framework): string {
  return FETCH_FRAMEWORKS[framework]?.label ?? (framework === "node" ? "node:http" : framework[0]!.toUpperCase() + framework.slice(1));
}

/**
 * Whether `tessera/<framework>` is built and exported, so a Tessera app for
 * it can run. Read from package.json and dist rather than imported, so a
 * missing adapter is reported, never a crash.
 */
function tesseraAdapterMissing(entry: string): string | undefined {
  const pkg = JSON.parse(readFileSync(join(ROOT_DIR, "package.json"), "utf8")) as {
    exports?: Record<string, { default?: string } | string>;
  };
  const exported = pkg.exports?.[`./${entry}`];
  const target = typeof exported === "string" ? exported : exported?.default;
  if (target === undefined) return `tessera-session/${entry} is not in package.json exports (adapter not merged yet)`;
  if (!existsSync(join(ROOT_DIR, target))) return `tessera-session/${entry} is exported but ${target} is not built (run npm run build)`;
  return undefined;
}

/**
 * Every app, in report order (per framework: bare, floor, anchor, Tessera,
 * its variants: coalescing off, and on Express telemetry on), plus the
 * Tessera apps that cannot run here.
 * Bare, floor and Tessera apps are found by file name (`bare-<framework>.js`,
 * `floor-<framework>.js`, `tessera-<framework>.js`): adding Tessera on a new
 * framework is one file in bench/apps.
 */
export function catalogue(): { apps: AppSpec[]; absent: AbsentApp[] } {
  const files = new Set(readdirSync(APPS_DIR));
  const apps: AppSpec[] = [];
  const absent: AbsentApp[] = [];
  for (const framework of FRAMEWORKS) {
    const name = frameworkLabel(framework);
    const { entry = framework, cpuRate } = FETCH_FRAMEWORKS[framework] ?? {};
    const rate = cpuRate === undefined ? {} : { cpuRate };
    if (files.has(`bare-${framework}.js`)) {
      const bare: AppSpec = { id: `bare-${framework}`, label: `${name} (bare)`, framework, kind: "bare", file: `bare-${framework}.js`, packages: FRAMEWORK_PACKAGES[framework], ...rate };
      apps.push(bare, ...(framework === "express" ? [noopMiddleware(bare)] : []));
    }
    if (files.has(`floor-${framework}.js`)) {
      const floor: AppSpec = {
        id: `floor-${framework}`,
        label: `${name} floor (hand-written HGETALL)`,
        framework,
        kind: "floor",
        file: `floor-${framework}.js`,
        packages: [...FRAMEWORK_PACKAGES[framework], clientPackage()],
        phases: FLOOR_PHASES,
      };
      apps.push(floor, stampedFloor(floor));
    }
    apps.push(...ANCHORS.filter((a) => a.framework === framework));
    const tesseraId = `tessera-${framework}`;
    const label = `Tessera (tessera-session/${entry})`;
    if (!files.has(`${tesseraId}.js`)) {
      absent.push({ id: tesseraId, label, reason: `no bench/apps/${tesseraId}.js` });
      continue;
    }
    const missing = tesseraAdapterMissing(entry);
    if (missing) absent.push({ id: tesseraId, label, reason: missing });
    else {
      const tessera: AppSpec = { id: tesseraId, label, framework, kind: "tessera", file: `${tesseraId}.js`, packages: [...FRAMEWORK_PACKAGES[framework], clientPackage()], ...rate };
      // The store's coalescing is measured on the Node frameworks; a fetch-based adapter changes nothing of it.
      const variants = FETCH_FRAMEWORKS[framework] ? [] : [coalesceOff(tessera), framework === "express" ? telemetryOn(tessera) : undefined];
      apps.push(tessera, ...variants.filter((v) => v !== undefined));
    }
  }
  return { apps, absent };
}

/** The installed version of an npm package (from its package.json). */
export function installedVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(ROOT_DIR, "node_modules", name, "package.json"), "utf8")) as { version: string };
    return pkg.version;
  } catch {
    return "not installed";
  }
}
