import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import nextModule from "next";

// Next is CommonJS: under NodeNext the default import is module.exports, the function itself.
const createNext = nextModule as unknown as typeof nextModule.default;

/** The example's folder, where `next build` wrote `.next/`. */
export const NEXT_LOGIN_DIR = fileURLToPath(new URL(".", import.meta.url));

/**
 * Starts the production build in this process and returns Next's request
 * handler, for a node:http server. The app makes its session manager from
 * the environment, at its first request.
 *
 * @example
 * ```ts
 * const handle = await startNext();
 * http.createServer((req, res) => void handle(req, res)).listen(0);
 * ```
 */
export async function startNext(dir = NEXT_LOGIN_DIR): Promise<(req: IncomingMessage, res: ServerResponse) => Promise<void>> {
  const app = createNext({ dev: false, dir, quiet: true });
  await app.prepare();
  return app.getRequestHandler();
}
