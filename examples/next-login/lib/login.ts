/**
 * What the Next.js login example's routes share: the session manager, the
 * Tessera helpers built on it, and the answers every route gives the same way.
 */
import { CsrfError, type Session, type SessionData } from "tessera-session";
import { fetchCsrf } from "tessera-session/fetch";
import { nextSessions, type NextSessions } from "tessera-session/next";
import { SERVED_BY_HEADER, type ApiAnswer } from "../../shared/api.js";
import { formExpired, pageContext, type LoginAppOptions } from "../../shared/login-app.js";
import { unavailablePage } from "../../shared/pages.js";
import { demoSessions } from "../../shared/demo-server.js";
import { demoMetrics, type DemoMetrics } from "../../shared/metrics.js";
import "../../shared/session-data.js";

let options: LoginAppOptions | undefined;
let connected: Promise<void> | undefined;
/** How long the first requests wait for the Redis connection (the demo's client queues no commands while offline). */
const CONNECT_WAIT_MS = 3000;

/** Where the process's one meter is kept: globalThis, which every Next layer's copy of this module shares. */
const PROCESS_METRICS = Symbol.for("tessera-demo.next-login.metrics");

/**
 * The process's metrics. Next bundles this module once per layer (route
 * handlers, server components), each making its own manager; they all
 * record into this one meter, so `/metrics` counts every layer's sessions.
 */
function processMetrics(): DemoMetrics {
  const shared = globalThis as { [PROCESS_METRICS]?: DemoMetrics };
  return (shared[PROCESS_METRICS] ??= demoMetrics());
}

/**
 * The app's options: the session manager from the environment (REDIS_URL,
 * SESSION_STORE...), made inside the app as a Next app makes its own, once
 * per process (per layer, see processMetrics).
 */
export function loginOptions(): LoginAppOptions {
  if (!options) {
    const demo = demoSessions(processMetrics());
    options = { sessions: demo.sessions, instance: demo.instance, banner: demo.banner, framework: "Next.js", trustProxy: demo.trustProxy !== undefined, metrics: demo.metrics };
    connected = Promise.race([demo.connected, new Promise<void>((resolve) => setTimeout(resolve, CONNECT_WAIT_MS).unref())]);
  }
  return options;
}

/**
 * Waits for the app's Redis connection, at most a few seconds: the first
 * requests after a start (each Next layer, route handlers and server
 * components, makes its own manager) would otherwise meet a client still
 * connecting. Later calls return at once.
 */
export async function loginReady(): Promise<LoginAppOptions> {
  const app = loginOptions();
  await connected;
  return app;
}

/** An HTML page. */
export const html = (body: string, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8", ...headers } });

/** A 303 to a path on this site (after a form POST, the browser GETs it). */
export const seeOther = (location: string): Response => new Response(null, { status: 303, headers: { location } });

/**
 * An API answer as a Response, without its X-Served-By: server.ts sets that
 * header on every response (Next would send the instance name's "·" as UTF-8).
 */
export function apiResponse(answer: ApiAnswer): Response {
  const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => name !== SERVED_BY_HEADER));
  return answer.body === undefined ? new Response(null, { status: answer.status, headers }) : Response.json(answer.body, { status: answer.status, headers });
}

let helper: NextSessions<SessionData> | undefined;

/** The app's Tessera helper; a store failure answers the "your session is safe" page. */
export function tessera(): NextSessions<SessionData> {
  const app = loginOptions();
  const onError = () => html(unavailablePage(pageContext(app, undefined)), 503, { "retry-after": "2" });
  return (helper ??= nextSessions(app.sessions, { onError }));
}

const checkCsrf = fetchCsrf();

/** A route handler of the example: its session, the options, and every POST CSRF-checked unless `csrf: false`. */
export function route(
  fn: (request: Request, session: Session<SessionData>, options: LoginAppOptions) => Response | Promise<Response>,
  { csrf = true }: { csrf?: boolean } = {},
): (request: Request, context: unknown) => Promise<Response> {
  const handler = async (request: Request, session: Session<SessionData>): Promise<Response> => {
    const options = loginOptions();
    try {
      if (csrf) await checkCsrf(request, session);
    } catch (error) {
      if (error instanceof CsrfError) return html(formExpired(options, session), 403);
      throw error;
    }
    return fn(request, session, options);
  };
  return async (request, context) => {
    await loginReady();
    return tessera().route(handler)(request, context);
  };
}
