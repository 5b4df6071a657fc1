/**
 * Property-based fuzzing of session values through the manager and a real
 * redis-server (issue 11, finding 8): at least 5,000 generated values per
 * run, each set on a loaded session (by key, by Object.assign or by
 * replacing `data`) and committed. Each either reloads deep-equal, by
 * `assert.deepStrictEqual`, which tells -0 from 0, holes from undefined and
 * prototypes apart, or the commit rejects with a TesseraError and the
 * stored hash is byte for byte unchanged (DUMP). Values known to be storable
 * must be stored and values known to be poisoned must be refused; fast-check's
 * `anything()` adds values whose fate is not predicted. A second property
 * writes generated JSON texts straight into a stored session and checks
 * that loading never throws or pollutes, and that the session still commits.
 *
 * Seeded and reproducible: the seed is printed as a test diagnostic;
 * `FUZZ_SEED=<seed> node --import tsx --test test/fuzz-session-data.test.ts`
 * runs the same values again.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { Redis } from "ioredis";
import { createSessionManager, TesseraError, type Session, type SessionManager } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { fuzzSeed } from "./support/fuzz-seed.js";

type Data = Record<string, unknown>;
const PREFIX = "fuzz-data:";
/** The nesting limit the README documents. */
const MAX_DEPTH = 64;
/** Values per fast-check run: one session each, committed once per value. */
const BATCH = 10;
const RUNS = 510;
const MIN_VALUES = 5_000;
const LOAD_RUNS = 300;

/** The seed for every property of this file: `FUZZ_SEED` when set, else a fresh one. */
const SEED = fuzzSeed();

let redis: RedisServer;
let client: Redis;
let sessions: SessionManager<Data>;

before(async () => {
  redis = await startRedisServer();
  client = new Redis(redis.url);
  sessions = createSessionManager<Data>({ store: redisStore({ client, prefix: PREFIX }) });
});
after(async () => {
  client.disconnect();
  await redis.close();
});

// ---------------------------------------------------------------- generators

/** Key names inside values: any UTF-16 (lone surrogates too), look-alikes of dangerous names, never "__proto__". */
const innerName = fc
  .oneof(
    fc.string({ unit: "binary", maxLength: 8 }),
    fc.constantFrom("constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "toJSON", "__proto", "proto__", "length", "0", "-0", "1e3"),
  )
  .filter((name) => name !== "__proto__");

const finiteNumber = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(-0, 0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER + 2, 1e21, 1e-7, 5e-324),
);

const leaf = fc.oneof(fc.string({ unit: "binary", maxLength: 12 }), finiteNumber, fc.boolean(), fc.constant(null));

/** Makes `object`'s `name` property a getter that always returns `value`. */
function withGetter(object: Data, name: string, value: unknown): Data {
  return Object.defineProperty(object, name, { get: () => value, enumerable: true, configurable: true });
}

/**
 * Values that must be stored and come back as {@link expected} says: plain
 * JSON with -0 and lone surrogates, plus null-prototype objects, properties
 * set to undefined, getters, and what is not data (non-enumerable
 * properties, symbol keys, a non-enumerable toJSON), which are left out.
 */
const { storable } = fc.letrec<{ storable: unknown; array: unknown[]; object: Data }>((tie) => ({
  storable: fc.oneof({ maxDepth: 4, depthSize: "small" }, leaf, tie("array"), tie("object")),
  array: fc.array(tie("storable"), { maxLength: 4 }),
  object: fc
    .tuple(
      fc.dictionary(innerName, tie("storable"), { maxKeys: 4 }),
      fc.constantFrom("plain", "null-prototype", "undefined-property", "getter", "hidden", "symbol", "toJSON"),
      innerName,
      tie("storable"),
    )
    .map(([entries, twist, name, extra]) => {
      const object: Data = twist === "null-prototype" ? Object.assign(Object.create(null) as Data, entries) : { ...entries };
      if (twist === "undefined-property") object[name] = undefined;
      if (twist === "getter") withGetter(object, name, extra);
      if (twist === "hidden") Object.defineProperty(object, `hidden ${name}`, { value: () => "not data", enumerable: false });
      if (twist === "symbol") (object as Record<symbol, unknown>)[Symbol(name)] = () => "not data";
      if (twist === "toJSON") Object.defineProperty(object, "toJSON", { value: () => "replaced", enumerable: false });
      return object;
    }),
}));

/** Nests arrays or objects `levels` deep around `inner`. */
function chain(levels: number, useObjects: boolean, inner: unknown): unknown {
  let value = inner;
  for (let i = 0; i < levels; i++) value = useObjects ? { a: value } : [value];
  return value;
}

/** Chains of arrays or objects up to the limit: stored. Used only at the top, as wrapping would deepen them. */
const deepStorable = fc.tuple(fc.integer({ min: 1, max: MAX_DEPTH }), fc.boolean(), leaf).map(([levels, useObjects, inner]) => chain(levels, useObjects, inner));

class Point {
  x = 1;
}
class List extends Array<number> {}

/** Things no commit may store, each made afresh (the fuzz must not share mutable values). */
const poisonMakers: Record<string, () => unknown> = {
  function: () => () => 1,
  symbol: () => Symbol("s"),
  bigint: () => 10n,
  NaN: () => Number.NaN,
  Infinity: () => Infinity,
  "-Infinity": () => -Infinity,
  Date: () => new Date(0),
  Map: () => new Map([[1, 2]]),
  Set: () => new Set([1]),
  RegExp: () => /x/g,
  Error: () => new Error("e"),
  Promise: () => Promise.resolve(1),
  WeakMap: () => new WeakMap(),
  "class instance": () => new Point(),
  "inherited properties": () => Object.create({ inherited: 1 }) as unknown,
  "array-like object": () => Object.create(Array.prototype) as unknown,
  "boxed String": () => new String("s"),
  "boxed Number": () => new Number(-0),
  "boxed Boolean": () => new Boolean(false),
  Uint8Array: () => new Uint8Array([1, 2]),
  Buffer: () => Buffer.from("x"),
  "Array subclass": () => List.from([1, 2]),
  "array hole": () => [1, , 2], // eslint-disable-line no-sparse-arrays
  "hole hidden by a named property": () => Object.assign([1, , 2], { extra: 1 }), // eslint-disable-line no-sparse-arrays
  "undefined in an array": () => [1, undefined],
  "array with a named property": () => Object.assign([1, 2], { total: 3 }),
  "array with a function property": () => Object.assign([1], { toJSON: () => "replaced" }),
  "own toJSON function": () => ({ a: 1, toJSON: () => "replaced" }),
  "parsed __proto__ key": () => JSON.parse('{"a":1,"__proto__":{"polluted":true}}') as unknown,
  "escaped __proto__ key": () => JSON.parse('{"\\u005f_proto__":{"polluted":true}}') as unknown,
  "defined __proto__ key": () => Object.defineProperty({}, "__proto__", { value: 1, enumerable: true }),
  "array cycle": () => {
    const cycle: unknown[] = [1];
    cycle.push([cycle]);
    return cycle;
  },
  "object cycle": () => {
    const cycle: Data = { a: 1 };
    cycle.self = { back: cycle };
    return cycle;
  },
  "5,000 nested arrays": () => labelled(JSON.parse(`${"[".repeat(5000)}${"]".repeat(5000)}`) as object, "5,000 nested arrays"),
  "5,000 nested objects": () => labelled(JSON.parse(`${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`) as object, "5,000 nested objects"),
};

/**
 * Gives a deep value a short name in fast-check's reports, whose printer
 * recurses and would overflow the stack. The symbol key is not data: the
 * encoder leaves it out.
 */
function labelled<T extends object>(value: T, label: string): T {
  return Object.assign(value, { [fc.toStringMethod]: () => label });
}

const poison = fc.oneof(
  fc.constantFrom(...Object.keys(poisonMakers)).map((name) => poisonMakers[name]!()),
  fc.tuple(fc.integer({ min: MAX_DEPTH + 1, max: 6000 }), fc.boolean()).map(([levels, useObjects]) => labelled(chain(levels, useObjects, 1) as object, `${levels} nested ${useObjects ? "objects" : "arrays"}`)),
);

/** One step of the way from a value's top down to a poison, with storable siblings around it. */
const step = fc.oneof(
  fc.record({ kind: fc.constant("array" as const), before: fc.array(storable, { maxLength: 2 }), after: fc.array(storable, { maxLength: 2 }) }),
  fc.record({ kind: fc.constant("object" as const), name: innerName, siblings: fc.dictionary(innerName, storable, { maxKeys: 2 }) }),
);

/** A storable value with one poison somewhere inside (or at the top). */
const poisoned = fc.tuple(poison, fc.array(step, { maxLength: 3 })).map(([inner, steps]) => {
  let value = inner;
  for (const { kind, ...around } of steps.reverse()) {
    if (kind === "array") {
      const { before, after } = around as { before: unknown[]; after: unknown[] };
      value = [...before, value, ...after];
    } else {
      const { name, siblings } = around as { name: string; siblings: Data };
      value = { ...siblings, [name]: value };
    }
  }
  return value;
});

/** Top-level keys: usable ones, and ones a commit must refuse whatever the value. */
const usableKey = fc
  .oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 8 }), fc.constantFrom("constructor", "toString", "hasOwnProperty", "role", "a.b", " "))
  .filter((key) => !key.startsWith("@") && key !== "__proto__" && !/[\ud800-\udfff]/u.test(key) && key !== "keep");
const unusableKey = fc.oneof(
  fc.constantFrom("", "@", "@c", "@u", "__proto__"),
  fc.tuple(fc.string({ maxLength: 3 }), fc.constantFrom("\ud800", "\udbff", "\udc00", "\udfff")).map(([text, lone]) => `${text}${lone}`),
);

type Expectation = "stored" | "refused" | "either";

/** One generated session value: where and how it is set, and what must happen. */
interface Case {
  readonly key: string;
  readonly value: unknown;
  readonly how: "set" | "assign" | "replace";
  readonly expect: Expectation;
  readonly family: string;
}

const valueCase = fc.oneof(
  { weight: 4, arbitrary: storable.map((value) => ({ value, expect: "stored" as const, family: "storable" })) },
  { weight: 1, arbitrary: deepStorable.map((value) => ({ value, expect: "stored" as const, family: "deep storable" })) },
  { weight: 4, arbitrary: poisoned.map((value) => ({ value, expect: "refused" as const, family: "poisoned" })) },
  {
    weight: 2,
    arbitrary: fc
      .anything({
        maxDepth: 3,
        withBoxedValues: true,
        withSet: true,
        withMap: true,
        withNullPrototype: true,
        withBigInt: true,
        withDate: true,
        withTypedArray: true,
        withSparseArray: true,
        withObjectString: true,
      })
      .map((value) => ({ value, expect: "either" as const, family: "anything" })),
  },
);

/**
 * Any assignment of "__proto__" is refused; another unusable key set to
 * undefined is simply absent (nothing to store); any other value under it is refused.
 */
function expectationForUnusableKey(key: string, value: unknown): Expectation {
  return key !== "__proto__" && value === undefined ? "stored" : "refused";
}

const sessionCase: fc.Arbitrary<Case> = fc
  .tuple(fc.oneof({ weight: 9, arbitrary: usableKey.map((key) => ({ key, usable: true })) }, { weight: 1, arbitrary: unusableKey.map((key) => ({ key, usable: false })) }), valueCase, fc.constantFrom("set", "assign", "replace") as fc.Arbitrary<Case["how"]>)
  .map(([{ key, usable }, { value, expect, family }, how]) => ({
    key,
    value,
    how,
    expect: usable ? expect : expectationForUnusableKey(key, value),
    family: usable ? family : `unusable key, ${family}`,
  }));

// ------------------------------------------------------------------ checking

/**
 * What a value must reload as: what `Object.keys` lists of each object
 * (getters read, properties set to undefined left out), on a plain object;
 * arrays element by element; primitives as they are.
 */
function expected(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expected);
  if (value === null || typeof value !== "object") return value;
  const plain: Data = {};
  for (const name of Object.keys(value)) {
    const child = (value as Data)[name];
    if (child !== undefined) Object.defineProperty(plain, name, { value: expected(child), enumerable: true, writable: true, configurable: true });
  }
  return plain;
}

/** Sets `value` under `key` the way `how` says, as an app would. */
function apply(session: Session<Data>, { key, value, how }: Case): void {
  // An own property even for "__proto__", as JSON.parse would make it.
  const source = Object.defineProperty({}, key, { value, enumerable: true, writable: true, configurable: true });
  if (how === "set") session.data[key] = value;
  else if (how === "assign") Object.assign(session.data, source);
  else session.data = { ...session.data, ...source };
}

/** A stored session holding `{ keep: "kept" }`: its Cookie header and Redis key. */
async function storedSession(): Promise<{ cookieHeader: string; key: string }> {
  const session = await sessions.load({ cookieHeader: undefined, secure: false });
  session.data.keep = "kept";
  const setCookie = await sessions.commit(session);
  return { cookieHeader: setCookie!.split(";")[0]!, key: `${PREFIX}s:${session.id}` };
}

function describeCase(c: Case): string {
  return `${c.family} value set by ${c.how} under ${JSON.stringify(c.key)}`;
}

/** The globals a prototype-pollution payload would reach. */
function assertNothingPolluted(session: Session<Data>): void {
  assert.equal(Object.getPrototypeOf(session.data), Object.prototype, "the data object keeps its prototype");
  assert.equal(session.data.polluted, undefined, "no data read goes through a planted prototype");
  assert.equal(({} as Data).polluted, undefined, "Object.prototype is untouched");
  assert.equal(([] as unknown as Data).polluted, undefined, "Array.prototype is untouched");
}

describe("fuzzing session values through commit and reload", () => {
  it(`at least ${MIN_VALUES} generated values each reload deep-equal or fail with a TesseraError, leaving the stored session unchanged`, async (t) => {
    t.diagnostic(`FUZZ_SEED=${SEED}`);
    const outcomes = new Map<string, number>();
    const count = (label: string) => outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
    let values = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(sessionCase, { minLength: BATCH, maxLength: BATCH }), async (cases) => {
        const { cookieHeader, key } = await storedSession();
        /** What each key must reload as, after the commits that succeeded. */
        const model = new Map<string, unknown>([["keep", "kept"]]);
        let session = await sessions.load({ cookieHeader, secure: false });
        for (const c of cases) {
          values++;
          const before = await client.dumpBuffer(key);
          apply(session, c);
          assertNothingPolluted(session);
          const error = await sessions.commit(session).then(
            () => undefined,
            (failure: unknown) => failure,
          );
          if (error === undefined) {
            assert.notEqual(c.expect, "refused", `${describeCase(c)} must be refused`);
            // Only stored values are walked here: poisons may nest thousands of levels.
            if (c.value === undefined) model.delete(c.key);
            else model.set(c.key, expected(c.value));
            count(`${c.family}: stored`);
            continue;
          }
          assert.ok(error instanceof TesseraError, `${describeCase(c)}: expected a TesseraError, got ${String(error)}`);
          assert.notEqual(c.expect, "stored", `${describeCase(c)} must be stored, got ${String(error)}`);
          assert.deepEqual(await client.dumpBuffer(key), before, `${describeCase(c)}: a failed commit writes nothing`);
          count(`${c.family}: refused (${error.code})`);
          // The next request starts from what is stored.
          session = await sessions.load({ cookieHeader, secure: false });
          assertNothingPolluted(session);
        }
        const reloaded = await sessions.load({ cookieHeader, secure: false });
        assert.deepStrictEqual({ ...reloaded.data }, Object.fromEntries(model), "every stored value reloads deep-equal");
        // A fixed point: the reloaded values encode to the stored texts, so committing them writes nothing.
        const settled = await client.dumpBuffer(key);
        await sessions.commit(reloaded);
        assert.deepEqual(await client.dumpBuffer(key), settled, "committing what was loaded changes nothing");
      }),
      { seed: SEED, numRuns: RUNS },
    );
    assert.ok(values >= MIN_VALUES, `${values} values tried`);
    t.diagnostic(`${values} values: ${[...outcomes].sort().map(([label, n]) => `${label} ${n}`).join("; ")}`);
  });
});

// --------------------------------------------------------------- loading

/** Texts a commit would never write, so a load must not show them. */
const REFUSED_TEXTS = [
  "1e400",
  "[1E+309]",
  '{"__proto__":{"polluted":true}}',
  '{"a":{"\\u005f\\u005fproto\\u005f\\u005f":{"polluted":true}}}',
  `${"[".repeat(MAX_DEPTH + 1)}${"]".repeat(MAX_DEPTH + 1)}`,
  `${"[".repeat(5000)}${"]".repeat(5000)}`,
  `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`,
];

/** Texts a foreign writer might leave in a session field. */
const storedText = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value, null, 1)),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constantFrom(...REFUSED_TEXTS),
  fc.constantFrom("-0", "[-0]", "-1e-400", '"\\ud800"', '{"\\udfff":1}', '{"a":1,"a":2}', `${"[".repeat(MAX_DEPTH)}${"]".repeat(MAX_DEPTH)}`),
);

/**
 * Field names a foreign writer might use: well-formed (lone surrogates in
 * keys are the commit fuzz's business), never "@" metadata, which would
 * change what the session is.
 */
const storedField = fc
  .oneof(fc.string({ maxLength: 6 }), fc.constantFrom("", "__proto__", "constructor", "toString"))
  .filter((field) => !field.startsWith("@") && field !== "keep");

/** JSON.parse, or undefined when the text is not JSON. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A session hash as stored, field by field (ioredis's hgetall would assign a "__proto__" field to an object). */
async function readHash(key: string): Promise<Map<string, string>> {
  const fields = await client.hkeys(key);
  const texts = await client.hmget(key, ...fields);
  return new Map(fields.map((field, i) => [field, texts[i]!]));
}

describe("fuzzing what a session's fields hold when something else wrote them", () => {
  it("loading never throws or pollutes, shows each field as its text says or not at all, and the session still commits", async (t) => {
    t.diagnostic(`FUZZ_SEED=${SEED}`);
    await fc.assert(
      fc.asyncProperty(fc.dictionary(storedField, storedText, { minKeys: 1, maxKeys: 6 }), async (fields) => {
        const { cookieHeader, key } = await storedSession();
        const written = Object.entries(fields);
        await client.hset(key, ...written.flat());
        const stored = await readHash(key);
        const session = await sessions.load({ cookieHeader, secure: false });
        assertNothingPolluted(session);
        const shown = new Set(Object.keys(session.data));
        for (const [name, text] of written) {
          const value = parsed(text);
          const label = `field ${JSON.stringify(name)} holding ${text.slice(0, 40)}`;
          if (name === "__proto__" || name === "" || value === undefined || REFUSED_TEXTS.includes(text)) {
            assert.ok(!shown.has(name), `${label} is not shown`);
          } else if (!text.includes("__proto__")) {
            assert.ok(shown.has(name), `${label} is shown`);
            assert.deepStrictEqual(session.data[name], value, `${label} shows its text's value`);
          }
        }
        session.data.touched = true;
        await sessions.commit(session);
        const after = await readHash(key);
        for (const [name, text] of stored) {
          if (name === "touched") continue;
          // A field shown may be rewritten in Tessera's own spelling of the same value (no whitespace...).
          if (shown.has(name)) assert.deepStrictEqual(parsed(after.get(name)!), parsed(text), `${JSON.stringify(name)} keeps its value`);
          else assert.equal(after.get(name), text, `${JSON.stringify(name)}, not shown, is left as it was`);
        }
        assert.equal(after.get("touched"), "true");
      }),
      { seed: SEED, numRuns: LOAD_RUNS },
    );
  });
});
