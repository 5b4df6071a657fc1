/**
 * Every ```ts (or ```typescript) block of README.md and docs/*.md compiles as
 * written, against the built package, under `strict`,
 * `exactOptionalPropertyTypes` and `noUncheckedIndexedAccess`: the docs
 * cannot rot.
 *
 * Each block is its own program and module (so blocks may each declare
 * their own `SessionData`, and use top-level await). A block that is a
 * fragment names, in an HTML comment right before it (invisible when the
 * Markdown is rendered), the contexts that declare what it takes from its
 * surroundings:
 *
 *     <!-- snippet: express sessions -->
 *     ```ts
 *     app.get("/", (req, res) => res.send(req.session.data.username ?? "?"));
 *     ```
 *
 * A context is `test/docs-snippets/<name>.ts` (or `.d.ts`); it declares the app's own
 * values (`app`, `sessions`, `req`...), never a package's exports, so a
 * block that forgets an import fails. The mark `compile-error` says the
 * block shows wrong code on purpose: then it must fail, exactly on the lines
 * that end in `// compile error`, and nowhere else.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";

const root = resolve(import.meta.dirname, "..");
const contextDir = join(root, "test", "docs-snippets");
/** Where each block is compiled from, as if it were a file of the app (see `project/`). */
const snippetDir = join(contextDir, "project", "test");
const COMPILE_ERROR_MARK = "compile-error";
const COMPILE_ERROR_COMMENT = "// compile error";

/** One TypeScript block of a Markdown file. */
interface Snippet {
  /** The Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the block's first code line in that file. */
  firstLine: number;
  code: string;
  contexts: string[];
  expectsCompileError: boolean;
}

/** The ```ts blocks of one Markdown file, with the marks in the comment before each. */
function extractSnippets(file: string): Snippet[] {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const snippets: Snippet[] = [];
  for (let index = 0; index < lines.length; index++) {
    const fence = /^(\s*)(`{3,})(\S*)/.exec(lines[index] ?? "");
    if (!fence) continue;
    const [, indent = "", ticks = "", language = ""] = fence;
    const start = index;
    // Skip to the closing fence, whatever the language, so fences inside a block are not misread.
    do index++;
    while (index < lines.length && !(lines[index] ?? "").startsWith(`${indent}${ticks}`));
    if (language !== "ts" && language !== "typescript") continue;

    let previous = start - 1;
    while (previous >= 0 && (lines[previous] ?? "").trim() === "") previous--;
    const mark = /^\s*<!--\s*snippet:([^>]*)-->\s*$/.exec(lines[previous] ?? "");
    const words = (mark?.[1] ?? "").trim().split(/\s+/).filter(Boolean);
    snippets.push({
      file,
      firstLine: start + 2,
      code: lines.slice(start + 1, index).map((line) => line.slice(indent.length)).join("\n"),
      contexts: words.filter((word) => word !== COMPILE_ERROR_MARK),
      expectsCompileError: words.includes(COMPILE_ERROR_MARK),
    });
  }
  return snippets;
}

const markdownFiles = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`),
];
const snippets = markdownFiles.flatMap(extractSnippets);

// The project's compiler options, with the strictest settings users turn on.
const configFile = ts.readConfigFile(join(root, "tsconfig.json"), (path) => ts.sys.readFile(path));
const { options: projectOptions } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
const options: ts.CompilerOptions = {
  ...projectOptions,
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noEmit: true,
};

// One host for all programs: the library's and the frameworks' declaration
// files are parsed once, not once per block.
const baseHost = ts.createCompilerHost(options);
const parsed = new Map<string, ts.SourceFile | undefined>();
const virtualFiles = new Map<string, string>();
const host: ts.CompilerHost = {
  ...baseHost,
  fileExists: (fileName) => virtualFiles.has(fileName) || baseHost.fileExists(fileName),
  readFile: (fileName) => virtualFiles.get(fileName) ?? baseHost.readFile(fileName),
  getSourceFile(fileName, languageVersion, onError, shouldCreate) {
    const text = virtualFiles.get(fileName);
    if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion, true);
    if (!parsed.has(fileName)) parsed.set(fileName, baseHost.getSourceFile(fileName, languageVersion, onError, shouldCreate));
    return parsed.get(fileName);
  },
};

/** A diagnostic as `file:line: message`, with the Markdown line for the block itself. */
function describeDiagnostic(diagnostic: ts.Diagnostic, snippet: Snippet, snippetFile: string): { line: number | undefined; text: string } {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
  if (!diagnostic.file || diagnostic.start === undefined) return { line: undefined, text: message };
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  if (diagnostic.file.fileName === snippetFile) {
    return { line, text: `${snippet.file}:${snippet.firstLine + line}: ${message}` };
  }
  return { line: undefined, text: `${relative(root, diagnostic.file.fileName)}:${line + 1}: ${message}` };
}

/**
 * A context's file: `<name>.ts`, or `<name>.d.ts` for one that declares an
 * ambient module (a .ts file of this ESM package is always a module, and a
 * module can only augment modules, not declare them).
 */
function contextFile(context: string): string | undefined {
  return [`${context}.ts`, `${context}.d.ts`].map((name) => join(contextDir, name)).find((path) => existsSync(path));
}

/** Compiles one block with its contexts; returns its diagnostics. */
function compile(snippet: Snippet): Array<{ line: number | undefined; text: string }> {
  const name = `${snippet.file.replace(/[^a-z0-9]+/gi, "-")}-${snippet.firstLine}.ts`;
  const snippetFile = join(snippetDir, name);
  // `export {}` makes the block a module even when it imports nothing, as
  // every file of an ESM app is: its own scope, top-level await, and a
  // `declare module "tessera-session"` that augments rather than replaces.
  virtualFiles.set(snippetFile, `${snippet.code}\nexport {};\n`);
  try {
    const contextFiles = snippet.contexts.flatMap((context) => contextFile(context) ?? []);
    const program = ts.createProgram({ rootNames: [snippetFile, ...contextFiles], options, host });
    return ts.getPreEmitDiagnostics(program).map((diagnostic) => describeDiagnostic(diagnostic, snippet, snippetFile));
  } finally {
    virtualFiles.delete(snippetFile);
  }
}

describe("TypeScript snippets in README.md and docs/ compile as written", () => {
  it("finds the blocks, and every context they name exists", () => {
    assert.ok(snippets.length >= 10, `only ${snippets.length} TypeScript blocks found: is the extraction broken?`);
    for (const snippet of snippets) {
      for (const context of snippet.contexts) {
        assert.ok(contextFile(context), `${snippet.file}:${snippet.firstLine}: no snippet context "${context}" (test/docs-snippets/${context}.ts)`);
      }
    }
  });

  for (const snippet of snippets) {
    const marks = [...snippet.contexts, ...(snippet.expectsCompileError ? [COMPILE_ERROR_MARK] : [])];
    it(`${snippet.file}:${snippet.firstLine}${marks.length > 0 ? ` (${marks.join(" ")})` : ""}`, () => {
      const diagnostics = compile(snippet);
      const lines = snippet.code.split("\n");
      const marked = lines.flatMap((line, index) => (line.trimEnd().endsWith(COMPILE_ERROR_COMMENT) ? [index] : []));
      const fail = (problem: string, details: string[]): never => assert.fail(`${problem}:\n  ${details.join("\n  ")}`);
      if (!snippet.expectsCompileError) {
        if (marked.length > 0) fail(`lines say "${COMPILE_ERROR_COMMENT}" but the block lacks <!-- snippet: ${COMPILE_ERROR_MARK} -->`, marked.map((line) => `${snippet.file}:${snippet.firstLine + line}`));
        if (diagnostics.length > 0) fail("the block does not compile", diagnostics.map((diagnostic) => diagnostic.text));
        return;
      }
      if (marked.length === 0) fail(`a block marked ${COMPILE_ERROR_MARK} must say which lines fail`, [`end them with "${COMPILE_ERROR_COMMENT}"`]);
      const unexpected = diagnostics.filter((diagnostic) => diagnostic.line === undefined || !marked.includes(diagnostic.line));
      if (unexpected.length > 0) fail(`errors outside the "${COMPILE_ERROR_COMMENT}" lines`, unexpected.map((diagnostic) => diagnostic.text));
      const silent = marked.filter((line) => !diagnostics.some((diagnostic) => diagnostic.line === line));
      if (silent.length > 0) fail("lines that say they fail compile", silent.map((line) => `${snippet.file}:${snippet.firstLine + line}: ${(lines[line] ?? "").trim()}`));
    });
  }
});
