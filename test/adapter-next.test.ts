/**
 * The adapter conformance suite against a real Next.js production build
 * (test/fixtures/next-conformance, test/support/next.ts: built once and
 * reused while its sources are unchanged), served in this process: its
 * catch-all route handler hands each request to `tessera-session/next`'s
 * `route()` with the manager under test, chosen by the port the request
 * came in on.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { SessionManager, Session } from "tessera-session";
import { nextSessions } from "tessera-session/next";
import { adapterConformance, conformanceRoutes, listenOnLoopback, type ConformanceData, type ConformanceReply } from "tessera-session/testing";
import { ensureFrameworkBuild } from "../examples/shared/framework-build.js";
import { withRedis } from "./support/conformance.js";
import { NEXT_CONFORMANCE_BUILD, NEXT_CONFORMANCE_DIR } from "./support/next.js";

const HANDLE = Symbol.for("tessera.next-conformance.handle");

/** A conformance reply as a Response, the way a Next route handler answers. */
function toResponse(answer: ConformanceReply): Response {
  if (answer.kind === "json") return Response.json(answer.body, { status: answer.status ?? 200, headers: answer.headers });
  if (answer.kind === "redirect") return new Response(null, { status: 303, headers: { ...answer.headers, location: answer.location } });
  const chunks = answer.chunks[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(new TextEncoder().encode(next.value));
    },
  });
  return new Response(body, { headers: { "content-type": "text/plain" } });
}

/** The route handler body: a 4xx error answered as a Response (a Next route's usual way), anything else thrown to Next (a 500). */
async function conformanceHandler(request: Request, session: Session<ConformanceData>): Promise<Response> {
  const url = new URL(request.url);
  const route = conformanceRoutes.find((candidate) => candidate.method === request.method && candidate.path === url.pathname);
  if (!route) return new Response("Not Found", { status: 404 });
  try {
    return toResponse(await route.handle({ session, query: url.searchParams }));
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (typeof status === "number" && status >= 400 && status < 500) return Response.json({ error: (error as Error).message }, { status });
    throw error;
  }
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
/** Next's programmatic server, loaded untyped: Next's global types (a required NODE_ENV...) would leak into every test's compilation. */
const createNext = createRequire(import.meta.url)("next") as (options: { dev: boolean; dir: string; quiet: boolean }) => { prepare(): Promise<void>; getRequestHandler(): NodeHandler };

/** The production build in this process, and Next's request handler for a node:http server. */
async function startNext(appDir: string): Promise<NodeHandler> {
  const app = createNext({ dev: false, dir: appDir, quiet: true });
  await app.prepare();
  return app.getRequestHandler();
}

const byPort = new Map<string, (request: Request, context: unknown) => Promise<Response>>();
let nextHandler: Promise<NodeHandler> | undefined;

async function serve(manager: SessionManager<ConformanceData>) {
  nextHandler ??= (async () => {
    await ensureFrameworkBuild(NEXT_CONFORMANCE_BUILD);
    (globalThis as Record<symbol, unknown>)[HANDLE] = (request: Request, context: unknown) => {
      const handler = byPort.get(new URL(request.url).port) ?? byPort.get(request.headers.get("host")?.split(":").pop() ?? "");
      return handler ? handler(request, context) : Promise.resolve(new Response("unknown app", { status: 500 }));
    };
    return startNext(NEXT_CONFORMANCE_DIR);
  })();
  const handle = await nextHandler;
  const app = await listenOnLoopback(createServer((req, res) => void handle(req, res)));
  byPort.set(new URL(app.url).port, nextSessions(manager).route(conformanceHandler));
  return app;
}

adapterConformance(withRedis("next", "ioredis", serve));
// The same suite with the token in a header instead of the cookie (issue 14).
adapterConformance({ ...withRedis("next", "node-redis", serve), transport: "bearer" });
