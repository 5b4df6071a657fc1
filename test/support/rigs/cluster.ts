import { freePorts, rawCommand, startRedisServer, startRedisServers, type RedisServer } from "../redis-server.js";
import { waitFor } from "../wait-for.js";
import { infoFields, POLL_INTERVAL_MS, RIG_POLL } from "./info.js";

/** A Redis Cluster of real `redis-server` children, owned by the test that started it. */
export interface RedisClusterRig {
  /** Every node, masters first as started (roles change after a failover). */
  readonly nodes: readonly RedisServer[];
  /** Addresses to hand to a cluster client. */
  readonly startupNodes: ReadonlyArray<{ host: string; port: number }>;
  /** The nodes that serve slots as masters now. */
  masters(): Promise<RedisServer[]>;
  /** The node that is master of `key`'s slot now (asked of the cluster). */
  masterOf(key: string): Promise<RedisServer>;
  /** Every running node reports `cluster_state:ok` and every replica's link is up. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Waits until `key`'s slot has a master other than `previous` and returns it. */
  waitForNewMaster(key: string, previous: RedisServer, timeoutMs?: number): Promise<RedisServer>;
  /** Waits until `master` has an online replica (for WAIT-based durability). */
  waitForReplica(master: RedisServer, timeoutMs?: number): Promise<void>;
  /** Runs a command on every running node (e.g. `SCRIPT FLUSH`). */
  onEveryNode(...args: string[]): Promise<void>;
  /** Stops every node by pid and removes their directories. */
  close(): Promise<void>;
}

const HOST = "127.0.0.1";
const SLOT_COUNT = 16384;
/** A probe of a node that may be stopped, crashed or paused: short deadline. */
const PROBE_MS = 500;

/** One line of CLUSTER NODES. */
interface NodeLine {
  id: string;
  port: number;
  flags: string[];
  masterId: string;
  slotRanges: Array<[number, number]>;
}

function parseClusterNodes(text: string): NodeLine[] {
  const body = text.startsWith("$") ? text.slice(text.indexOf("\r\n") + 2) : text;
  return body
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /^[0-9a-f]{40} /.test(line))
    .map((line) => {
      const [id, address, flags, masterId, , , , , ...slots] = line.split(" ");
      const slotRanges = slots
        .filter((slot) => !slot.startsWith("["))
        .map((slot) => {
          const [from, to] = slot.split("-").map(Number);
          return [from!, to ?? from!] as [number, number];
        });
      return { id: id!, port: Number(address!.split(/[:@]/)[1]), flags: flags!.split(","), masterId: masterId!, slotRanges };
    });
}

/** The payload of a bulk-string reply. */
function bulk(reply: string): string {
  if (reply.startsWith("-")) throw new Error(reply.trim());
  return reply.startsWith("$") ? reply.slice(reply.indexOf("\r\n") + 2) : reply;
}

/**
 * Starts a 3-master, 3-replica Redis Cluster on free loopback ports, with
 * no persistence, and assembles it with CLUSTER commands (what
 * `redis-cli --cluster create` does, minus its fixed one-second sleep).
 * Ready when every node reports `cluster_state:ok`, all six know each other
 * and every replica is in sync. Node timeout 1000 ms: a killed master is
 * replaced in about 2–3 s.
 *
 * @example
 * ```ts
 * const cluster = await startRedisCluster();
 * const client = new Redis.Cluster(cluster.startupNodes);
 * await cluster.close();
 * ```
 */
/**
 * The six nodes, not yet joined. Client and bus ports are picked together,
 * so that no node's client port is another's bus port; should a node still
 * fail to start (its port taken meanwhile by another test file's server, or
 * no answer within 10 s on a saturated machine), the others are closed and
 * it is tried once more on new ports.
 */
async function startClusterNodes(attempts = 2): Promise<{ servers: RedisServer[]; busPorts: number[] }> {
  const ports = await freePorts(12);
  const start = (port: number, busPort: number) => () =>
    startRedisServer(
      [
        "--cluster-enabled", "yes",
        "--cluster-port", String(busPort),
        "--cluster-node-timeout", "1000",
        // A replica may always take over, however long its master was gone.
        "--cluster-replica-validity-factor", "0",
        // The default 5 s delay before a full sync would add 4 s to every start.
        "--repl-diskless-sync-delay", "0",
      ],
      { port },
    );
  try {
    const busPorts = ports.slice(6);
    return { servers: await startRedisServers(ports.slice(0, 6).map((port, i) => start(port, busPorts[i]!))), busPorts };
  } catch (error) {
    if (attempts <= 1) throw error;
    return startClusterNodes(attempts - 1);
  }
}

export async function startRedisCluster(): Promise<RedisClusterRig> {
  const nodes: RedisServer[] = [];
  try {
    const { servers, busPorts } = await startClusterNodes();
    nodes.push(...servers);
    const ids = await Promise.all(nodes.map(async (node) => bulk(await node.command("CLUSTER", "MYID")).trim()));
    const perMaster = Math.ceil(SLOT_COUNT / 3);
    for (let i = 0; i < 3; i++) {
      const last = Math.min(SLOT_COUNT, (i + 1) * perMaster) - 1;
      await expectOk(nodes[i]!.command("CLUSTER", "ADDSLOTSRANGE", String(i * perMaster), String(last)));
    }
    // Distinct config epochs up front, as redis-cli does, so the nodes need
    // no collision rounds to agree on who owns what.
    for (const [i, node] of nodes.entries()) await expectOk(node.command("CLUSTER", "SET-CONFIG-EPOCH", String(i + 1)));
    for (const [i, node] of nodes.entries()) {
      if (i > 0) await expectOk(nodes[0]!.command("CLUSTER", "MEET", HOST, String(node.port), String(busPorts[i])));
    }
    await waitFor("cluster nodes know each other", async () => {
      const known = await Promise.all(nodes.map(async (node) => infoFields(bulk(await node.command("CLUSTER", "INFO"))).get("cluster_known_nodes")));
      return known.every((count) => count === "6") ? true : undefined;
    }, RIG_POLL);
    for (let i = 3; i < 6; i++) await expectOk(nodes[i]!.command("CLUSTER", "REPLICATE", ids[i - 3]!));
  } catch (error) {
    await Promise.allSettled(nodes.map((node) => node.close()));
    throw error;
  }

  const probe = async (node: RedisServer, ...args: string[]): Promise<string> => {
    return bulk(await rawCommand(node.port, args, PROBE_MS));
  };

  /** CLUSTER NODES from the first node that answers. */
  const topology = async (): Promise<NodeLine[]> => {
    for (const node of nodes) {
      try {
        return parseClusterNodes(await probe(node, "CLUSTER", "NODES"));
      } catch {
        // stopped or paused: ask the next one
      }
    }
    throw new Error("no cluster node answers");
  };

  const rig: RedisClusterRig = {
    nodes,
    startupNodes: nodes.map((node) => ({ host: HOST, port: node.port })),

    async masters() {
      const lines = await topology();
      const ports = lines.filter((line) => line.flags.includes("master") && !line.flags.includes("fail") && line.slotRanges.length > 0).map((line) => line.port);
      return nodes.filter((node) => ports.includes(node.port));
    },

    async masterOf(key) {
      const lines = await topology();
      let slot: number | undefined;
      for (const node of nodes) {
        try {
          slot = Number((await probe(node, "CLUSTER", "KEYSLOT", key)).replace(/^:/, "").trim());
          break;
        } catch {
          // ask the next one
        }
      }
      if (slot === undefined) throw new Error("no cluster node answers CLUSTER KEYSLOT");
      const owner = lines.find(
        (line) => line.flags.includes("master") && !line.flags.includes("fail") && line.slotRanges.some(([from, to]) => slot >= from && slot <= to),
      );
      const server = owner && nodes.find((node) => node.port === owner.port);
      if (!server) throw new Error(`no live master owns slot ${slot}`);
      return server;
    },

    async waitHealthy(timeoutMs = 15_000) {
      await waitFor(
        "cluster healthy",
        async () => {
          const lines = await topology();
          const masters = lines.filter((line) => line.flags.includes("master") && line.slotRanges.length > 0);
          const replicas = lines.filter((line) => line.flags.includes("slave") && !line.flags.includes("fail"));
          if (masters.length !== 3 || masters.some((line) => line.flags.includes("fail"))) return undefined;
          for (const line of lines) {
            if (line.flags.includes("fail")) continue;
            const node = nodes.find((candidate) => candidate.port === line.port)!;
            if (infoFields(await probe(node, "CLUSTER", "INFO")).get("cluster_state") !== "ok") return undefined;
            if (line.flags.includes("slave") && infoFields(await probe(node, "INFO", "replication")).get("master_link_status") !== "up") {
              return undefined;
            }
          }
          return replicas.length > 0 ? true : undefined;
        },
        { timeoutMs, intervalMs: POLL_INTERVAL_MS },
      );
    },

    async waitForNewMaster(key, previous, timeoutMs = 15_000) {
      return waitFor(
        "a new master for the slot",
        async () => {
          const master = await rig.masterOf(key);
          return master === previous ? undefined : master;
        },
        { timeoutMs, intervalMs: POLL_INTERVAL_MS },
      );
    },

    async waitForReplica(master, timeoutMs = 15_000) {
      await waitFor(
        "an online replica",
        async () => (/^slave\d+:.*state=online/m.test(await probe(master, "INFO", "replication")) ? true : undefined),
        { timeoutMs, intervalMs: POLL_INTERVAL_MS },
      );
    },

    async onEveryNode(...args) {
      const lines = await topology();
      for (const line of lines) {
        if (line.flags.includes("fail")) continue;
        const node = nodes.find((candidate) => candidate.port === line.port)!;
        await probe(node, ...args);
      }
    },

    async close() {
      await Promise.allSettled(nodes.map((node) => node.close()));
    },
  };

  try {
    await rig.waitHealthy();
  } catch (error) {
    await rig.close();
    throw error;
  }
  return rig;
}

async function expectOk(reply: Promise<string>): Promise<void> {
  const text = await reply;
  if (!text.startsWith("+OK")) throw new Error(`cluster set-up command failed: ${text.trim()}`);
}
