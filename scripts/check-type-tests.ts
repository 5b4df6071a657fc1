/**
 * Type-checks each file in test/types/ as its own program. Type tests
 * declare different `SessionData` augmentations, which are global to a
 * compilation, so they cannot share one. A file passes when it compiles
 * cleanly; its `// @ts-expect-error` lines prove that wrong code is
 * rejected (TypeScript reports an unused one as an error).
 */
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";

const root = resolve(import.meta.dirname, "..");
const dir = join(root, "test", "types");
const configFile = ts.readConfigFile(join(root, "tsconfig.json"), (path) => ts.sys.readFile(path));
const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);

const files = readdirSync(dir)
  .filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"))
  .map((name) => join(dir, name));
if (files.length === 0) {
  console.error("no type tests found in test/types");
  process.exit(1);
}

let failures = 0;
for (const file of files) {
  const program = ts.createProgram([file], { ...options, noEmit: true });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length === 0) {
    console.log(`ok   ${file.slice(root.length + 1)}`);
    continue;
  }
  failures++;
  console.log(`FAIL ${file.slice(root.length + 1)}`);
  console.log(ts.formatDiagnosticsWithColorAndContext(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" }));
}
console.log(`type tests: ${files.length - failures} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
