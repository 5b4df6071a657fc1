/**
 * `npm run demo`: the login example as a fleet behind a load balancer.
 *
 *   npm run demo                      # 3 instances, balancer on http://127.0.0.1:3000
 *   npm run demo -- --instances 5 --port 8080
 *   npm run demo -- --memory          # no Redis: one instance, memory store
 *   npm run demo -- --framework hono  # the same example on fastify, koa, hono, node, next, nuxt,
 *                                    # react-router, sveltekit or astro
 *   npm run demo -- --framework express,next  # a mixed fleet: the frameworks alternate
 *
 * Reload the page and watch "Served by" change while you stay logged in and
 * the visit counter carries on. Ctrl-C stops everything this started.
 */
import { parseArgs } from "node:util";
import { startBalancer, type Balancer } from "./balancer.js";
import { buildFrameworks, FRAMEWORKS, frameworkOf, parseFrameworks, type FrameworkEntry } from "./frameworks.js";
import { FLASK_LOGIN_SERVER, startInstance, type RunningInstance } from "./instances.js";
import { chooseStore, type StoreChoice } from "./store-choice.js";

const USAGE = `Usage: npm run demo -- [--instances N] [--port PORT] [--memory] [--framework NAME] [--with-flask]

  --instances N   app instances behind the balancer (default 3, 1..16)
  --port PORT     balancer port on 127.0.0.1 (default 3000)
  --memory        skip Redis: one instance with the memory store
  --framework F   ${Object.keys(FRAMEWORKS).join(", ")} (default express);
                  several, comma-separated (express,next), alternate in one fleet
  --with-flask    one more instance: the Flask example (examples/flask-login)
                  under gunicorn, sharing the Node instances' sessions
  -h, --help      this text

Sessions go to REDIS_URL when set, else to a Redis answering on
127.0.0.1:6379, else to a private redis-server started on a free port,
else to the memory store (one instance, with a banner saying so).`;

function fail(message: string): never {
  console.error(`demo: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseIntArg(value: string, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      instances: { type: "string", default: "3" },
      port: { type: "string", default: "3000" },
      memory: { type: "boolean", default: false },
      framework: { type: "string", default: "express" },
      "with-flask": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
}
try {
  args = parse();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
if (args.values.help) {
  console.log(USAGE);
  process.exit(0);
}
const requestedInstances = parseIntArg(args.values.instances, "instances", 1, 16);
const port = parseIntArg(args.values.port, "port", 0, 65535);
let frameworks: FrameworkEntry[] = [];
try {
  frameworks = parseFrameworks(args.values.framework);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

// Everything started so far, so that any failure or signal stops exactly these.
let store: StoreChoice | undefined;
const instances: RunningInstance[] = [];
let balancer: Balancer | undefined;
let stopping: Promise<void> | undefined;

function stopAll(): Promise<void> {
  stopping ??= (async () => {
    await balancer?.close();
    await Promise.all(instances.map((i) => i.stop()));
    await store?.release();
  })();
  return stopping;
}

async function exitAfterStop(code: number): Promise<never> {
  await stopAll();
  process.exit(code);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    const running = instances.filter((i) => i.isRunning()).length;
    console.log(`\ndemo: ${signal}: stopping ${running} instance(s)${store?.kind === "redis" && store.pid ? " and the private redis-server" : ""}...`);
    void exitAfterStop(0).then(() => undefined);
  });
}

try {
  store = await chooseStore({ redisUrl: process.env.REDIS_URL, forceMemory: args.values.memory });
  console.log(`demo: sessions: ${store.description}`);
  const count = store.kind === "memory" ? 1 : requestedInstances;
  if (count < requestedInstances) {
    console.log(`demo: memory store cannot be shared, so running 1 instance instead of ${requestedInstances}`);
  }
  const env =
    store.kind === "redis"
      ? { REDIS_URL: store.url, SESSION_STORE: "redis", TRUST_PROXY: "loopback" }
      : { SESSION_STORE: "memory", TRUST_PROXY: "loopback" };
  if (frameworks.some((f) => f.build)) console.log("demo: checking the production builds (a first build takes a few minutes)");
  await buildFrameworks(frameworks);
  const mixed = frameworks.length > 1;
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => {
      const framework = frameworkOf(frameworks, i);
      // A mixed fleet names the framework in the instance's name too: "next-2".
      const name = mixed ? `${framework.name}-${i + 1}` : `app-${i + 1}`;
      return startInstance({ name, env, script: framework.script, readyTimeoutMs: framework.readyTimeoutMs });
    }),
  );
  if (args.values["with-flask"]) {
    // Python shares sessions through Redis only: a memory store has nothing to share.
    if (store.kind !== "redis") throw new Error("--with-flask needs Redis (the Flask instance cannot share a memory store)");
    started.push(...(await Promise.allSettled([startInstance({ name: "flask-1", env, script: FLASK_LOGIN_SERVER })])));
  }
  for (const result of started) if (result.status === "fulfilled") instances.push(result.value);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  for (const instance of instances) {
    void instance.exited.then(({ code, signal }) => {
      if (stopping) return;
      console.log(`demo: ${instance.name} (pid ${instance.pid}) exited (${signal ?? `code ${code}`}); the balancer routes around it`);
    });
  }
  balancer = await startBalancer({ targets: instances.map((i) => i.url), port });
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  const hint = /EADDRINUSE/.test(message) ? ` (port ${port} is taken: try --port)` : "";
  console.error(`demo: ${message}${hint}`);
  await exitAfterStop(1);
}

console.log(`demo: instances:`);
for (const i of instances) console.log(`demo:   ${i.name}  pid ${i.pid}  ${i.url}`);
console.log(`demo: load balancer: ${balancer!.url} (round robin per request, no stickiness)`);
if (instances.length > 1) {
  console.log(`demo: ready. Open ${balancer!.url}, log in, reload: the instance changes, you stay logged in.`);
  console.log(`demo: try killing an instance by its pid; Ctrl-C stops everything this started.`);
} else {
  console.log(`demo: ready. Open ${balancer!.url} (one instance only). Ctrl-C stops everything this started.`);
}
