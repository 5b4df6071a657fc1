import { realpathSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

const repo = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/**
 * The folder both the repository and its installed packages are in: the
 * repository itself, unless node_modules is a link to another checkout's
 * (a git worktree's), which Turbopack compiles only from inside its root.
 */
function commonRoot(a: string, b: string): string {
  const left = a.split(sep);
  const right = b.split(sep);
  let shared = 0;
  while (shared < left.length && left[shared] === right[shared]) shared++;
  return left.slice(0, shared).join(sep) || sep;
}
const root = commonRoot(repo, realpathSync(join(repo, "node_modules")));

const config: NextConfig = {
  // The Redis clients stay Node packages loaded at run time. Tessera is
  // bundled here (it resolves to this repository, not node_modules), so the
  // app makes its own manager (lib/login.ts); the build step hashes dist/.
  serverExternalPackages: ["ioredis", "redis"],
  outputFileTracingRoot: root,
  turbopack: { root },
  poweredByHeader: false,
  // `npm run typecheck` checks the example (examples/tsconfig.json); the build need not again.
  typescript: { ignoreBuildErrors: true },
};
export default config;
