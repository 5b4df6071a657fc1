import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Session } from "../core/session.js";

/** Session data of the conformance apps: any key, plain JSON values. */
export type ConformanceData = Record<string, unknown>;

/** What a conformance route needs from the framework: the session and the query string. */
export interface ConformanceRequest {
  readonly session: Session<ConformanceData>;
  readonly query: URLSearchParams;
}

/**
 * What a conformance route answers, for the app to send the framework's way:
 * a JSON body (with `status`, default 200), a 303 redirect, or a
 * `text/plain` body streamed chunk by chunk. `headers` (a name to one value,
 * `set-cookie` included) are set on the response with the framework's own
 * call before the body.
 */
export type ConformanceReply =
  | { readonly kind: "json"; readonly body: unknown; readonly status?: number; readonly headers?: Readonly<Record<string, string>> }
  | { readonly kind: "redirect"; readonly location: string; readonly headers?: Readonly<Record<string, string>> }
  | { readonly kind: "stream"; readonly chunks: AsyncIterable<string> };

/** One standard route: method, path and a framework-free handler. */
export interface ConformanceRoute {
  readonly method: "GET" | "POST";
  readonly path: string;
  handle(request: ConformanceRequest): Promise<ConformanceReply>;
}

/** Longest a held request waits for its latch: a failing test must not hang the run. */
const LATCH_LIMIT_MS = 10_000;

interface Latch {
  arrived: () => void;
  released: Promise<void>;
}
const latches = new Map<string, Latch>();

/**
 * A rendezvous with a `/hold?latch=<name>` request: `arrived` resolves once
 * the request has loaded its session and changed it; the request then waits
 * (at most 10 s) until `release()`. Lets a test order two requests exactly,
 * without sleeps. The app must run in the test's process.
 *
 * @example
 * ```ts
 * const latch = createLatch();
 * const slow = fetch(`${url}/hold?key=k&value=v&latch=${latch.name}`, { method: "POST", headers: { cookie } });
 * await latch.arrived;
 * // ... do something while the request is held ...
 * latch.release();
 * await slow;
 * ```
 */
export function createLatch(): { name: string; arrived: Promise<void>; release: () => void } {
  const name = randomBytes(8).toString("hex");
  let arrived!: () => void;
  let release!: () => void;
  const arrivedPromise = new Promise<void>((resolve) => (arrived = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  latches.set(name, { arrived, released });
  return {
    name,
    arrived: arrivedPromise,
    release: () => {
      latches.delete(name);
      release();
    },
  };
}

async function* slowChunks(parts: readonly string[]): AsyncIterable<string> {
  for (const part of parts) {
    // A real pause between chunks, so the response is really streamed.
    await sleep(5);
    yield part;
  }
}

const json = (body: unknown): ConformanceReply => ({ kind: "json", body });
const param = (query: URLSearchParams, name: string): string => query.get(name) ?? "";

/** Headers a route sets of its own; the error page of a failed commit must carry none of them. */
export const CONFORMANCE_ROUTE_HEADERS: Readonly<Record<string, string>> = {
  "x-conformance-route": "1",
  "set-cookie": "conformance-app=1; Path=/",
};

/**
 * The standard routes every adapter's conformance app serves, defined once:
 * the app only registers each (method, path) and sends the reply the
 * framework's way.
 *
 * | route | does |
 * |---|---|
 * | `GET /public` | touches no session |
 * | `GET /whoami` | reads: `{ id, isNew, username, data }` |
 * | `POST /login?user=` | regenerates, stores `username`, redirects to `/whoami` |
 * | `POST /logout` | destroys, redirects to `/whoami` |
 * | `POST /set?key=&value=[&redirect=1]` | stores one key; JSON or a redirect to `/whoami` |
 * | `POST /hold?key=&value=&latch=[&decorate=1]` | stores one key, then waits for the test's latch; with `decorate=1`, redirects with {@link CONFORMANCE_ROUTE_HEADERS} |
 * | `POST /fail?key=&value=` | stores one key, then throws (status 400) into the framework's error path |
 * | `POST /login-then-crash?user=&key=&value=[&bind=1]` | regenerates, binds `user` (with `bind=1`), stores `username` and one key, then throws a plain `Error` (a 500) |
 * | `POST /answer?status=&key=&value=[&regenerate=1]` | (regenerates,) stores one key and answers JSON with that status (500, 503...) |
 * | `GET /stream?key=&value=[&commit=1]` | stores one key and streams `"a"`, `"b"`, `"c"` |
 * | `GET /step-up?seconds=` | reads: `{ authenticatedWithin, authenticatedAt }` (`session.authenticatedWithin(seconds)`) |
 *
 * @example
 * ```ts
 * for (const route of conformanceRoutes) {
 *   app.route({ method: route.method, url: route.path, handler: async (request, reply) =>
 *     sendReply(reply, await route.handle({ session: request.session, query: queryOf(request.url) })) });
 * }
 * ```
 */
export const conformanceRoutes: readonly ConformanceRoute[] = [
  { method: "GET", path: "/public", handle: async () => json({ public: true }) },
  {
    method: "GET",
    path: "/step-up",
    handle: async ({ session, query }) =>
      json({ authenticatedWithin: session.authenticatedWithin(Number(param(query, "seconds"))), authenticatedAt: session.authenticatedAt ?? null }),
  },
  {
    method: "GET",
    path: "/whoami",
    handle: async ({ session }) =>
      json({ id: session.id ?? null, isNew: session.isNew, username: session.data.username ?? null, data: session.data }),
  },
  {
    method: "POST",
    path: "/login",
    handle: async ({ session, query }) => {
      await session.regenerate();
      session.data.username = param(query, "user");
      return { kind: "redirect", location: "/whoami" };
    },
  },
  {
    method: "POST",
    path: "/logout",
    handle: async ({ session }) => {
      await session.destroy();
      return { kind: "redirect", location: "/whoami" };
    },
  },
  {
    method: "POST",
    path: "/set",
    handle: async ({ session, query }) => {
      session.data[param(query, "key")] = param(query, "value");
      return query.get("redirect") === "1" ? { kind: "redirect", location: "/whoami" } : json({ ok: true });
    },
  },
  {
    method: "POST",
    path: "/hold",
    handle: async ({ session, query }) => {
      session.data[param(query, "key")] = param(query, "value");
      const latch = latches.get(param(query, "latch"));
      if (latch) {
        latch.arrived();
        await Promise.race([latch.released, sleep(LATCH_LIMIT_MS)]);
      }
      if (query.get("decorate") === "1") return { kind: "redirect", location: "/whoami", headers: CONFORMANCE_ROUTE_HEADERS };
      return json({ ok: true });
    },
  },
  {
    method: "POST",
    path: "/login-then-crash",
    handle: async ({ session, query }) => {
      await session.regenerate();
      if (query.get("bind") === "1") await session.bindUser(param(query, "user"));
      session.data.username = param(query, "user");
      session.data[param(query, "key")] = param(query, "value");
      // A bug half-way through a login: no status, so the framework answers 500.
      throw new Error("conformance: this login crashes after changing the session");
    },
  },
  {
    method: "POST",
    path: "/answer",
    handle: async ({ session, query }) => {
      if (query.get("regenerate") === "1") await session.regenerate();
      session.data[param(query, "key")] = param(query, "value");
      return { kind: "json", body: { answered: true }, status: Number(param(query, "status")) };
    },
  },
  {
    method: "POST",
    path: "/fail",
    handle: async ({ session, query }) => {
      session.data[param(query, "key")] = param(query, "value");
      // A client error as most frameworks know one: status, statusCode, expose.
      throw Object.assign(new Error("conformance: this route always fails"), { status: 400, statusCode: 400, expose: true });
    },
  },
  {
    method: "GET",
    path: "/stream",
    handle: async ({ session, query }) => {
      session.data[param(query, "key")] = param(query, "value");
      // The documented way to stream with a new session: commit first, so
      // the Set-Cookie can go out with the headers.
      if (query.get("commit") === "1") await session.commit();
      return { kind: "stream", chunks: slowChunks(["a", "b", "c"]) };
    },
  },
];

/**
 * The standard route for a method and path, or undefined; for frameworks
 * without a router (Koa, node:http).
 *
 * @example
 * ```ts
 * const route = findConformanceRoute(ctx.method, ctx.path);
 * if (!route) return next();
 * ```
 */
export function findConformanceRoute(method: string, path: string): ConformanceRoute | undefined {
  return conformanceRoutes.find((route) => route.method === method && route.path === path);
}
