import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { publint } from "publint";
import { formatMessage } from "publint/utils";

// What `npm publish` would upload, checked as a careful consumer checks it:
// exactly the files a user needs, source maps that resolve, README links that
// work on the registry, publint and attw clean. The package name is read from
// package.json, never written here.
const run = promisify(execFile);
const root = resolve(import.meta.dirname, "..");
const bin = (name: string): string => join(root, "node_modules", ".bin", name);

interface PackageJson {
  name: string;
  version: string;
  engines: { node: string };
  repository: { url: string };
  exports: Record<string, string | { types: string; default: string }>;
  bin: Record<string, string>;
}
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as PackageJson;

/** One file of `npm pack --json`, path relative to the package root. */
interface PackedFile {
  path: string;
}

/**
 * The attw profile this package is checked with: ESM-only, so the node10
 * and node16-from-CommonJS resolutions are out of scope (README "Package"
 * says why: CommonJS callers `require()` the ES modules on Node ^20.19 ||
 * >=22.12, which `engines` demands and the test below proves).
 */
const ATTW_PROFILE = "esm-only";

describe("the packed package", () => {
  let dir: string;
  let tarball: string;
  let files: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tessera-tarball-"));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: root, timeout: 120_000 });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: PackedFile[] }>;
    assert.ok(packed, `npm pack printed no package: ${stdout}`);
    tarball = join(dir, packed.filename);
    files = packed.files.map((file) => file.path).sort();
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("holds dist JS with declarations and maps, the sources the maps name, LICENSE, README and package.json: nothing else", () => {
    const allowed = [
      /^package\.json$/,
      /^README\.md$/,
      /^LICENSE$/,
      /^dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map)$/,
      // Shipped so that the maps resolve (see the next test).
      /^src\/.+\.ts$/,
      // The Redis store's Lua scripts, read at run time from dist (docs/format.md).
      /^(src|dist)\/store\/redis\/lua\/[a-z-]+\.lua$/,
    ];
    const unexpected = files.filter((file) => !allowed.some((pattern) => pattern.test(file)));
    assert.deepEqual(unexpected, [], "files that must not ship (tests, benches, examples, configs...)");
    for (const required of ["package.json", "README.md", "LICENSE"]) assert.ok(files.includes(required), `${required} is missing`);

    // Each module ships whole, and dist holds no stale output of a deleted source.
    const shipped = new Set(files);
    const sources = files.filter((file) => file.startsWith("src/") && file.endsWith(".ts") && !file.endsWith(".d.ts"));
    const modules = files.filter((file) => file.startsWith("dist/") && file.endsWith(".js"));
    assert.ok(modules.length > 0, "no JavaScript in dist/");
    for (const module of modules) {
      const base = module.slice(0, -".js".length);
      for (const companion of [`${base}.js.map`, `${base}.d.ts`, `${base}.d.ts.map`, `src/${base.slice("dist/".length)}.ts`]) {
        assert.ok(shipped.has(companion), `${module} ships without ${companion}`);
      }
    }
    assert.equal(sources.length, modules.length, "every source has its built module, and no built module lacks its source");
    const luaSources = files.filter((file) => file.startsWith("src/") && file.endsWith(".lua"));
    assert.ok(luaSources.length > 0, "the Lua scripts ship");
    for (const lua of luaSources) assert.ok(shipped.has(`dist/${lua.slice("src/".length)}`), `${lua} ships without its dist copy`);
  });

  it("ships every entry point and the bin that package.json names", () => {
    const targets = [
      ...Object.values(pkg.exports).flatMap((target) => (typeof target === "string" ? [target] : [target.types, target.default])),
      ...Object.values(pkg.bin),
    ];
    for (const target of targets) assert.ok(files.includes(posix.normalize(target)), `${target} is not in the tarball`);
  });

  it("source and declaration maps name only files that ship", () => {
    const shipped = new Set(files);
    const maps = files.filter((file) => file.endsWith(".map"));
    assert.ok(maps.length > 0, "no source maps in dist/");
    for (const map of maps) {
      // npm pack copies the files as they are: the repo's copy is the packed one.
      const { sources, sourceRoot = "" } = JSON.parse(readFileSync(join(root, map), "utf8")) as { sources: string[]; sourceRoot?: string };
      for (const source of sources) {
        const target = posix.join(posix.dirname(map), sourceRoot, source);
        assert.ok(shipped.has(target), `${map} points at ${source}, which does not ship`);
      }
    }
  });

  it("README links work where the README is read without the repository (registry page, node_modules)", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    // Inline links and images: [text](target) and ![alt](target).
    const targets = [...readme.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1] ?? "");
    assert.ok(targets.length > 0, "the README has no links: the pattern is broken");
    const relative = targets.filter((target) => !/^(https:\/\/|#)/.test(target) && !files.includes(posix.normalize(target)));
    assert.deepEqual(relative, [], "relative links to files that do not ship (make them absolute links to the repository)");
    // Absolute links into this repository must name files that exist.
    const repository = pkg.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");
    const prefix = `${repository}/blob/main/`;
    const missing = targets
      .filter((target) => target.startsWith(prefix))
      .map((target) => (target.slice(prefix.length).split("#")[0] ?? ""))
      .filter((path) => !existsSync(join(root, path)));
    assert.deepEqual(missing, [], `links under ${prefix} to files that are not in the repository`);
  });

  it("publint reports nothing, suggestions included", async () => {
    const tarballBytes = readFileSync(tarball);
    const { messages, pkg: packed } = await publint({
      pack: { tarball: tarballBytes.buffer.slice(tarballBytes.byteOffset, tarballBytes.byteOffset + tarballBytes.byteLength) },
      level: "suggestion",
      strict: true,
    });
    assert.deepEqual(
      messages.map((message) => `${message.type}: ${formatMessage(message, packed, { color: false }) ?? message.code}`),
      [],
    );
  });

  it(`attw --profile ${ATTW_PROFILE} reports no problem`, async () => {
    await run(bin("attw"), [tarball, "--profile", ATTW_PROFILE, "--no-color"], { cwd: root, timeout: 120_000 }).catch(
      (error: { stdout?: string; stderr?: string }) => assert.fail(`attw found problems:\n${error.stdout ?? ""}${error.stderr ?? String(error)}`),
    );
  });

  it(`require() loads every entry point on this Node (${process.version}; engines ${pkg.engines.node})`, async () => {
    // ESM-only: CommonJS callers rely on require(esm), unflagged from Node
    // 20.19 and 22.12, which is why engines excludes 20.0-20.18, 21 and
    // 22.0-22.11. A top-level await in any entry point would break it.
    assert.equal(pkg.engines.node, "^20.19.0 || >=22.12.0", "engines must leave out the Node versions without unflagged require(esm)");
    const specifiers = Object.keys(pkg.exports)
      .filter((subpath) => subpath !== "./package.json")
      .map((subpath) => pkg.name + subpath.slice(1));
    const script = `for (const s of ${JSON.stringify(specifiers)}) { const m = require(s); if (Object.keys(m).length === 0) throw new Error(s + " exported nothing"); }`;
    // From the package root, the names resolve to this package itself (self-reference through "exports").
    await run(process.execPath, ["--input-type=commonjs", "-e", script], { cwd: root, timeout: 60_000 }).catch(
      (error: { stderr?: string }) => assert.fail(`require() failed:\n${error.stderr ?? String(error)}`),
    );
  });
});
