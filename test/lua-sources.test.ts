// The Lua scripts take the record's field names from core/record-fields.ts
// (design.md §6, "one rule, one place"): no script names a reserved field by
// hand. luaString escapes the `@` of every field it writes, so a quoted `@`
// anywhere in a script's source, as written or as built, is a hand-typed one.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import * as recordFields from "../src/core/record-fields.js";
import { LUA_FIELD, luaSourceFromFile, luaString } from "../src/store/redis/lua.js";
import * as scripts from "../src/store/redis/scripts.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

const root = resolve(import.meta.dirname, "..");
/** A quoted string that starts with `@`: a reserved field typed by hand. */
const HAND_WRITTEN_FIELD = /['"]@/;

/** Every file under `dir` ending in one of `endings`, recursively. */
function files(dir: string, endings: readonly string[]): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && endings.some((ending) => entry.name.endsWith(ending)) && !entry.name.endsWith(".d.ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The modules that build Lua: the Redis store's and the CLI's, as written and as built by `npm run build`. */
const LUA_BUILDERS = [
  ...files(join(root, "src", "store"), [".ts"]),
  ...files(join(root, "src", "cli"), [".ts"]),
  ...files(join(root, "dist", "store"), [".js"]),
  ...files(join(root, "dist", "cli"), [".js"]),
];

const builtScripts = Object.entries(scripts).filter(
  (entry): entry is [string, scripts.LuaScript] => typeof entry[1] === "object" && entry[1] !== null && "source" in entry[1],
);

describe("Lua sources name reserved fields only through record-fields.ts", () => {
  it("no module of the store or the CLI has a quoted '@ or \"@ literal", () => {
    assert.ok(LUA_BUILDERS.some((file) => file.includes(`${join("dist", "store")}`)), "dist/ is built (npm run build)");
    const offenders = LUA_BUILDERS.flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line, i) => (HAND_WRITTEN_FIELD.test(line) ? [`${relative(root, file)}:${i + 1}: ${line.trim()}`] : [])),
    );
    assert.deepEqual(offenders, []);
  });

  it("no built script source has one either", () => {
    assert.ok(builtScripts.length >= 10, `found ${builtScripts.length} scripts`);
    for (const [name, script] of builtScripts) assert.doesNotMatch(script.source, HAND_WRITTEN_FIELD, name);
  });

  it("the scripts that name a record's creation time name it through LUA_FIELD", () => {
    for (const name of ["LOAD_SCRIPT", "WRITE_SCRIPT", "UPDATE_MANY_SCRIPT", "INSPECT_SCRIPT", "REVOKE_SCRIPT", "REVOKE_ENTRY_SCRIPT", "TAKE_SCRIPT"]) {
      const script = builtScripts.find(([scriptName]) => scriptName === name)?.[1];
      assert.ok(script?.source.includes(LUA_FIELD.createdAt), name);
    }
  });

  it("the renewal rule is written once: one Lua snippet, in the load script", () => {
    const renewing = builtScripts.filter(([, script]) => script.source.includes("PEXPIRE") && script.source.includes("renewOnLoad"));
    assert.deepEqual(renewing.map(([name]) => name), ["LOAD_SCRIPT"]);
    assert.equal(scripts.LOAD_SCRIPT.source.match(/local function renewOnLoad/g)?.length, 1);
  });
});

const LUA_DIR = join(root, "src", "store", "redis", "lua");
const luaFiles = readdirSync(LUA_DIR).filter((name) => name.endsWith(".lua")).sort();

describe("the Lua files are the scripts' one source (docs/format.md), shared with Python", () => {
  it("no .lua file spells a reserved field: they name them as ${field} placeholders", () => {
    assert.ok(luaFiles.length >= 10, `found ${luaFiles.length} files`);
    for (const name of luaFiles) {
      const text = readFileSync(join(LUA_DIR, name), "utf8");
      assert.doesNotMatch(text, HAND_WRITTEN_FIELD, name);
      for (const [, field] of text.matchAll(/\$\{(\w*)\}/g)) assert.ok(Object.hasOwn(LUA_FIELD, field!), `${name}: \${${field}}`);
    }
  });

  it("every exported script is exactly one file, includes and placeholders expanded", () => {
    const fromFiles = new Set(luaFiles.map((name) => luaSourceFromFile(name)));
    for (const [name, script] of builtScripts) assert.ok(fromFiles.has(script.source), `${name} is not built from a lua/ file`);
    for (const [name, script] of builtScripts) assert.doesNotMatch(script.source, /--#include|\$\{/, name);
  });

  it("npm run build copies every file into dist, unchanged", () => {
    const built = join(root, "dist", "store", "redis", "lua");
    for (const name of luaFiles) assert.equal(readFileSync(join(built, name), "utf8"), readFileSync(join(LUA_DIR, name), "utf8"), name);
  });

  it("the Python package reads the same folder (python/tessera_session/lua is a link to it)", () => {
    const linked = join(root, "python", "tessera_session", "lua");
    assert.deepEqual(readdirSync(linked).filter((name) => name.endsWith(".lua")).sort(), luaFiles);
    for (const name of luaFiles) assert.equal(readFileSync(join(linked, name), "utf8"), readFileSync(join(LUA_DIR, name), "utf8"), name);
  });
});

describe("luaString, read back by Redis's Lua", () => {
  let server: RedisServer;
  let client: Redis;
  before(async () => {
    server = await startRedisServer();
    client = new Redis(server.url);
  });
  after(async () => {
    client.disconnect();
    await server.close();
  });

  it("turns any text into a literal Lua reads back unchanged", async () => {
    const samples = ["", "@c", "@1", "@100", "it's", 'say "hi"', "back\\slash", "new\nline", "\0nul", "]]", "naïve 😀", "%d %s", "a b_c"];
    for (const text of samples) {
      assert.equal(await client.eval(`return ${luaString(text)}`, 0), text, JSON.stringify(text));
    }
  });

  it("writes every reserved field as its record-fields.ts constant", async () => {
    const expected = {
      createdAt: recordFields.CREATED_AT_FIELD,
      userId: recordFields.USER_ID_FIELD,
      lastSeen: recordFields.LAST_SEEN_FIELD,
      lease: recordFields.LEASE_FIELD,
      tombstone: recordFields.TOMBSTONE_FIELD,
      expiry: recordFields.EXPIRY_FIELD,
      retired: recordFields.RETIRED_FIELD,
    };
    for (const [name, literal] of Object.entries(LUA_FIELD)) {
      assert.equal(await client.eval(`return ${literal}`, 0), expected[name as keyof typeof expected], name);
    }
  });
});
