import { isCutDue, isRenewalDue, renewalOnLoad, withSessionExpiry } from "../../core/expiry.js";
import type { CreateWrite, SessionStore, SessionWrite, StoredSession, UpdateWrite, UserIndexStore, WriteResult } from "../../core/store.js";
import type { ExpiryPolicy } from "../../core/expiry.js";
import { redisPort, type RedisClient } from "./client.js";
import { resolveWaitForReplicas, type WaitForReplicas } from "./durability.js";
import { LOAD_SCRIPT, TAKE_SCRIPT, WRITE_SCRIPT } from "./scripts.js";
import { knownExpiries, knownSessionExpiries } from "./known-expiries.js";
import { pairsToMap, sessionHashReader, sessionHashUpdater } from "./session-commands.js";
import { writeArguments } from "./write-arguments.js";
import { redisUserIndex } from "./user-index.js";
import { redisAtomicFields } from "./atomic-fields.js";
import { announcingSessionEnds } from "../../core/session-ends.js";
import { redisSessionEnds } from "./session-ends.js";
import { batchSizeHistogram, type TelemetryHistogram, type TelemetryMeter } from "../../core/telemetry.js";

/** The batch-size metric's attributes, made once (recorded per coalesced turn). */
const READ_BATCH = { "tessera.redis.command": "read" } as const;
const UPDATE_BATCH = { "tessera.redis.command": "update" } as const;

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /**
   * A connected ioredis or node-redis client: standalone, Cluster or
   * Sentinel. Tessera does not own it: close it yourself on shutdown.
   * Tessera adds a no-op 'error' listener so an outage cannot crash the process.
   */
  client: RedisClient;
  /** Prefix of every key Tessera writes. Default `"tessera:"`. Use one per app sharing a Redis. */
  prefix?: string;
  /**
   * Durability: acknowledge a commit or destroy only once this many
   * replicas hold it (Redis `WAIT` on the same node, right after the write).
   * Without it a write acknowledged to the browser can be lost when its
   * master dies before replicating it. With too few replicas in time the
   * request fails with `SessionStoreError` (outcome "unknown"). Costs one
   * replication round trip per write; see docs/scaling-out.md.
   *
   * @example `{ replicas: 1, timeoutMs: 500 }`
   */
  waitForReplicas?: WaitForReplicas;
  /**
   * Coalescing: the plain session reads that this process starts in one
   * event-loop turn reach Redis in one write, as plain HGETALLs (a client
   * that batches by itself, such as node-redis or ioredis with
   * `enableAutoPipelining`, already does that; for any other the store sends
   * them as one pipeline), and the session updates of one turn go as one
   * script call once there are at least 8 of them (fewer are sent one by
   * one, which costs Redis less). Off Cluster only; a lone request still
   * sends its own command. Default `true`. Neither costs Redis more per
   * request than plain commands. Set `false` to send every command as it
   * comes. See docs/performance.md.
   */
  coalesce?: boolean;
  /**
   * Announce every session this store ends (destroy, regenerate, revoke,
   * eviction) on the Redis channel `<prefix>ended` (a shard channel,
   * SPUBLISH, on a Cluster), so that WebSockets bound to them close on every
   * instance within a second (`tessera-session/ws`, `tessera-session/socket.io`).
   * Costs one PUBLISH per logout, login or revoke, nothing on reads and
   * writes. Default `true`.
   */
  announceSessionEnds?: boolean;
}

/** A Redis session store, with its key layout exposed for tooling and tests. */
export interface RedisSessionStore extends SessionStore {
  /** The key prefix in use. */
  readonly prefix: string;
  /** The Redis key of a session's hash, from its id. */
  sessionKey(id: string): string;
  /** The Redis key of a user's index (a sorted set of session ids scored by lease end). */
  userKey(userId: string): string;
  /** The per-user index, on sorted sets under {@link userKey}. */
  readonly userIndex: UserIndexStore;
}

function toStoredSession(reply: unknown, now: number): StoredSession | undefined {
  if (!Array.isArray(reply)) return undefined;
  const [flat, ttl, renewed] = reply as [unknown, number | string, number | string];
  return { fields: pairsToMap(flat), expiresAt: now + Number(ttl), renewed: Number(renewed) === 1 };
}

/**
 * A session store in Redis: one hash per session under
 * `<prefix>s:<id>`, where `id` is derived from the token by SHA-256 (the raw
 * token is never stored), and one sorted set per user under
 * `<prefix>u:<userId>` indexing that user's bound sessions (see
 * `docs/sessions-and-cli.md`). Every command touches one key, so Redis Cluster
 * works without cross-slot errors. A load is one command: a plain read
 * while this process knows the renewal cannot be due yet, else a Lua script
 * that also renews; writes are single Lua scripts. Off Cluster, the plain
 * reads of one event-loop turn reach Redis in one write, and the updates of
 * a busy turn share one script (see `sessionHashReader`, `sessionHashUpdater`).
 * Scripts are resent with EVAL when a node has not seen them.
 *
 * @example
 * ```ts
 * import Redis from "ioredis";
 * import { redisStore } from "tessera-session/redis";
 * const store = redisStore({ client: new Redis(process.env.REDIS_URL), prefix: "myapp:" });
 * ```
 */
export function redisStore(options: RedisStoreOptions): RedisSessionStore {
  if (!options || typeof options !== "object" || !options.client) {
    throw new TypeError("redisStore needs { client }: an ioredis or node-redis client");
  }
  const port = redisPort(options.client, { waitForReplicas: resolveWaitForReplicas(options.waitForReplicas) });
  const prefix = options.prefix ?? "tessera:";
  const sessionKey = (id: string): string => `${prefix}s:${id}`;
  const userKey = (userId: string): string => `${prefix}u:${userId}`;
  const expiries = knownExpiries();
  const ownExpiries = knownSessionExpiries();
  /**
   * Whether no renewal can be due for session `id`, whose expiry this
   * process knows to be `known`: judged with the idle timeout it renews to
   * (its own, from `setExpiry`, or the policy's), and for a session with its
   * own expiry, no cut to a lowered maximum either (`isCutDue`).
   */
  function renewalCannotBeDue(id: string, known: number, now: number, policy: ExpiryPolicy): boolean {
    const own = ownExpiries.get(id);
    if (own === undefined) return !isRenewalDue(known, now + policy.idleTimeoutMs, policy);
    const target = now + withSessionExpiry(policy, own).idleTimeoutMs;
    return !isRenewalDue(known, target, policy) && !isCutDue(known, target, policy);
  }
  if (options.coalesce !== undefined && typeof options.coalesce !== "boolean") {
    throw new TypeError(`redisStore: coalesce must be true or false, got ${typeof options.coalesce}`);
  }
  const coalesce = options.coalesce ?? true;
  // Set by `instrument` (a manager with a meter); until then batches are not measured.
  let batchSizes: TelemetryHistogram | undefined;
  const readHash = sessionHashReader(port, { coalesce, onBatch: (size) => batchSizes?.record(size, READ_BATCH) });
  const updateHash = sessionHashUpdater(port, { coalesce, onBatch: (size) => batchSizes?.record(size, UPDATE_BATCH) });

  function update(id: string, write: UpdateWrite): Promise<WriteResult> {
    return updateHash({ key: sessionKey(id), write });
  }

  async function create(id: string, write: CreateWrite): Promise<WriteResult> {
    const keys = [sessionKey(id)];
    if (write.replaces !== undefined) {
      if (port.isCluster) {
        // Two sessions' keys live in different slots, so a regenerate on a
        // Cluster is two steps: take the old session (refusing if it is
        // already gone), then create the new one. A failure between them
        // logs the user out; it never leaves the old token working (with a
        // grace window, working read-only until the window ends). The
        // create still meets a tombstone ("revoked") like the one-script path.
        const grace = write.replacedGraceMs !== undefined && write.replacedGraceMs > 0 ? [String(Math.ceil(write.replacedGraceMs))] : [];
        const taken = Number(await port.write(TAKE_SCRIPT, [sessionKey(write.replaces)], grace));
        if (taken === 0) return "gone";
        const result = (await port.write(WRITE_SCRIPT, keys, writeArguments(write))) as WriteResult;
        // A refused create fails closed: the retired copy must not outlive the refusal.
        if (result !== "ok" && grace.length > 0) await port.del(sessionKey(write.replaces));
        expiries.forget(write.replaces);
        return result;
      } else {
        keys.push(sessionKey(write.replaces));
      }
    }
    const result = (await port.write(WRITE_SCRIPT, keys, writeArguments(write))) as WriteResult;
    if (write.replaces !== undefined) expiries.forget(write.replaces);
    return result;
  }

  if (options.announceSessionEnds !== undefined && typeof options.announceSessionEnds !== "boolean") {
    throw new TypeError(`redisStore: announceSessionEnds must be true or false, got ${typeof options.announceSessionEnds}`);
  }

  const store: RedisSessionStore = {
    prefix,
    sessionKey,
    userKey,
    userIndex: redisUserIndex(port, sessionKey, userKey),
    atomicFields: redisAtomicFields(port, sessionKey),

    async load(id: string, now: number, policy: ExpiryPolicy): Promise<StoredSession | undefined> {
      const known = expiries.get(id);
      if (known !== undefined && known > now && renewalCannotBeDue(id, known, now, policy)) {
        // Renewal cannot be due (even ignoring the absolute and lease caps,
        // which only make it less due): a plain read does, at a fraction of
        // the load script's cost in Redis. At most one command.
        const fields = await readHash(sessionKey(id));
        // An own expiry changed on another instance may have moved the
        // expiry earlier than the one remembered: forget it, so the next
        // read runs the load script and learns the real one.
        if (fields.size === 0 || ownExpiries.learn(id, fields)) expiries.forget(id);
        // Redis expires the key at the absolute or lease deadline anyway; the
        // check covers clock skew and a record that is not ours. (The rule
        // cannot ask for a renewal here: its target only lowers the move.)
        if (fields.size === 0 || renewalOnLoad(fields, known - now, now, policy).expired) return undefined;
        return { fields, expiresAt: known, renewed: false };
      }
      const reply = await port.run(
        LOAD_SCRIPT,
        [sessionKey(id)],
        [
          String(now),
          String(policy.idleTimeoutMs),
          String(policy.absoluteTimeoutMs),
          String(policy.renewIntervalMs),
          policy.maxIdleTimeoutMs === undefined ? "" : String(policy.maxIdleTimeoutMs),
          policy.maxAbsoluteTimeoutMs === undefined ? "" : String(policy.maxAbsoluteTimeoutMs),
        ],
      );
      const stored = toStoredSession(reply, now);
      if (stored) {
        expiries.remember(id, stored.expiresAt);
        ownExpiries.learn(id, stored.fields);
      } else expiries.forget(id);
      return stored;
    },

    async write(id: string, write: SessionWrite, now: number): Promise<WriteResult> {
      const result = write.kind === "update" ? await update(id, write) : await create(id, write);
      if (result === "ok") ownExpiries.learnWrite(id, write);
      if (result === "ok" && write.ttlMs !== undefined) expiries.remember(id, now + write.ttlMs);
      if (result !== "ok") expiries.forget(id);
      return result;
    },

    async destroy(id: string): Promise<void> {
      expiries.forget(id);
      ownExpiries.forget(id);
      await port.del(sessionKey(id));
    },

    instrument(meter: TelemetryMeter): void {
      batchSizes ??= batchSizeHistogram(meter);
    },
  };
  return options.announceSessionEnds === false ? store : announcingSessionEnds(store, redisSessionEnds(options.client, `${prefix}ended`));
}
