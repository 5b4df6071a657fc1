import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

/**
 * Counts the commands clients send to a redis-server, with MONITOR: a Lua
 * script is one command (the commands it runs inside are reported with
 * source "lua" and left out), which is what "commands per request" means.
 * INFO's total_commands_processed counts the commands inside scripts too.
 */
export interface CommandCounter {
  /** The commands (name and arguments) sent while `work` ran. */
  during(work: () => Promise<unknown>): Promise<string[][]>;
  close(): Promise<void>;
}

export async function commandCounter(url: string): Promise<CommandCounter> {
  const seen: string[][] = [];
  const watcher = new Redis(url);
  const monitor = await watcher.monitor();
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    if (source !== "lua") seen.push(args);
  });
  const marker = new Redis(url);

  /** Waits until MONITOR has reported everything sent so far (an ECHO of a fresh token comes last). */
  async function settle(): Promise<number> {
    const token = `count-${randomBytes(8).toString("hex")}`;
    await marker.echo(token);
    for (let attempt = 0; attempt < 200; attempt++) {
      const at = seen.findIndex((args) => args[0]?.toLowerCase() === "echo" && args[1] === token);
      if (at >= 0) {
        seen.splice(at, 1);
        return seen.length;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error("MONITOR did not report the marker within 1 s");
  }

  return {
    async during(work) {
      const start = await settle();
      await work();
      const end = await settle();
      return seen.slice(start, end);
    },
    async close() {
      monitor.disconnect();
      watcher.disconnect();
      await marker.quit();
    },
  };
}
