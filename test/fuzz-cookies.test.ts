/**
 * Property-based fuzzing of the Cookie header through `load()`, on a signed
 * and an unsigned manager over a real redis-server holding really issued
 * sessions: at least 10,000 generated headers per manager (random bytes;
 * truncated, extended, bit-flipped, percent-encoded and look-alike tokens
 * and signatures; duplicate names; NUL bytes; lone surrogates; very long
 * headers). No header may throw, and no session may come back unless the
 * header carries the credential it was issued with.
 *
 * Seeded and reproducible: the seed is printed as a test diagnostic;
 * `FUZZ_SEED=<seed> node --import tsx --test test/fuzz-cookies.test.ts`
 * makes the same generation choices again. The issued tokens themselves come
 * from the CSPRNG and differ per run, so a failure also prints its
 * counterexample header in full (fast-check's report).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { Redis } from "ioredis";
import { createSessionManager, type Session, type SessionManager } from "tessera-session";
import { redisStore } from "tessera-session/redis";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { fuzzSeed } from "./support/fuzz-seed.js";

type Data = Record<string, unknown>;
const SECRET = "f".repeat(40);
const OTHER_SECRET = "g".repeat(40);
const NAME = "tessera";
const RUNS = 10_000;
const DECOY_RUNS = 2_000;
const LIVE_SESSIONS = 4;

/** The seed for every property of this file: `FUZZ_SEED` when set, else a fresh one. */
const SEED = fuzzSeed();

/** A session issued for the fuzzing: its cookie value, what proves it in a header, its id and data. */
interface Issued {
  readonly value: string;
  /** The part of the value that is the credential: the whole signed value, or the token without secrets. */
  readonly credential: string;
  readonly id: string;
  readonly user: string;
}

/** The sessions one manager issued: the live ones, and some that were issued and then ended. */
interface Issuance {
  readonly live: ReadonlyMap<string, Issued>;
  /** Every value issued, live or ended: the seeds of the mutations. */
  readonly values: readonly string[];
}

let redis: RedisServer;
let client: Redis;

before(async () => {
  redis = await startRedisServer();
  client = new Redis(redis.url);
});
after(async () => {
  client.disconnect();
  await redis.close();
});

function valueOf(setCookie: string): string {
  return setCookie.slice(setCookie.indexOf("=") + 1, setCookie.indexOf(";"));
}

/** Issues `LIVE_SESSIONS` live sessions, one destroyed one and one regenerated away. */
async function issueSessions(sessions: SessionManager<Data>, signed: boolean): Promise<Issuance> {
  const live = new Map<string, Issued>();
  const values: string[] = [];
  const login = async (user: string) => {
    const session = await sessions.load({ cookieHeader: undefined, secure: false });
    session.data.user = user;
    const value = valueOf((await sessions.commit(session))!);
    values.push(value);
    return { session, value };
  };
  for (let i = 0; i < LIVE_SESSIONS; i++) {
    const { session, value } = await login(`user-${i}`);
    live.set(session.id!, { value, credential: signed ? value : value.slice(0, 43), id: session.id!, user: `user-${i}` });
  }
  const destroyed = await login("destroyed");
  const ending = await sessions.load({ cookieHeader: `${NAME}=${destroyed.value}`, secure: false });
  await ending.destroy();
  const regenerated = await login("regenerated");
  const moving = await sessions.load({ cookieHeader: `${NAME}=${regenerated.value}`, secure: false });
  await moving.regenerate();
  const movedValue = valueOf((await sessions.commit(moving))!);
  live.set(moving.id!, { value: movedValue, credential: signed ? movedValue : movedValue.slice(0, 43), id: moving.id!, user: "regenerated" });
  values.push(movedValue);
  return { live, values };
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const base64urlText = (length: number) => fc.string({ unit: fc.constantFrom(...BASE64URL), minLength: length, maxLength: length });
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
/** Any single code unit or code point: controls, NUL, latin1, lone surrogates, astral characters. */
const anyUnit = fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), loneSurrogate, fc.constantFrom("\0", ";", ",", "=", " ", "\t", '"', "%"));
const anyText = (maxLength: number) => fc.string({ unit: anyUnit, maxLength });
const latin1Bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((bytes) => Buffer.from(bytes).toString("latin1"));

/** `text` with `replacement` in place of the code unit at `index` (taken modulo its length). */
function replaceAt(text: string, index: number, replacement: string): string {
  if (text.length === 0) return replacement;
  const at = index % text.length;
  return text.slice(0, at) + replacement + text.slice(at + 1);
}

/** Mutations of a value Tessera issued: each close to valid in one way. */
function mutationsOf(values: readonly string[]): fc.Arbitrary<string> {
  const value = fc.constantFrom(...values);
  const position = fc.nat();
  return fc.oneof(
    fc.tuple(value, position).map(([v, n]) => v.slice(0, n % v.length)), // truncated
    fc.tuple(value, anyText(12)).map(([v, tail]) => v + tail), // extended
    fc.tuple(value, anyText(12)).map(([v, head]) => head + v), // prefixed
    fc.tuple(value, position, fc.integer({ min: 0, max: 15 })).map(([v, n, bit]) => {
      const at = n % v.length;
      return replaceAt(v, at, String.fromCharCode(v.charCodeAt(at) ^ (1 << bit))); // one bit flipped
    }),
    fc.tuple(value, position, fc.integer({ min: 1, max: 0xff })).map(([v, n, high]) => {
      const at = n % v.length;
      return replaceAt(v, at, String.fromCharCode(v.charCodeAt(at) + (high << 8))); // look-alike: same low byte
    }),
    fc.tuple(value, fc.constantFrom(42, 86), fc.integer({ min: 1, max: 3 })).map(([v, at, stray]) => {
      if (at >= v.length) return v;
      return replaceAt(v, at, BASE64URL[(BASE64URL.indexOf(v[at]!) + stray) % 64]!); // stray bits in the last character
    }),
    fc.tuple(value, position, anyUnit).map(([v, n, unit]) => replaceAt(v, n, unit)), // one character replaced
    fc.tuple(value, position, fc.constantFrom("\0", "\uD800", "\uDFFF", "%00", "\u0141")).map(([v, n, unit]) => {
      const at = n % (v.length + 1);
      return v.slice(0, at) + unit + v.slice(at); // NUL, lone surrogate, look-alike inserted
    }),
    fc.tuple(value, fc.array(fc.boolean(), { minLength: 87, maxLength: 87 })).map(([v, mask]) =>
      [...v].map((c, i) => (mask[i] ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}` : c)).join(""),
    ), // percent-encoded
    fc.tuple(value, value).map(([a, b]) => `${a.slice(0, 43)}.${b.slice(44)}`), // one session's token, another's signature
    fc.tuple(value, base64urlText(43)).map(([v, signature]) => `${v.slice(0, 43)}.${signature}`), // a forged signature
    value.map((v) => v.slice(0, 43)), // the token without its signature
    value.map((v) => `"${v}"`), // quoted
    value.map((v) => ` \t${v}\t `), // padded with optional whitespace
    value.map((v) => v.replace(/[a-z]/g, (c) => c.toUpperCase())), // case changed
  );
}

/** Cookie values: issued ones, their mutations, and garbage. */
function cookieValues(issuance: Issuance): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...issuance.values), weight: 2 },
    { arbitrary: mutationsOf(issuance.values), weight: 10 },
    { arbitrary: base64urlText(43), weight: 1 },
    { arbitrary: fc.tuple(base64urlText(43), base64urlText(43)).map(([t, s]) => `${t}.${s}`), weight: 1 },
    { arbitrary: anyText(100), weight: 2 },
    { arbitrary: latin1Bytes(100), weight: 2 },
    { arbitrary: fc.constant(""), weight: 1 },
  );
}

const cookieNames = fc.oneof(
  { arbitrary: fc.constant(NAME), weight: 8 },
  { arbitrary: fc.constantFrom(" tessera", "tessera\t", "Tessera", "TESSERA", "tessera2", "xtessera", "__Host-tessera", "tes sera", ""), weight: 2 },
  { arbitrary: anyText(10), weight: 1 },
);
const separators = fc.constantFrom("; ", ";", " ; ", ";;", ", ", "\t;", "; ;", "\0; ");

/** Whole Cookie headers: pairs of any name and value, duplicate names, garbage, and headers past the length limit. */
function cookieHeaders(issuance: Issuance): fc.Arbitrary<string | undefined> {
  const pair = fc
    .tuple(cookieNames, fc.constantFrom("=", "==", " = ", "", "=\0"), cookieValues(issuance))
    .map(([name, equals, value]) => `${name}${equals}${value}`);
  const pairs = fc
    .array(fc.tuple(pair, separators), { minLength: 1, maxLength: 8 })
    .map((items) => items.map(([text, separator]) => text + separator).join(""));
  return fc.oneof(
    { arbitrary: pairs, weight: 12 },
    { arbitrary: fc.tuple(pairs, fc.integer({ min: 1_000, max: 20_000 })).map(([text, length]) => text.repeat(Math.ceil(length / Math.max(1, text.length))).slice(0, length)), weight: 1 },
    { arbitrary: fc.tuple(pairs, fc.integer({ min: 16_000, max: 17_000 })).map(([text, length]) => "x=".padEnd(length - text.length, "y") + ";" + text), weight: 1 },
    { arbitrary: anyText(200), weight: 1 },
    { arbitrary: latin1Bytes(200), weight: 1 },
    { arbitrary: fc.constantFrom(undefined, "", ";", "=", `${NAME}`, `${NAME}=`), weight: 1 },
  );
}

/** The assertion every load must pass: a session comes back only for a header carrying its issued credential. */
function assertOnlyIssued(session: Session<Data>, header: string | undefined, issuance: Issuance): void {
  if (session.isNew) {
    assert.deepEqual(session.data, {}, "an anonymous session starts empty");
    return;
  }
  const issued = issuance.live.get(session.id!);
  assert.ok(issued, `a session ${session.id} that was never issued (or has ended) was returned`);
  assert.ok(header?.includes(issued.credential), "a session was returned for a header without its issued credential");
  assert.equal(session.data.user, issued.user, "the session's own data");
}

describe("fuzzing the Cookie header through load()", { timeout: 180_000 }, () => {
  for (const signed of [true, false]) {
    const mode = signed ? "signed" : "unsigned";
    let sessions: SessionManager<Data>;
    let issuance: Issuance;

    before(async () => {
      const store = redisStore({ client, prefix: `fuzz-${mode}:` });
      sessions = createSessionManager<Data>(signed ? { store, secrets: [SECRET, OTHER_SECRET] } : { store });
      issuance = await issueSessions(sessions, signed);
    });

    it(`${mode}: ${RUNS} generated headers throw nothing and return only issued sessions, and lose nothing`, async (t) => {
      t.diagnostic(`FUZZ_SEED=${SEED}`);
      const keysBefore = (await client.keys(`fuzz-${mode}:*`)).sort();
      let returned = 0;
      await fc.assert(
        fc.asyncProperty(cookieHeaders(issuance), async (header) => {
          const session = await sessions.load({ cookieHeader: header, secure: false });
          assertOnlyIssued(session, header, issuance);
          await sessions.commit(session);
          if (!session.isNew) returned++;
        }),
        { seed: SEED, numRuns: RUNS },
      );
      t.diagnostic(`${returned} of ${RUNS} headers carried a live session's cookie`);
      assert.ok(returned > 0, "the generator reaches real sessions too");
      assert.deepEqual((await client.keys(`fuzz-${mode}:*`)).sort(), keysBefore, "nothing was written or deleted");
      for (const issued of issuance.live.values()) {
        const session = await sessions.load({ cookieHeader: `${NAME}=${issued.value}`, secure: false });
        assert.equal(session.data.user, issued.user, "every issued session still loads with its data");
      }
    });

    it(`${mode}: a live cookie among up to 3 generated decoys of its name always loads, and is never cleared`, async (t) => {
      t.diagnostic(`FUZZ_SEED=${SEED}`);
      const [real, ...others] = [...issuance.live.values()];
      // Decoys must not carry another live session's credential: such a
      // decoy would be a real session (the first live one wins by design).
      const decoy = cookieValues(issuance).filter((value) => !others.some((other) => value.includes(other.credential)));
      await fc.assert(
        fc.asyncProperty(fc.array(decoy, { maxLength: 3 }), fc.nat(), async (decoys, at) => {
          const values = [...decoys];
          values.splice(at % (decoys.length + 1), 0, real!.value);
          const header = values.map((value) => `${NAME}=${value}`).join("; ");
          const session = await sessions.load({ cookieHeader: header, secure: false });
          assert.equal(session.id, real!.id, "the real session loads");
          const setCookie = await sessions.commit(session);
          assert.ok(setCookie === undefined || valueOf(setCookie) === real!.value, "and is never cleared or replaced");
        }),
        { seed: SEED, numRuns: DECOY_RUNS },
      );
    });
  }
});
