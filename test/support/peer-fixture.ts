/**
 * The peer-dependency fixtures (test/peer-deps.test.ts): an app folder in
 * the temp directory that installs the packed tarball of this repository
 * beside one framework and what its users install anyway, from the npm
 * registry (its cache first), so a test can check what came along, run a
 * script in it and type-check a file there.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

/**
 * The version this repository installed, so the npm cache serves it.
 * Read from node_modules directly: not every package exports its package.json.
 */
export const versionOf = (name: string): string =>
  (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;

/**
 * A check script for a framework's session middleware, run outside the
 * framework: `setup` (after imports of the core, the memory and Redis
 * stores and ioredis, which it proves load) defines
 * `call(cookie, respond)`, which runs one request through the middleware
 * with `respond(session)` as the route. The script logs in (the route sets
 * `username`), sends the cookie back, and prints "hello ada".
 *
 * @example
 * ```ts
 * await app.run("check.mjs", middlewareCheckScript(`import { astroSession } from "tessera-session/astro";\nconst call = ...`));
 * ```
 */
export function middlewareCheckScript(setup: string): string {
  return `import { Redis } from "ioredis";
import { createSessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { redisStore } from "tessera-session/redis";
redisStore({ client: new Redis({ lazyConnect: true }) });
const sessions = createSessionManager({ store: memoryStore() });
${setup}
const login = await call(undefined, (session) => { session.data.username = "ada"; return new Response("ok"); });
const cookie = login.headers.get("set-cookie").split(";")[0];
console.log(await (await call(cookie, (session) => new Response("hello " + session.data.username))).text());
`;
}

let packed: Promise<string> | undefined;

/** `npm pack` of this repository, once per test process; the tarball's path. */
function packOnce(): Promise<string> {
  packed ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-pack-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: root });
    const [entry] = JSON.parse(stdout) as Array<{ filename: string }>;
    assert.ok(entry, `npm pack printed no package: ${stdout}`);
    return join(dir, entry.filename);
  })();
  return packed;
}

/** What a fixture app lists besides tessera-session. */
export interface PeerFixtureOptions {
  /** A short name: the folder's prefix and the package's name. */
  name: string;
  /** Name → version (use {@link versionOf}). */
  dependencies: Readonly<Record<string, string>>;
  devDependencies?: Readonly<Record<string, string>>;
  /** Bound on `npm install`. Default 240 s. */
  installTimeoutMs?: number;
}

/** An installed fixture app. */
export interface PeerFixture {
  readonly dir: string;
  /** Fails naming each package of `names` that is in the fixture's node_modules. */
  assertNotInstalled(names: readonly string[]): void;
  /** Writes `source` to `file` and runs it with node (a .ts file through this repository's tsx, which only strips types); its trimmed stdout. */
  run(file: string, source: string): Promise<string>;
  /** Writes `source` to `file` and type-checks it alone with strict settings (and `compilerOptions` over them), failing with tsc's output. */
  typeCheck(file: string, source: string, compilerOptions?: Record<string, unknown>): Promise<void>;
  /** Removes the folder. */
  remove(): void;
}

/**
 * Makes and installs a fixture app: the packed tessera-session and the
 * given packages, with `--ignore-scripts`.
 *
 * @example
 * ```ts
 * const app = await peerFixture({ name: "hono", dependencies: { hono: versionOf("hono") } });
 * app.assertNotInstalled(["express"]);
 * ```
 */
export async function peerFixture(options: PeerFixtureOptions): Promise<PeerFixture> {
  const tarball = await packOnce();
  const dir = mkdtempSync(join(tmpdir(), `tessera-peer-${options.name}-`));
  copyFileSync(tarball, join(dir, basename(tarball)));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name: `tessera-${options.name}-fixture`,
      private: true,
      type: "module",
      dependencies: { "tessera-session": `file:./${basename(tarball)}`, ...options.dependencies },
      devDependencies: options.devDependencies ?? {},
    }),
  );
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: dir, timeout: options.installTimeoutMs ?? 240_000 });
  return {
    dir,
    assertNotInstalled(names) {
      const present = names.filter((name) => existsSync(join(dir, "node_modules", name)));
      assert.deepEqual(present, [], `must not be installed: ${present.join(", ")}`);
    },
    async run(file, source) {
      writeFileSync(join(dir, file), source);
      const loader = file.endsWith(".ts") ? ["--import", import.meta.resolve("tsx")] : [];
      const { stdout } = await run(process.execPath, [...loader, file], { cwd: dir });
      return stdout.trim();
    },
    async typeCheck(file, source, compilerOptions = {}) {
      writeFileSync(join(dir, file), source);
      const config = {
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          // Checks tessera's own .d.ts files too: a stray import of another framework's types would fail here.
          skipLibCheck: false,
          types: ["node"],
          ...compilerOptions,
        },
        files: [file],
      };
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(config));
      await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: dir }).catch((error: { stdout?: string }) => {
        assert.fail(`tsc failed:\n${error.stdout ?? String(error)}`);
      });
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
