// Dependencies point one way (adapters -> core <- stores, all re-exported by
// the package root): no module of the core or of an adapter imports the
// root, which would make an import loop.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";

const root = resolve(import.meta.dirname, "..");
const packageRoot = join(root, "src", "index.ts");

/** Every .ts file under `dir`, recursively. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The relative module specifiers a file imports or re-exports, static or dynamic (`import("...")` types too). */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => resolve(dirname(file), specifier.replace(/\.js$/, ".ts")));
}

describe("import boundaries", () => {
  for (const folder of ["src/core", "src/adapters"]) {
    it(`no module of ${folder} imports the package root`, () => {
      const offenders = sourceFiles(join(root, folder)).filter((file) => relativeImports(file).includes(packageRoot));
      assert.deepEqual(offenders.map((file) => relative(root, file)), []);
    });
  }
});
