import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type ErrorRequestHandler } from "express";
import { createSessionManager } from "tessera-session";
import { expressSession } from "tessera-session/express";
import { redisStore, type RedisClient, type WaitForReplicas } from "tessera-session/redis";
import type { RedisServer } from "./redis-server.js";
import { startRedisCluster } from "./rigs/cluster.js";
import { startRedisSentinel } from "./rigs/sentinel.js";
import * as clients from "./topology-clients.js";

/**
 * Failover under load: a real Express server on Tessera, a steady stream
 * of logins and session writes from a few sequential virtual users, and a
 * master killed (SIGKILL, by pid) mid-stream. Every acknowledged login and
 * write is checked afterwards.
 */

/** A topology under test, as the load needs it. */
export interface FailoverTarget {
  /** The client the store uses (closed by the caller). */
  client: RedisClient;
  /** The master that owns `key` now. */
  masterOf(key: string): Promise<RedisServer>;
  /** Waits until `key` has a new master after `killed` died; returns it. */
  waitForNewMaster(key: string, killed: RedisServer): Promise<RedisServer>;
  /** Brings the killed server back as a replica (an orchestrator's restart) and waits until `master` has a replica in sync. */
  rejoin(killed: RedisServer, master: RedisServer): Promise<void>;
}

/** How to run the load. */
export interface FailoverLoadOptions {
  waitForReplicas?: WaitForReplicas;
  /** The manager's storeTimeoutMs. */
  storeTimeoutMs: number;
  /** Concurrent sequential users. Default 6. */
  virtualUsers?: number;
  /** Load before the kill, ms. Default 1500. */
  warmupMs?: number;
  /** Load after the kill, at least, ms. Default 7000. */
  afterKillMs?: number;
  /**
   * Load after the group has healed (the killed server back as a replica), at
   * least, ms. Default 3000. The failover itself can take long on busy cores
   * (a split Sentinel vote is retried seconds later), so the window in which
   * requests must succeed again is counted from the heal, not the kill.
   */
  afterHealMs?: number;
  /** Writes per login. Default 5. */
  writesPerLogin?: number;
}

/** What happened. Times are ms since the kill. */
export interface FailoverReport {
  requests: number;
  failed: number;
  /** Failed requests by `status code` and Tessera error code, with one sample message each. */
  failures: Record<string, { count: number; sample: string }>;
  /** Requests that got no response at all within the client's 15 s limit (hangs). */
  hung: number;
  maxLatencyMs: number;
  p99LatencyMs: number;
  /** Every sentinel/cluster node agrees on the new master. */
  newMasterAtMs: number;
  /** The killed server is back as a replica of the new master. */
  replicaBackAtMs: number;
  /** End of the last failed request: from then on every request succeeded. */
  recoveredAtMs: number;
  /**
   * The requests started at least {@link SETTLE_AFTER_HEAL_MS} after the
   * heal, and how many of them failed: whether the client found the new
   * master, apart from the odd timeout of a starved machine.
   */
  afterHeal: { requests: number; failed: number };
  /** When the load stopped. */
  endedAtMs: number;
  acknowledgedLogins: number;
  lostLogins: number;
  acknowledgedWrites: number;
  /** Sessions whose stored counter is behind the last acknowledged write, with a value no failed write of it carried. */
  lostWrites: number;
  /**
   * Sessions whose stored counter is behind the last acknowledged write and
   * holds the value of a write whose request had failed with a store
   * timeout: that write was applied after the newer ones, late (node-redis
   * over Sentinel re-sends a command that failed on the dead master once it
   * has found the new one, even after Tessera gave up on it; see
   * docs/scaling-out.md).
   */
  lateWrites: number;
  /** Of the acknowledged logins, how many were regenerates of an earlier login (two keys). */
  regenerates: number;
  /** Sessions left unchecked because a regenerate from them failed (outcome unknown). */
  abandoned: number;
  /** A few of the lost sessions: what was acknowledged and what was read back. */
  lostSamples: string[];
}

/** How long after the heal the client may still be finding the new master: requests started later count in `afterHeal`. */
export const SETTLE_AFTER_HEAL_MS = 1000;

interface Sample {
  startedAt: number;
  endedAt: number;
  ok: boolean;
  key: string;
  message: string;
}

/** The app: login (regenerate), write a counter, read it back. */
function failoverApp(client: RedisClient, options: FailoverLoadOptions) {
  const store = redisStore({ client, prefix: "failover:", waitForReplicas: options.waitForReplicas });
  const sessions = createSessionManager<{ user: string; n: number }>({ store, storeTimeoutMs: options.storeTimeoutMs });
  const app = express();
  const tessera = expressSession(sessions);
  app.use(tessera);
  app.post("/login", async (req, res) => {
    const session = tessera.session(req);
    await session.regenerate();
    session.data.user = String(req.query.user);
    session.data.n = 0;
    // Committed as the response ends (a failure there goes to the error handler).
    res.json({ ok: true });
  });
  app.post("/write", (req, res) => {
    const session = tessera.session(req);
    if (session.data.user === undefined) return void res.status(401).json({ code: "NO_SESSION" });
    session.data.n = Number(req.query.n);
    res.json({ id: session.id });
  });
  app.get("/me", (req, res) => void res.json(tessera.session(req).data));
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    res.status(typeof error?.status === "number" ? error.status : 500).json({ code: error?.code ?? null, message: String(error?.message) });
  };
  app.use(onError);
  return { app, store };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The session cookie pair from a response, if it set one. */
function sessionCookie(response: Response): string | undefined {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith("tessera="));
  const pair = line?.split(";")[0];
  return pair === undefined || pair === "tessera=" ? undefined : pair;
}

/**
 * A session's data as the app reads it back. Retries a failed read (the
 * store may still be settling): only a successful read can show a loss.
 */
async function readBack(base: string, cookie: string): Promise<{ user?: string; n?: number; status?: number }> {
  let status = 0;
  for (let attempt = 0; attempt < 20; attempt++) {
    const response = await fetch(`${base}/me`, { headers: { cookie }, signal: AbortSignal.timeout(5000) });
    status = response.status;
    if (response.ok) return (await response.json()) as { user?: string; n?: number };
    await sleep(250);
  }
  throw new Error(`reading a session back kept failing with status ${status}`);
}

/** Runs the load, kills the master of a live session mid-stream, and checks every acknowledged write. */
export async function runFailoverLoad(target: FailoverTarget, options: FailoverLoadOptions): Promise<FailoverReport> {
  const { virtualUsers = 6, warmupMs = 1500, afterKillMs = 7000, afterHealMs = 3000, writesPerLogin = 5 } = options;
  const { app, store } = failoverApp(target.client, options);
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const samples: Sample[] = [];
  let hung = 0;
  /** Acknowledged sessions still expected to exist: cookie -> { user, n }. */
  const acknowledged = new Map<string, { user: string; n: number }>();
  /** The counter values whose write request failed with a store timeout (outcome unknown), by cookie. */
  const timedOut = new Map<string, Set<number>>();
  let acknowledgedWrites = 0;
  let regenerates = 0;
  let abandoned = 0;
  let firstSessionId: string | undefined;
  let stopping = false;

  const call = async (method: string, path: string, cookie: string | undefined): Promise<Response | undefined> => {
    const startedAt = Date.now();
    try {
      const response = await fetch(base + path, { method, headers: cookie ? { cookie } : {}, signal: AbortSignal.timeout(15_000) });
      const body = (await response.clone().text()).slice(0, 300);
      const ok = response.status < 400;
      let key = String(response.status);
      let message = "";
      if (!ok) {
        let parsed: { code?: string; message?: string } = {};
        try {
          parsed = JSON.parse(body) as typeof parsed;
        } catch {
          parsed = { code: "(not the app's error handler)", message: body };
        }
        key = `${response.status} ${parsed.code ?? ""}`.trim();
        message = parsed.message ?? body;
      }
      samples.push({ startedAt, endedAt: Date.now(), ok, key, message });
      return response;
    } catch (error) {
      hung++;
      samples.push({ startedAt, endedAt: Date.now(), ok: false, key: "no response", message: String(error) });
      return undefined;
    }
  };

  const user = async (vu: number): Promise<void> => {
    for (let cycle = 0; !stopping && cycle < 10_000; cycle++) {
      // Log in from scratch, write, then log in again from that session
      // (a regenerate: on a Cluster the old and new keys sit on different slots).
      let cookie: string | undefined;
      for (let login = 0; login < 2 && !stopping; login++) {
        const name = `vu${vu}-${cycle}-${login}`;
        const response = await call("POST", `/login?user=${name}`, cookie);
        const newCookie = response?.ok ? sessionCookie(response) : undefined;
        if (!response?.ok || !newCookie) {
          // A failed regenerate has an unknown outcome for the old session
          // (on a Cluster it is taken before the new one is written): it is
          // no longer an acknowledged state to check.
          if (cookie && acknowledged.delete(cookie)) abandoned++;
          break; // start a fresh cycle
        }
        if (cookie) {
          acknowledged.delete(cookie); // replaced on purpose: the old token must be dead
          regenerates++;
        }
        cookie = newCookie;
        acknowledged.set(cookie, { user: name, n: 0 });
        for (let n = 1; n <= writesPerLogin && !stopping; n++) {
          const write = await call("POST", `/write?n=${n}`, cookie);
          if (write?.ok) {
            firstSessionId ??= ((await write.json()) as { id: string }).id;
            acknowledged.set(cookie, { user: name, n });
            acknowledgedWrites++;
          } else if (write?.status === 503 && ((await write.json()) as { code?: string }).code === "TESSERA_STORE_TIMEOUT") {
            timedOut.set(cookie, (timedOut.get(cookie) ?? new Set()).add(n));
          }
          await sleep(2);
        }
      }
    }
  };

  const users = Array.from({ length: virtualUsers }, (_, vu) => user(vu));
  let killedAt: number;
  let newMasterAtMs: number;
  let replicaBackAtMs: number;
  let endedAtMs: number;
  let lostLogins = 0;
  let lostWrites = 0;
  let lateWrites = 0;
  const lostSamples: string[] = [];
  let failed = true;
  try {
    await sleep(warmupMs);
    if (firstSessionId === undefined) throw new Error("no login succeeded during warm-up");
    const key = store.sessionKey(firstSessionId);
    const victim = await target.masterOf(key);
    killedAt = Date.now();
    await victim.stop({ crash: true });
    const newMaster = await target.waitForNewMaster(key, victim);
    newMasterAtMs = Date.now() - killedAt;
    await target.rejoin(victim, newMaster);
    replicaBackAtMs = Date.now() - killedAt;
    await sleep(Math.max(afterKillMs, replicaBackAtMs + afterHealMs) - (Date.now() - killedAt));
    endedAtMs = Date.now() - killedAt; // the users stop now, in the finally
    failed = false;
  } finally {
    // Even when the failover went wrong: stop the users and the server, so
    // nothing keeps the test process alive.
    stopping = true;
    await Promise.all(users);
    if (failed) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  try {
    // Every acknowledged login must still be there, with at least its last acknowledged write.
    for (const [cookie, expected] of acknowledged) {
      const data = await readBack(base, cookie);
      if (data.user === expected.user && (data.n ?? -1) >= expected.n) continue;
      const late = data.user === expected.user && data.n !== undefined && timedOut.get(cookie)?.has(data.n) === true;
      if (data.user !== expected.user) lostLogins++;
      else if (late) lateWrites++;
      else lostWrites++;
      if (lostSamples.length < 5) lostSamples.push(`expected ${JSON.stringify(expected)}, read ${JSON.stringify(data)}${late ? " (the value of a write that had timed out)" : ""}`);
    }
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  const failures: FailoverReport["failures"] = {};
  for (const sample of samples) {
    if (sample.ok) continue;
    const entry = (failures[sample.key] ??= { count: 0, sample: sample.message.slice(0, 160) });
    entry.count++;
  }
  const latencies = samples.map((sample) => sample.endedAt - sample.startedAt).sort((a, b) => a - b);
  const lastFailure = Math.max(killedAt, ...samples.filter((sample) => !sample.ok).map((sample) => sample.endedAt));
  const afterHeal = samples.filter((sample) => sample.startedAt - killedAt >= replicaBackAtMs + SETTLE_AFTER_HEAL_MS);
  return {
    requests: samples.length,
    failed: samples.filter((sample) => !sample.ok).length,
    failures,
    hung,
    maxLatencyMs: latencies.at(-1) ?? 0,
    p99LatencyMs: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
    newMasterAtMs,
    replicaBackAtMs,
    recoveredAtMs: lastFailure - killedAt,
    afterHeal: { requests: afterHeal.length, failed: afterHeal.filter((sample) => !sample.ok).length },
    endedAtMs,
    acknowledgedLogins: acknowledged.size,
    lostLogins,
    acknowledgedWrites,
    lostWrites,
    lateWrites,
    regenerates,
    abandoned,
    lostSamples,
  };
}

/** The four topology × client combinations the failover load runs on. */
export type FailoverSetup = `${"Cluster" | "Sentinel"} over ${"ioredis" | "node-redis"}`;
export const FAILOVER_SETUPS: readonly FailoverSetup[] = [
  "Cluster over ioredis",
  "Cluster over node-redis",
  "Sentinel over ioredis",
  "Sentinel over node-redis",
];

/** Connects a client to a fresh rig, closing the rig if that fails. */
type AnyClient = Parameters<typeof clients.closeClient>[0] & RedisClient;

async function connectOrClose(rig: { close(): Promise<void> }, connect: () => AnyClient | Promise<AnyClient>): Promise<AnyClient> {
  try {
    return await connect();
  } catch (error) {
    await rig.close();
    throw error;
  }
}

async function closeBoth(client: AnyClient, rig: { close(): Promise<void> }): Promise<void> {
  try {
    await clients.closeClient(client);
  } finally {
    await rig.close();
  }
}

/** The rig and client for `setup`, as a failover target, and how to tear both down. */
async function openTarget(setup: FailoverSetup): Promise<{ target: FailoverTarget; close(): Promise<void> }> {
  const useIoredis = setup.endsWith("ioredis");
  if (setup.startsWith("Cluster")) {
    const rig = await startRedisCluster();
    const client = await connectOrClose(rig, () => (useIoredis ? clients.ioredisCluster(rig) : clients.nodeRedisCluster(rig)));
    const target: FailoverTarget = {
      client,
      masterOf: (key) => rig.masterOf(key),
      waitForNewMaster: (key, killed) => rig.waitForNewMaster(key, killed),
      // The restarted node finds its identity in nodes.conf and rejoins as a replica.
      rejoin: async (killed, master) => {
        await killed.restart();
        await rig.waitForReplica(master);
      },
    };
    return { target, close: () => closeBoth(client, rig) };
  }
  const rig = await startRedisSentinel();
  const client = await connectOrClose(rig, () => (useIoredis ? clients.ioredisSentinel(rig) : clients.nodeRedisSentinel(rig)));
  const target: FailoverTarget = {
    client,
    masterOf: () => rig.master(),
    waitForNewMaster: (_key, killed) => rig.waitForNewMaster(killed),
    rejoin: async (killed, master) => {
      await rig.rejoinAsReplica(killed);
      await rig.waitForReplica(master);
    },
  };
  return { target, close: () => closeBoth(client, rig) };
}

/** Starts the rig and client for `setup`, runs the failover load, and tears everything down. */
export async function runFailover(setup: FailoverSetup, options: FailoverLoadOptions): Promise<FailoverReport> {
  const { target, close } = await openTarget(setup);
  try {
    return await runFailoverLoad(target, options);
  } finally {
    await close();
  }
}
