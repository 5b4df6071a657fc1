// The floor: the least a Redis-backed session can cost on Tessera's own
// client, with the Redis calls written by hand and no session library. A
// read is one HGETALL of the key the cookie names; a write is that read plus
// one round trip that sets the field and the TTL. Every floor app
// (floor-<framework>.js) is its framework's bare routes around these calls.
//
// Deliberately left out, because they are what a session library adds on
// top: cookie signing, hashing the token into the storage key, expiry
// bookkeeping, change detection, refusing to write a session that expired
// meanwhile. The floor stores the same data as Tessera (one hash field per
// top-level key, JSON values) under a key of the same length, so Redis's
// share compares.
import { randomBytes } from "node:crypto";
import process from "node:process";
import { IDLE_TIMEOUT_MS, PREFIX } from "./env.js";
import { CLIENT_KIND, connectClient } from "./redis-client.js";
import { USER, greet, hit, listKeys, setKey } from "./routes.js";

/**
 * BENCH_FLOOR_STAMPS=true (the `floor-<framework>-stamped` apps): a new
 * session also holds `@c` and `@a`, the creation and authentication times
 * every Tessera record keeps beside its data, so each read's HGETALL returns
 * them too (and the load parses them with the data). It measures what a
 * read costs for its reply's size, apart from what Tessera does.
 */
const STAMPS = process.env.BENCH_FLOOR_STAMPS === "true";

/** The cookie: `sid=` and 16 base64url characters (96 random bits). */
const COOKIE = /(?:^|;\s*)sid=([A-Za-z0-9_-]{16})(?=;|$)/;

/**
 * The write's one round trip: set the field and the idle TTL together.
 * One EVALSHA is one command to send and one reply to parse; MULTI, HSET,
 * PEXPIRE, EXEC is four of each on the client side for the same effect.
 */
const SET_FIELD_AND_TTL = "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return redis.call('PEXPIRE', KEYS[1], ARGV[3])";

/**
 * The floor's session calls on the harness's client (BENCH_TESSERA_CLIENT).
 *
 * @example
 * const floor = await floorSessions();
 * const session = await floor.load(req.headers.cookie); // one HGETALL, or none without a cookie
 * session.data.hits = (session.data.hits ?? 0) + 1;
 * await floor.save(session, "hits"); // one EVALSHA
 */
export async function floorSessions() {
  const client = await connectClient();
  const nodeRedis = CLIENT_KIND === "node-redis";
  const hgetall = nodeRedis ? (key) => client.hGetAll(key) : (key) => client.hgetall(key);
  const sha = nodeRedis ? await client.scriptLoad(SET_FIELD_AND_TTL) : await client.script("LOAD", SET_FIELD_AND_TTL);
  const ttl = String(IDLE_TIMEOUT_MS);
  const setFieldAndTtl = nodeRedis
    ? (key, field, value) =>
        client.evalSha(sha, { keys: [key], arguments: [field, value, ttl] }).catch((error) => {
          if (!isNoScript(error)) throw error;
          return client.eval(SET_FIELD_AND_TTL, { keys: [key], arguments: [field, value, ttl] });
        })
    : (key, field, value) =>
        client.evalsha(sha, 1, key, field, value, ttl).catch((error) => {
          if (!isNoScript(error)) throw error;
          return client.eval(SET_FIELD_AND_TTL, 1, key, field, value, ttl);
        });

  return {
    /**
     * The session the Cookie header names: `{ key, data }`, or undefined
     * without a well-formed cookie (no Redis call) or when the key is gone.
     */
    async load(cookieHeader) {
      const token = cookieHeader ? COOKIE.exec(cookieHeader)?.[1] : undefined;
      if (token === undefined) return undefined;
      const key = `${PREFIX}s:${token}`;
      const fields = await hgetall(key);
      let data;
      for (const name in fields) (data ??= {})[name] = JSON.parse(fields[name]);
      return data === undefined ? undefined : { key, data };
    },
    /** Stores one top-level key of a loaded session and refreshes its TTL (one round trip). */
    async save(session, field) {
      if (session !== undefined) await setFieldAndTtl(session.key, field, JSON.stringify(session.data[field]));
    },
    /** A new session holding `field = value`; returns its Set-Cookie header value. */
    async create(field, value) {
      const token = randomBytes(12).toString("base64url");
      const key = `${PREFIX}s:${token}`;
      if (STAMPS) {
        const now = String(Date.now());
        await (nodeRedis ? client.hSet(key, { "@c": now, "@a": now }) : client.hset(key, "@c", now, "@a", now));
      }
      await setFieldAndTtl(key, field, JSON.stringify(value));
      return `sid=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${IDLE_TIMEOUT_MS / 1000}`;
    },
  };
}

/**
 * The benchmark app's routes on the floor's calls, for the framework files:
 * each takes the request's Cookie header (and `i` of `/set`) and returns
 * the body; `login` also returns the Set-Cookie header value.
 *
 * @example
 * const routes = floorRoutes(await floorSessions());
 * app.get("/", async (req, res) => void res.send(await routes.read(req.headers.cookie)));
 */
export function floorRoutes(floor) {
  return {
    /** `GET /`: one HGETALL. */
    read: async (cookieHeader) => greet((await floor.load(cookieHeader))?.data ?? {}),
    /** `GET /hit`: one HGETALL, then one EVALSHA. */
    hit: async (cookieHeader) => {
      const session = await floor.load(cookieHeader);
      const body = hit(session?.data ?? {});
      await floor.save(session, "hits");
      return body;
    },
    /** `GET /set?i=N`: sets only its own field, so concurrent writers all keep theirs. */
    set: async (cookieHeader, i) => {
      const session = await floor.load(cookieHeader);
      const body = setKey(session?.data ?? {}, i);
      await floor.save(session, `k${Number(i)}`);
      return body;
    },
    keys: async (cookieHeader) => listKeys((await floor.load(cookieHeader))?.data ?? {}),
    /** `POST /login`: a new session holding the user. */
    login: async () => ({ setCookie: await floor.create("user", { ...USER }), body: "welcome" }),
  };
}

function isNoScript(error) {
  return error instanceof Error && error.message.startsWith("NOSCRIPT");
}
