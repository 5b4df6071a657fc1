import { rawCommand, startRedisServer, startRedisServers, type RedisServer } from "../redis-server.js";
import { waitFor } from "../wait-for.js";
import { infoFields, POLL_INTERVAL_MS, RIG_POLL } from "./info.js";

/** A Sentinel group (1 master, 1 replica, 3 sentinels) of real processes, owned by the test. */
export interface RedisSentinelRig {
  /** The name the sentinels monitor the master under. */
  readonly masterName: string;
  /** Addresses to hand to a Sentinel-aware client. */
  readonly sentinels: ReadonlyArray<{ host: string; port: number }>;
  /** The two data servers: [initial master, initial replica]. */
  readonly servers: readonly RedisServer[];
  /** The three sentinel processes. */
  readonly sentinelServers: readonly RedisServer[];
  /** The data server the sentinels name as master now (all must agree). */
  master(): Promise<RedisServer>;
  /** Waits until every sentinel names a master other than `previous`, and returns it. */
  waitForNewMaster(previous: RedisServer, timeoutMs?: number): Promise<RedisServer>;
  /**
   * Restarts a crashed old master as a replica of the current one, as an
   * orchestrator would (left alone, Sentinel demotes it only after ~11 s).
   */
  rejoinAsReplica(server: RedisServer): Promise<void>;
  /** Waits until `master` has an online replica (for WAIT-based durability). */
  waitForReplica(master: RedisServer, timeoutMs?: number): Promise<void>;
  /** Stops every process by pid and removes their directories. */
  close(): Promise<void>;
}

const HOST = "127.0.0.1";
const MASTER_NAME = "mymaster";
const PROBE_MS = 500;

async function info(port: number, section: string): Promise<Map<string, string>> {
  return infoFields(await rawCommand(port, ["INFO", section], PROBE_MS));
}

async function masterPortSeenBy(sentinel: RedisServer): Promise<number> {
  const reply = await rawCommand(sentinel.port, ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME], PROBE_MS);
  const port = Number(/\r\n\$\d+\r\n(\d+)\r\n$/.exec(reply)?.[1]);
  if (!Number.isInteger(port)) throw new Error(`unexpected sentinel reply ${JSON.stringify(reply)}`);
  return port;
}

async function waitLinked(replica: RedisServer, timeoutMs = 15_000): Promise<void> {
  await waitFor("replica in sync", async () => ((await info(replica.port, "replication")).get("master_link_status") === "up" ? true : undefined), {
    timeoutMs,
    intervalMs: POLL_INTERVAL_MS,
  });
}

/**
 * Starts a master, a replica and three sentinels on free loopback ports, no
 * persistence. The sentinels start only once the replica is in sync (started
 * earlier they can take 10 s to settle), and the group is ready when every
 * sentinel sees 1 replica and 3 sentinels. `down-after-milliseconds` 1000:
 * a killed master is replaced in about 1.5–2.5 s.
 *
 * @example
 * ```ts
 * const group = await startRedisSentinel();
 * const client = new Redis({ sentinels: group.sentinels, name: group.masterName });
 * await group.close();
 * ```
 */
export async function startRedisSentinel(): Promise<RedisSentinelRig> {
  const servers: RedisServer[] = [];
  const sentinelServers: RedisServer[] = [];
  const closeAll = () => Promise.allSettled([...sentinelServers, ...servers].map((server) => server.close()));
  try {
    const noSyncDelay = ["--repl-diskless-sync-delay", "0"];
    const master = await startRedisServer(noSyncDelay);
    servers.push(master);
    servers.push(await startRedisServer([...noSyncDelay, "--replicaof", HOST, String(master.port)]));
    await waitLinked(servers[1]!);
    const config = [
      `sentinel monitor ${MASTER_NAME} ${HOST} ${master.port} 2`,
      `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
      `sentinel failover-timeout ${MASTER_NAME} 5000`,
      "",
    ].join("\n");
    sentinelServers.push(...(await startRedisServers([0, 1, 2].map(() => () => startRedisServer([], { sentinelConfig: config })))));
    await waitFor("sentinels see the replica and each other", async () => {
      const views = await Promise.all(sentinelServers.map(async (sentinel) => (await info(sentinel.port, "sentinel")).get("master0") ?? ""));
      return views.every((view) => view.includes("status=ok") && view.includes("slaves=1") && view.includes("sentinels=3")) ? true : undefined;
    }, RIG_POLL);
  } catch (error) {
    await closeAll();
    throw error;
  }

  const rig: RedisSentinelRig = {
    masterName: MASTER_NAME,
    sentinels: sentinelServers.map((sentinel) => ({ host: HOST, port: sentinel.port })),
    servers,
    sentinelServers,

    async master() {
      const ports = new Set(await Promise.all(sentinelServers.map(masterPortSeenBy)));
      const [port] = ports;
      const server = servers.find((candidate) => candidate.port === port);
      if (ports.size !== 1 || !server) throw new Error(`sentinels disagree on the master: ${[...ports].join(", ")}`);
      return server;
    },

    async waitForNewMaster(previous, timeoutMs = 15_000) {
      return waitFor(
        "every sentinel names a new master",
        async () => {
          const current = await rig.master();
          if (current === previous) return undefined;
          return (await info(current.port, "replication")).get("role") === "master" ? current : undefined;
        },
        { timeoutMs, intervalMs: POLL_INTERVAL_MS },
      );
    },

    async rejoinAsReplica(server) {
      const master = await rig.master();
      if (master === server) throw new Error("rejoinAsReplica: that server is the current master");
      await server.restart({ args: ["--replicaof", HOST, String(master.port)] });
      await waitLinked(server);
    },

    async waitForReplica(master, timeoutMs = 15_000) {
      await waitFor(
        "an online replica",
        async () => ((await info(master.port, "replication")).get("slave0")?.includes("state=online") ? true : undefined),
        { timeoutMs, intervalMs: POLL_INTERVAL_MS },
      );
    },

    close: async () => void (await closeAll()),
  };
  return rig;
}
