import { Redis } from "ioredis";
import { infoFields } from "../../test/support/rigs/info.js";

/** Parses an INFO reply into field → value (the test rigs' parser). */
export const parseInfo = infoFields;

/** One command's counters in INFO commandstats. */
export interface CommandStat {
  readonly calls: number;
  readonly usec: number;
}

/** Commands the harness itself sends while measuring; never charged to an app. */
const HARNESS_COMMANDS = new Set(["info", "monitor", "echo", "ping", "select", "client|setname", "client|setinfo", "hello"]);

/**
 * The harness's view of its redis-server: INFO readings, flushing, and the
 * command counting of the "commands per request" phase.
 */
export class RedisProbe {
  readonly client: Redis;

  constructor(url: string) {
    this.client = new Redis(url, { enableAutoPipelining: false, maxRetriesPerRequest: 1 });
  }

  async info(section: string): Promise<Map<string, string>> {
    return parseInfo(await this.client.info(section));
  }

  /**
   * Calls and microseconds per command since the server started, from
   * `INFO commandstats`. Redis counts the commands a Lua script runs here
   * too, under their own names (and their time is also inside the script's),
   * so this is what the server *executed*.
   */
  async commandStats(): Promise<Map<string, CommandStat>> {
    const stats = new Map<string, CommandStat>();
    for (const [field, value] of await this.info("commandstats")) {
      const name = field.replace(/^cmdstat_/, "");
      if (HARNESS_COMMANDS.has(name)) continue;
      stats.set(name, { calls: Number(/calls=(\d+)/.exec(value)?.[1] ?? 0), usec: Number(/usec=(\d+)/.exec(value)?.[1] ?? 0) });
    }
    return stats;
  }

  /**
   * Bytes the dataset takes: `used_memory` minus the normal clients' buffers
   * (query and output buffers belong to connections, not to sessions).
   */
  async datasetBytes(): Promise<number> {
    const memory = await this.info("memory");
    return Number(memory.get("used_memory")) - Number(memory.get("mem_clients_normal") ?? 0);
  }

  /** CPU time redis-server has used (main thread and others, user + system), in microseconds. */
  async cpuMicros(): Promise<number> {
    const cpu = await this.info("cpu");
    return (Number(cpu.get("used_cpu_user")) + Number(cpu.get("used_cpu_sys"))) * 1e6;
  }

  async keyCount(): Promise<number> {
    return this.client.dbsize();
  }

  async flush(): Promise<void> {
    await this.client.flushall("SYNC");
  }

  async close(): Promise<void> {
    await this.client.quit();
  }

  /**
   * Watches MONITOR while `work` runs and counts what clients sent at top
   * level (`sent`) apart from what Lua scripts ran inside Redis (MONITOR
   * shows those with source "lua"). The harness's own connections are left out.
   */
  async monitorDuring(work: () => Promise<void>): Promise<{ sent: Map<string, number>; inScripts: Map<string, number> }> {
    const monitor = await this.client.monitor();
    const sent = new Map<string, number>();
    const inScripts = new Map<string, number>();
    const bump = (map: Map<string, number>, name: string): void => void map.set(name, (map.get(name) ?? 0) + 1);
    monitor.on("monitor", (_time: string, args: string[], source: string) => {
      const name = String(args[0] ?? "").toLowerCase();
      if (source === "lua") bump(inScripts, name);
      else if (!HARNESS_COMMANDS.has(name)) bump(sent, name);
    });
    try {
      await work();
      // MONITOR lines trail the commands; a PING round trip through the
      // monitored server, seen by the monitor, means everything before it is in.
      const marker = `bench-marker-${Date.now()}`;
      const seen = new Promise<void>((resolve) => {
        const onLine = (_t: string, args: string[]): void => {
          if (args[0]?.toLowerCase() === "echo" && args[1] === marker) {
            monitor.off("monitor", onLine);
            resolve();
          }
        };
        monitor.on("monitor", onLine);
      });
      await this.client.echo(marker);
      await Promise.race([seen, new Promise((r) => setTimeout(r, 2000))]);
    } finally {
      monitor.disconnect();
    }
    return { sent, inScripts };
  }
}

/** Per-command difference of two `commandStats()` readings (commands with no new calls left out). */
export function diffStats(before: Map<string, CommandStat>, after: Map<string, CommandStat>): Map<string, CommandStat> {
  const delta = new Map<string, CommandStat>();
  for (const [name, stat] of after) {
    const calls = stat.calls - (before.get(name)?.calls ?? 0);
    if (calls > 0) delta.set(name, { calls, usec: stat.usec - (before.get(name)?.usec ?? 0) });
  }
  return delta;
}

/** Sum of a count map. */
export function total(counts: Map<string, number>): number {
  let sum = 0;
  for (const value of counts.values()) sum += value;
  return sum;
}
