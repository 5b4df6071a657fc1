import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { CREATED_AT_FIELD, SessionStoreError } from "tessera-session";
import { redisStore, type RedisClient } from "tessera-session/redis";
import { storeConformance } from "tessera-session/testing";
import type { RedisServer } from "./redis-server.js";
import { closeClient } from "./topology-clients.js";

/** A client under test, as its factory made it. */
type Client = RedisClient & { destroy?: () => unknown; disconnect?: () => unknown };

/** What {@link topologySuite} needs to know about a rig. */
export interface TopologySuiteOptions<Rig extends { close(): Promise<void> }> {
  /** "Cluster" or "Sentinel". */
  topology: string;
  start(): Promise<Rig>;
  /** Clients to run everything with, by name. */
  clients: Record<string, (rig: Rig) => Client | Promise<Client>>;
  /** Whether the store must take the Cluster path (single-slot steps). */
  isCluster: boolean;
  /** SCRIPT FLUSH on every running node: every node now "has never seen" the scripts. */
  flushScripts(rig: Rig): Promise<void>;
  /** The server that is master of `key` now. */
  masterOf(rig: Rig, key: string): Promise<RedisServer>;
  /** INFO commandstats of every data node. */
  commandStats(rig: Rig): Promise<string[]>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const newId = () => randomBytes(12).toString("base64url");

/** Calls of `command` so far, summed over INFO commandstats replies. */
function callsOf(command: string, stats: string[]): number {
  const pattern = new RegExp(`cmdstat_${command}:calls=(\\d+)`);
  return stats.reduce((total, info) => total + Number(pattern.exec(info)?.[1] ?? 0), 0);
}

/**
 * Registers, for one topology: the store conformance suite with each
 * client, and the topology-specific checks (client detection, NOSCRIPT
 * recovery on nodes that never saw the scripts, WAIT durability).
 */
export function topologySuite<Rig extends { close(): Promise<void> }>(options: TopologySuiteOptions<Rig>): void {
  let rig: Rig;
  before(async () => {
    rig = await options.start();
  });
  after(async () => {
    await rig?.close();
  });

  for (const [clientName, connect] of Object.entries(options.clients)) {
    const label = `${options.topology} over ${clientName}`;
    const prefix = `topo-${options.topology}-${clientName}:`.toLowerCase();
    let conformanceClient: Client;
    storeConformance({
      name: label,
      createStore: async () => {
        conformanceClient = await connect(rig);
        return redisStore({ client: conformanceClient, prefix: `${prefix}conf:` });
      },
      now: () => Date.now(),
      advance: sleep,
      teardown: () => closeClient(conformanceClient),
    });

    describe(`${label}: topology`, () => {
      let client: Client;
      before(async () => {
        client = await connect(rig);
      });
      after(async () => {
        await closeClient(client);
      });
      const policy = { idleTimeoutMs: 60_000, absoluteTimeoutMs: 0, renewIntervalMs: 6_000 };
      const create = (store: ReturnType<typeof redisStore>, id: string, value: string) =>
        store.write(id, { kind: "create", set: [[CREATED_AT_FIELD, String(Date.now())], ["v", value]], ttlMs: 60_000 }, Date.now());

      it(`regenerates ${options.isCluster ? "in two single-slot steps (Cluster detected)" : "in one atomic script (not taken for a Cluster)"}`, async () => {
        const store = redisStore({ client, prefix: `${prefix}detect:` });
        const id = newId();
        assert.equal(await create(store, id, '"a"'), "ok");
        const replace = { kind: "create" as const, set: [[CREATED_AT_FIELD, String(Date.now())], ["v", '"a"']] as Array<[string, string]>, ttlMs: 60_000, replaces: id };
        const replacement = newId();
        const master = await options.masterOf(rig, store.sessionKey(id));
        const replacementMaster = await options.masterOf(rig, store.sessionKey(replacement));
        // Counted on both sessions' masters (once if they are the same node).
        const regenerate = async () => assert.equal(await store.write(replacement, replace, Date.now()), "ok");
        const counts: Array<Record<string, number>> = [];
        const { byCommand } = await master.countCommands(async () => {
          if (replacementMaster.port === master.port) await regenerate();
          else counts.push((await replacementMaster.countCommands(regenerate)).byCommand);
        });
        counts.push(byCommand);
        const total = (name: string) => counts.reduce((sum, count) => sum + (count[name] ?? 0), 0);
        // The Cluster path takes the old session with a script of its own (a
        // DEL that a tombstone cannot satisfy), then creates the new one; the
        // single-master path does both in the write script.
        // Script runs: an EVALSHA, or an EVAL after an EVALSHA refused with
        // NOSCRIPT on a node that never saw the script (counted once).
        assert.equal(Math.max(total("evalsha"), total("eval")), options.isCluster ? 2 : 1);
        assert.equal(total("del"), 0);
      });

      it("re-sends its scripts with EVAL on nodes that have never seen them (NOSCRIPT)", async () => {
        const store = redisStore({ client, prefix: `${prefix}noscript:` });
        const id = newId();
        await options.flushScripts(rig);
        const evalsBefore = callsOf("eval", await options.commandStats(rig));
        assert.equal(await create(store, id, '"a"'), "ok");
        assert.equal(await store.write(id, { kind: "update", set: [["v", '"b"']], del: [], ttlMs: 60_000 }, Date.now()), "ok");
        assert.equal((await store.load(id, Date.now(), policy))?.fields.get("v"), '"b"');
        const replacement = newId();
        const replace = { kind: "create" as const, set: [[CREATED_AT_FIELD, String(Date.now())], ["v", '"c"']] as Array<[string, string]>, ttlMs: 60_000, replaces: id };
        await options.flushScripts(rig);
        assert.equal(await store.write(replacement, replace, Date.now()), "ok");
        assert.equal(await store.load(id, Date.now(), policy), undefined, "the old session is gone after regenerate");
        assert.equal((await store.load(replacement, Date.now(), policy))?.fields.get("v"), '"c"');
        assert.ok(callsOf("eval", await options.commandStats(rig)) > evalsBefore, "the EVAL fallback ran");
      });

      it(`reads and updates concurrent sessions ${options.isCluster ? "one key per command (their keys are in different slots)" : "coalesced into one script"}, each getting its own`, async () => {
        const store = redisStore({ client, prefix: `${prefix}coalesce:` });
        const ids = Array.from({ length: 20 }, newId);
        for (const [i, id] of ids.entries()) assert.equal(await create(store, id, String(i)), "ok");
        const loaded = await Promise.all(ids.map((id) => store.load(id, Date.now(), policy)));
        assert.deepEqual(
          loaded.map((session) => session?.fields.get("v")),
          ids.map((_, i) => String(i)),
        );
        // Concurrent updates too, acknowledged once a replica holds them.
        const durable = redisStore({ client, prefix: `${prefix}coalesce:`, waitForReplicas: { replicas: 1, timeoutMs: 2000 } });
        const results = await Promise.all(ids.map((id, i) => durable.write(id, { kind: "update", set: [["v", `u${i}`]], del: [] }, Date.now())));
        assert.deepEqual(results, ids.map(() => "ok"));
        const updated = await Promise.all(ids.map((id) => store.load(id, Date.now(), policy)));
        assert.deepEqual(
          updated.map((session) => session?.fields.get("v")),
          ids.map((_, i) => `u${i}`),
        );
      });

      it("waitForReplicas acknowledges writes a replica holds, and refuses to claim more", async () => {
        const durable = redisStore({ client, prefix: `${prefix}wait:`, waitForReplicas: { replicas: 1, timeoutMs: 2000 } });
        const id = newId();
        assert.equal(await create(durable, id, '"a"'), "ok");
        assert.equal(await durable.write(id, { kind: "update", set: [["v", '"b"']], del: [], ttlMs: 60_000 }, Date.now()), "ok");
        await durable.destroy(id);

        // Every master here has exactly one replica: asking for two must fail
        // with an unknown outcome (the write is on the master only).
        const overAsking = redisStore({ client, prefix: `${prefix}wait:`, waitForReplicas: { replicas: 2, timeoutMs: 50 } });
        await assert.rejects(create(overAsking, newId(), '"a"'), (error: unknown) => {
          assert.ok(error instanceof SessionStoreError);
          assert.equal(error.code, "TESSERA_STORE_TIMEOUT");
          assert.equal(error.outcome, "unknown");
          return true;
        });
        await assert.rejects(overAsking.destroy(newId()), SessionStoreError);
      });
    });
  }
}
