/**
 * Session values round-trip exactly through a real redis-server, or the
 * commit fails with a typed error and the stored session stays as it was
 * (issue 11, finding 8). One test per way a JavaScript value can fail to
 * survive JSON; test/fuzz-session-data.test.ts generates thousands more.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { createSessionManager, SessionDataError, SessionKeyError, type Session, type SessionManager } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

type Data = Record<string, unknown>;
const PREFIX = "data:";
/** The nesting limit the README documents (MAX_VALUE_DEPTH in src/core/serialize.ts). */
const MAX_DEPTH = 64;

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

/** A stored session holding `{ keep: "kept" }`: its Cookie header and Redis key. */
async function storedSession(): Promise<{ cookieHeader: string; key: string }> {
  const session = await sessions.load({ cookieHeader: undefined, secure: false });
  session.data.keep = "kept";
  const setCookie = await sessions.commit(session);
  return { cookieHeader: setCookie!.split(";")[0]!, key: `${PREFIX}s:${session.id}` };
}

function load(cookieHeader: string): Promise<Session<Data>> {
  return sessions.load({ cookieHeader, secure: false });
}

/** Nests `leaf` in `levels` arrays. */
function nested(levels: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

/**
 * Runs `change` on a stored session and commits: returns the commit's
 * error, after checking that a failed commit left the stored hash byte for
 * byte as it was (DUMP) and a successful one kept `keep`.
 */
async function commitChange(change: (session: Session<Data>) => void): Promise<{ error: unknown; reloaded: Session<Data> }> {
  const { cookieHeader, key } = await storedSession();
  const before = await client.dumpBuffer(key);
  const session = await load(cookieHeader);
  change(session);
  const error = await sessions.commit(session).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (error !== undefined) assert.deepEqual(await client.dumpBuffer(key), before, "a failed commit writes nothing");
  const reloaded = await load(cookieHeader);
  assert.equal(reloaded.data.keep, "kept");
  return { error, reloaded };
}

/** Commits `value` under `key` and returns it as a fresh load sees it. */
async function roundTrip(value: unknown, key = "value"): Promise<unknown> {
  const { error, reloaded } = await commitChange((session) => void (session.data[key] = value));
  assert.equal(error, undefined, "the commit succeeds");
  return reloaded.data[key];
}

/** Commits `value` under `key`, which must fail with a SessionDataError at `path`. */
async function assertRefused(value: unknown, path: string, reason?: RegExp): Promise<void> {
  const { error, reloaded } = await commitChange((session) => void (session.data.value = value));
  assert.ok(error instanceof SessionDataError, `expected a SessionDataError, got ${String(error)}`);
  assert.equal(error.code, "TESSERA_UNSERIALIZABLE");
  assert.equal(error.key, "value");
  assert.equal(error.path, path);
  if (reason) assert.match(error.message, reason);
  assert.equal(reloaded.data.value, undefined, "nothing was stored");
}

describe("deep nesting", () => {
  it("a value nested 5,000 levels deep (10 KB of JSON) fails the commit with SessionDataError, not RangeError", async () => {
    const deep = JSON.parse(`${"[".repeat(5000)}${"]".repeat(5000)}`) as unknown;
    await assertRefused(deep, `value${"[0]".repeat(MAX_DEPTH)}`, /deeper than 64 levels/);
  });

  it(`nesting is limited to ${MAX_DEPTH} levels: ${MAX_DEPTH} round-trip, ${MAX_DEPTH + 1} fail`, async () => {
    assert.deepStrictEqual(await roundTrip(nested(MAX_DEPTH)), nested(MAX_DEPTH));
    const objects = JSON.parse(`${'{"a":'.repeat(MAX_DEPTH)}1${"}".repeat(MAX_DEPTH)}`) as unknown;
    assert.deepStrictEqual(await roundTrip(objects), objects);
    await assertRefused(nested(MAX_DEPTH + 1), `value${"[0]".repeat(MAX_DEPTH)}`, /deeper than 64 levels/);
  });
});

describe("the data object's prototype", () => {
  const payload = () => ({ role: "admin" });

  it("data.__proto__ = x leaves the prototype alone (data.role never reads x) and fails the commit with SessionKeyError", async () => {
    const { error } = await commitChange((session) => {
      (session.data as { __proto__: unknown }).__proto__ = payload();
      assert.equal(Object.getPrototypeOf(session.data), Object.prototype);
      assert.equal(session.data.role, undefined);
      session.data.other = 1;
    });
    assert.ok(error instanceof SessionKeyError, `expected a SessionKeyError, got ${String(error)}`);
    assert.equal(error.key, "__proto__");
  });

  it("Object.assign(data, JSON.parse(body)) with a __proto__ key cannot swap the prototype, and fails the commit", async () => {
    const body = '{"name":"mallory","__proto__":{"role":"admin"}}';
    const { error } = await commitChange((session) => {
      Object.assign(session.data, JSON.parse(body));
      assert.equal(Object.getPrototypeOf(session.data), Object.prototype);
      assert.equal(session.data.role, undefined);
      assert.equal(session.data.name, "mallory");
    });
    assert.ok(error instanceof SessionKeyError, `expected a SessionKeyError, got ${String(error)}`);
    assert.equal(error.key, "__proto__");
  });

  it("session.data = an object with an own __proto__ key keeps the prototype and fails the commit", async () => {
    const { error } = await commitChange((session) => {
      session.data = JSON.parse('{"a":1,"__proto__":{"role":"admin"}}') as Data;
      assert.equal(Object.getPrototypeOf(session.data), Object.prototype);
      assert.equal(session.data.role, undefined);
      assert.equal(session.data.a, 1);
    });
    assert.ok(error instanceof SessionKeyError, `expected a SessionKeyError, got ${String(error)}`);
  });

  it("replacing the data object after such an assignment makes the session storable again", async () => {
    const { error, reloaded } = await commitChange((session) => {
      Object.assign(session.data, JSON.parse('{"__proto__":{"role":"admin"}}'));
      session.data = { keep: "kept", fresh: true };
    });
    assert.equal(error, undefined);
    assert.equal(reloaded.data.fresh, true);
  });

  it("the guard is invisible: keys, JSON, spreads and deep equality see only the data", async () => {
    const { reloaded } = await commitChange((session) => void (session.data.a = 1));
    assert.deepEqual(Object.keys(reloaded.data), ["keep", "a"]);
    assert.equal(JSON.stringify(reloaded.data), '{"keep":"kept","a":1}');
    assert.deepStrictEqual({ ...reloaded.data }, { keep: "kept", a: 1 });
    assert.deepStrictEqual(reloaded.data, { keep: "kept", a: 1 });
    assert.equal((reloaded.data as unknown as { __proto__: unknown }).__proto__, Object.prototype);
  });

  it("a __proto__ key nested in a value fails the commit with SessionDataError naming its path", async () => {
    const value = JSON.parse('{"prefs":{"__proto__":{"role":"admin"}}}') as unknown;
    await assertRefused(value, "value.prefs.__proto__", /__proto__/);
  });
});

describe("values JSON.stringify would change", () => {
  it("-0 round-trips, at the top and nested", async () => {
    const back = (await roundTrip({ n: -0, list: [-0, 0], top: -0 })) as { n: number; list: number[]; top: number };
    assert.ok(Object.is(back.n, -0), "nested -0");
    assert.ok(Object.is(back.list[0], -0), "-0 in an array");
    assert.ok(Object.is(back.list[1], 0), "0 stays 0");
    assert.ok(Object.is(back.top, -0), "-0 beside other keys");
    assert.ok(Object.is(await roundTrip(-0), -0), "-0 as a top-level value");
  });

  it("an array with a named property fails the commit instead of losing it", async () => {
    const list = Object.assign([1, 2], { total: 3 });
    await assertRefused({ list }, "value.list.total", /only an array's elements/);
  });

  it("holes and undefined in arrays fail the commit", async () => {
    // eslint-disable-next-line no-sparse-arrays
    await assertRefused([1, , 3], "value[1]", /hole/);
    await assertRefused([1, undefined], "value[1]", /undefined/);
    await assertRefused(Object.assign([1, , 3], { extra: 1 }), "value[1]", /hole/); // eslint-disable-line no-sparse-arrays
  });

  it("toJSON is never called: the value's own data is stored", async () => {
    const value = Object.defineProperty({ a: 1 }, "toJSON", { value: () => "replaced", enumerable: false });
    assert.deepStrictEqual(await roundTrip(value), { a: 1 });
    await assertRefused({ toJSON: () => "replaced" }, "value.toJSON", /function/);
  });

  it("a getter is read once: the value checked is the value stored", async () => {
    let reads = 0;
    const value = {
      get x(): unknown {
        reads++;
        return reads === 1 ? 1 : () => "changed";
      },
    };
    assert.deepStrictEqual(await roundTrip(value), { x: 1 });
    assert.equal(reads, 1);
  });

  it("non-plain objects, boxed primitives and Array subclasses fail the commit", async () => {
    class Point {
      x = 1;
    }
    class List extends Array<number> {}
    const cases: Array<[unknown, RegExp]> = [
      [new Point(), /Point instance/],
      [new String("s"), /boxed String/],
      [new Number(1), /boxed Number/],
      [new Boolean(false), /boxed Boolean/],
      [List.from([1]), /List instance/],
      [new Uint8Array(2), /Uint8Array instance/],
      [/regex/, /RegExp instance/],
      [new Date(0), /Date/],
      [new Map(), /Map/],
      [Symbol("s"), /symbol/],
      [10n, /BigInt/],
      [Number.NaN, /finite/],
      [-Infinity, /finite/],
    ];
    for (const [value, reason] of cases) await assertRefused({ inner: value }, "value.inner", reason);
  });

  it("null-prototype objects are stored, and come back as plain objects", async () => {
    const value = Object.assign(Object.create(null) as Data, { a: 1, b: { c: 2 } });
    assert.deepStrictEqual(await roundTrip(value), { a: 1, b: { c: 2 } });
  });

  it("numbers at the edges of the double range round-trip exactly", async () => {
    const numbers = [Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE, Number.MAX_SAFE_INTEGER + 2, 1e21, 1e-7, 0.1 + 0.2];
    assert.deepStrictEqual(await roundTrip(numbers), numbers);
  });
});

describe("lone surrogates", () => {
  it("round-trip in string values and nested keys (JSON escapes them)", async () => {
    const value = { "\ud800": "\udfff", pair: "\ud83d\ude00", list: ["a\udc00b"] };
    assert.deepStrictEqual(await roundTrip(value), value);
  });

  it("in a top-level key fail the commit with SessionKeyError: Redis would store U+FFFD instead", async () => {
    const { error, reloaded } = await commitChange((session) => void (session.data["a\ud800"] = 1));
    assert.ok(error instanceof SessionKeyError, `expected a SessionKeyError, got ${String(error)}`);
    assert.equal(error.key, "a\ud800");
    assert.deepStrictEqual(Object.keys(reloaded.data), ["keep"]);
  });
});

describe("loading what something else stored", () => {
  it("skips fields Tessera would not write, pollutes nothing, keeps them in the store, and later commits work", async () => {
    const { cookieHeader, key } = await storedSession();
    const foreign: Record<string, string> = {
      ["__proto__"]: '{"polluted":"yes"}',
      nested: '{"__proto__":{"polluted":"yes"}}',
      escaped: '{"\\u005f_proto__":{"polluted":"yes"}}',
      deep: `${"[".repeat(5000)}${"]".repeat(5000)}`,
      huge: "1e400",
      "": '"empty key"',
      broken: "{not json",
      good: '{"n":-0}',
    };
    await client.hset(key, Object.entries(foreign).flat());
    const session = await load(cookieHeader);
    const data: Data = session.data;
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.equal(session.data.polluted, undefined);
    assert.equal(({} as Data).polluted, undefined, "Object.prototype is untouched");
    assert.deepStrictEqual(session.data, { keep: "kept", good: { n: -0 } });
    data.more = 1;
    await sessions.commit(session);
    const stored = await client.hgetall(key);
    for (const [field, text] of Object.entries(foreign)) assert.equal(stored[field], text, `${field} left as it was`);
    assert.equal(stored.more, "1");
  });
});
