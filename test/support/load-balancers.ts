/**
 * Runs the shipped load-balancer configs (deploy/nginx.conf,
 * deploy/haproxy.cfg) as test-owned children: a copy with this test's ports,
 * every path inside a temporary directory, the process stopped by its pid.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { terminate } from "../../examples/demo/terminate.js";
import { REPO_ROOT, waitFor } from "./fleet.js";

/** A running load balancer owned by the test. */
export interface LoadBalancer {
  readonly url: string;
  readonly pid: number;
  /** What it printed (startup errors land here). */
  output(): string;
  close(): Promise<void>;
}

/**
 * Swaps the example upstream servers (127.0.0.1:3001..3003) for `upstreamPorts`,
 * keeping every option of the shipped line, and the 127.0.0.1:8080 listen
 * address for `listenPort`.
 */
function withPorts(config: string, listenPort: number, upstreamPorts: number[]): string {
  const exampleServer = /^([ \t]*server .*127\.0\.0\.1:300\d.*)\n/gm;
  const template = exampleServer.exec(config)?.[1];
  if (!template) throw new Error("no example upstream servers found in the config");
  if (!config.includes("127.0.0.1:8080")) throw new Error("no 127.0.0.1:8080 listen address found in the config");
  const servers = upstreamPorts
    .map((port, i) => template.replace(/127\.0\.0\.1:300\d/, `127.0.0.1:${port}`).replace(/\bapp\d+\b/, `app${i + 1}`))
    .join("\n");
  let first = true;
  // The first example line becomes the whole list; the other example lines go.
  return config
    .replace(exampleServer, () => (first ? ((first = false), `${servers}\n`) : ""))
    .replaceAll("127.0.0.1:8080", `127.0.0.1:${listenPort}`);
}

async function launch(
  name: string,
  command: string,
  args: string[],
  port: number,
  dir: string,
): Promise<LoadBalancer> {
  // Debian installs nginx and haproxy in /usr/sbin, which a non-root PATH may lack.
  const env = { ...process.env, PATH: `${process.env.PATH ?? ""}:/usr/sbin:/sbin` };
  const child: ChildProcess = spawn(command, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout!.on("data", (c: Buffer) => (text += c.toString("utf8")));
  child.stderr!.on("data", (c: Buffer) => (text += c.toString("utf8")));
  child.once("error", (error) => (text += `spawn error: ${error.message}\n`));
  const close = async (): Promise<void> => {
    await terminate(child, { graceMs: 10_000 });
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${name} to proxy /healthz`, async () => {
      if (child.exitCode !== null || child.pid === undefined) throw new Error(`${name} exited: ${text}`);
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      return response.ok ? true : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 });
  } catch (error) {
    await close();
    throw new Error(`${String(error)}\n--- ${name} output ---\n${text}`, { cause: error });
  }
  return { url, pid: child.pid!, output: () => text, close };
}

/**
 * Starts nginx (`nginx-light`) with deploy/nginx.conf rendered for these
 * ports: `-p <tmpdir> -c <conf> -e stderr -g 'daemon off;'`, so the pid is
 * the master's and logs, pid file and temp files stay in the temp dir.
 */
export async function startNginx(port: number, upstreamPorts: number[]): Promise<LoadBalancer> {
  const dir = mkdtempSync(join(tmpdir(), "tessera-nginx-"));
  // Workers drop root privileges when nginx runs as root; let them in.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, "logs"));
  mkdirSync(join(dir, "tmp"));
  const shipped = readFileSync(join(REPO_ROOT, "deploy/nginx.conf"), "utf8");
  const config = withPorts(shipped, port, upstreamPorts)
    // One worker is plenty for a test on a shared 2-core machine.
    .replace(/^worker_processes\s+\S+;/m, "worker_processes 1;");
  const confPath = join(dir, "nginx.conf");
  writeFileSync(confPath, config);
  return launch("nginx", "nginx", ["-p", dir, "-c", confPath, "-e", "stderr", "-g", "daemon off;"], port, dir);
}

/** Starts HAProxy in the foreground (`-db`) with deploy/haproxy.cfg rendered for these ports. */
export async function startHaproxy(port: number, upstreamPorts: number[]): Promise<LoadBalancer> {
  const dir = mkdtempSync(join(tmpdir(), "tessera-haproxy-"));
  const shipped = readFileSync(join(REPO_ROOT, "deploy/haproxy.cfg"), "utf8");
  const config = withPorts(shipped, port, upstreamPorts);
  const confPath = join(dir, "haproxy.cfg");
  writeFileSync(confPath, config);
  return launch("haproxy", "haproxy", ["-db", "-f", confPath], port, dir);
}
