/**
 * The Astro conformance app (test/apps/astro-conformance): its production
 * build (@astrojs/node in middleware mode, `dist/server/entry.mjs`), reused
 * while its sources are unchanged, served in this process with the manager
 * a test hands over in the handler's locals.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { SessionManager } from "tessera-session";
import { listenOnLoopback, type ConformanceData, type ServedApp } from "tessera-session/testing";
import { ensureAstroBuilt } from "../../examples/shared/astro-build.js";

const APP_DIR = resolve(import.meta.dirname, "../apps/astro-conformance");

/** @astrojs/node's middleware-mode handler: the fourth argument becomes `context.locals`. */
type AstroNodeHandler = (req: IncomingMessage, res: ServerResponse, next: undefined, locals: object) => Promise<void>;

let handler: Promise<AstroNodeHandler> | undefined;

/** The built app's Node handler, building it first when its sources changed. */
function builtHandler(): Promise<AstroNodeHandler> {
  handler ??= ensureAstroBuilt(APP_DIR, []).then(async (entry) => ((await import(pathToFileURL(entry).href)) as { handler: AstroNodeHandler }).handler);
  return handler;
}

/**
 * Serves the conformance app for `manager` on a loopback port. With
 * `firstManager`, that manager's middleware runs first, in `sequence()`
 * (the app's /two-managers page).
 *
 * @example
 * ```ts
 * adapterConformance(withRedis("astro", "ioredis", serveAstroConformance));
 * ```
 */
export async function serveAstroConformance(manager: SessionManager<ConformanceData>, firstManager?: SessionManager<ConformanceData>): Promise<ServedApp> {
  const handle = await builtHandler();
  const locals = firstManager === undefined ? { tesseraManager: manager } : { tesseraManager: manager, tesseraFirstManager: firstManager };
  return listenOnLoopback(createServer((req, res) => void handle(req, res, undefined, { ...locals }))); // locals of its own per request
}
