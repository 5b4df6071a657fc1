// Tessera's own CPU per request, with no Redis client in the way: the
// session manager runs against a store that answers at once, so what is
// left is cookie parsing and verification, loading the handle, change
// detection and the commit. Sequential, in one process: a CPU figure, not a
// throughput one. Each scenario runs with data in clear and with
// `encryptData: true`, interleaved in the same process. Run after `npm run build`:
//
//   npx tsx bench/core-cpu.ts [requests per run = 100000] [runs = 7]
import { createSessionManager, type SessionStore } from "tessera-session";

const SECRET = "bench-secret-0123456789abcdef-0123456789abcdef";
const IDLE_MS = 30 * 60 * 1000;

/** A one-record store that answers at once (writes are accepted, not kept: every read sees the login's data). */
function instantStore(): SessionStore {
  let fields = new Map<string, string>();
  return {
    load: (_id, now) => Promise.resolve(fields.size ? { fields, expiresAt: now + IDLE_MS, renewed: false } : undefined),
    write: (_id, write) => {
      if (write.kind === "create") fields = new Map(write.set);
      return Promise.resolve("ok");
    },
    destroy: () => Promise.resolve(),
  };
}

/** The request scenarios for one manager; their names say when it has `encryptData` on. */
async function scenariosFor(encryptData: boolean): Promise<Record<string, () => Promise<void>>> {
  const suffix = encryptData ? " (encryptData)" : "";
  const manager = createSessionManager<{ user: { id: number; name: string }; hits: number }>({
    store: instantStore(),
    secrets: [SECRET],
    idleTimeoutSeconds: IDLE_MS / 1000,
    encryptData,
  });
  const login = await manager.load({ cookieHeader: undefined, secure: false });
  login.data.user = { id: 1234, name: "ada" };
  const cookieHeader = `theme=dark; ${(await manager.commit(login))!.split(";")[0]}`;

  return {
    [`authenticated read${suffix}`]: async () => {
      const session = await manager.load({ cookieHeader, secure: false });
      if (session.data.user?.name !== "ada") throw new Error("the read did not see the login");
      await manager.commit(session);
    },
    [`write (hits + 1)${suffix}`]: async () => {
      const session = await manager.load({ cookieHeader, secure: false });
      session.data.hits = (session.data.hits ?? 0) + 1;
      await manager.commit(session);
    },
    [`anonymous${suffix}`]: async () => {
      await manager.commit(await manager.load({ cookieHeader: "theme=dark", secure: false }));
    },
  };
}

async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? 100_000);
  const runs = Number(process.argv[3] ?? 7);
  const scenarios = { ...(await scenariosFor(false)), ...(await scenariosFor(true)) };
  const best = new Map<string, number>();
  for (let run = 0; run < runs; run++) {
    for (const [name, request] of Object.entries(scenarios)) {
      const started = process.cpuUsage();
      for (let i = 0; i < requests; i++) await request();
      const used = process.cpuUsage(started);
      best.set(name, Math.min(best.get(name) ?? Infinity, (used.user + used.system) / requests));
    }
  }
  for (const [name, micros] of best) console.log(`${name.padEnd(34)} ${micros.toFixed(2)} µs CPU per request (best of ${runs} runs of ${requests})`);
}

await main();
