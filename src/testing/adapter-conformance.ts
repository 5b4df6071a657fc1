import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { createSessionManager, type SessionManager } from "../core/manager.js";
import type { SessionManagerOptions } from "../core/options.js";
import type { SessionStore } from "../core/store.js";
import type { TokenTransport } from "../core/transport.js";
import { send, sessionSetCookie, type ClientResponse } from "./conformance-client.js";
import { conformanceTransport, CONFORMANCE_COOKIE as COOKIE } from "./conformance-transport.js";
import { CONFORMANCE_ROUTE_HEADERS, createLatch, type ConformanceData } from "./conformance-routes.js";
import type { ServedApp } from "./serve.js";

/**
 * Control over the redis-server behind the store under test: the suite
 * counts its commands and takes it down to check the error path.
 */
export interface ConformanceRedis {
  /**
   * Top-level commands clients sent to the server while `work` ran: a
   * script counts once, the commands it calls not at all (watch with
   * MONITOR; `total_commands_processed` also counts script-called commands).
   */
  countCommands(work: () => Promise<unknown>): Promise<{ total: number }>;
  /** SIGSTOP: a hung server that keeps its data. */
  pause(): void;
  /** SIGCONT after `pause()`. */
  resume(): void;
  /** Stops the server (it refuses connections). */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty). */
  restart(): Promise<void>;
}

/** What {@link adapterConformance} needs to test an adapter. */
export interface AdapterConformanceOptions {
  /** Label for the test suite, e.g. `"fastify over ioredis"`. */
  name: string;
  /**
   * Called once before the suite: start the redis-server, connect a client,
   * and return the store (give it a key prefix of its own) and the server's controls.
   */
  setup(): Promise<{ store: SessionStore; redis: ConformanceRedis }>;
  /**
   * Builds a real app with your adapter for `manager`, serving every route
   * of `conformanceRoutes`, listening on a loopback port 0. The app must
   * trust `X-Forwarded-Proto` from a loopback proxy (Express
   * `trust proxy: "loopback"`, Fastify `trustProxy`, Koa `proxy`...) and use
   * the framework's default error handling (or an error page built the
   * framework's usual way). Set each reply's `headers` and `status`. Called
   * once per manager the suite uses.
   */
  serve(manager: SessionManager<ConformanceData>): Promise<ServedApp>;
  /** Called after the suite: close clients, stop the server. */
  teardown?(): Promise<void>;
  /**
   * Further options for every manager the suite creates, to run the whole
   * suite with a feature on (`{ encryptData: true }`). The suite's own
   * store, secrets and timeouts take precedence.
   */
  managerOptions?: Partial<Omit<SessionManagerOptions, "store">>;
  /**
   * Where the suite's client keeps its token (default: the cookie): with
   * `"bearer"` or `{ header }`, every manager has that transport alone, the
   * client sends the token in the header and takes new ones from the
   * `Tessera-Session-Token` response header, and every test also checks
   * that no response sets a session cookie.
   */
  transport?: TokenTransport;
}

/** A 32-byte secret for the suite's signed cookies (test-only, random per run). */
const SECRET = randomBytes(32).toString("base64url");
/**
 * How long a store call may take before the request fails: short, so outage
 * tests are quick, yet well above the stalls a loaded 2-core CI machine
 * gives a Sentinel or Cluster rig (500 ms once failed a healthy request).
 */
const STORE_TIMEOUT_MS = 1000;
/** Generous bound on an outage answer: the store deadline plus scheduling slack on a busy machine. */
const OUTAGE_ANSWER_BOUND_MS = STORE_TIMEOUT_MS + 4000;
/** The short-lived sessions of the timeout tests (real time: Redis expires keys on its own clock). */
const SHORT = { idleTimeoutSeconds: 1.5, renewIntervalSeconds: 0.3, absoluteTimeoutSeconds: 4 } as const;
interface WhoAmI {
  id: string | null;
  isNew: boolean;
  username: string | null;
  data: Record<string, unknown>;
}

/**
 * Registers, with `node:test`, the behaviour every Tessera framework adapter
 * must have, seen through HTTP against a real app and a real Redis: login
 * and greeting, logout, forged/tampered/expired cookies, regenerate, idle and
 * absolute timeouts, 20 concurrent writers, destroy against a slow commit,
 * redirects and streams committed before the client sees the end, Secure
 * behind a trusted proxy, failed requests (a crash, a 5xx) that commit
 * nothing and hand out no cookie (unless `commitOnError`), store outages on
 * the framework's error path (503, without the route's headers) and
 * recovery, and Redis command counts of 0, 1 and 2 per request.
 *
 * Tessera runs it against all five of its adapters; run it against an
 * adapter of your own the same way.
 *
 * @example
 * ```ts
 * import http from "node:http";
 * import Redis from "ioredis";
 * import { redisStore } from "tessera-session/redis";
 * import { adapterConformance, conformanceRoutes, listenOnLoopback } from "tessera-session/testing";
 *
 * let client: Redis;
 * adapterConformance({
 *   name: "my framework",
 *   async setup() {
 *     const redis = await startMyRedisServer(); // pause/resume/stop/restart/countCommands
 *     client = new Redis(redis.url);
 *     return { store: redisStore({ client, prefix: "conformance:" }), redis };
 *   },
 *   serve: (manager) => listenOnLoopback(http.createServer(myFrameworkApp(manager, conformanceRoutes))),
 *   teardown: async () => void client.quit(),
 * });
 * ```
 */
export function adapterConformance(options: AdapterConformanceOptions): void {
  const via = conformanceTransport(options.transport);
  describe(`adapter conformance: ${options.name}${via.isCookie ? "" : ` (${via.label} tokens)`}`, () => {
    /** A request carrying `credential` the transport's way. */
    const call = (url: string, method: string, path: string, credential?: string, headers?: Record<string, string>) =>
      send(url, method, path, { headers: via.requestHeaders(credential, headers) }).then((response) => {
        if (!via.isCookie) via.assertKept(response, "a header client is never sent a session cookie");
        return response;
      });
    let store: SessionStore;
    let redis: ConformanceRedis;
    let main: SessionManager<ConformanceData>;
    let app: ServedApp;
    let short: SessionManager<ConformanceData>;
    let shortApp: ServedApp;
    let committingApp: ServedApp;

    before(async () => {
      ({ store, redis } = await options.setup());
      const extra = { ...options.managerOptions, ...(options.transport === undefined ? {} : { transport: options.transport }) };
      main = createSessionManager<ConformanceData>({
        ...extra,
        store,
        secrets: [SECRET],
        idleTimeoutSeconds: 600,
        absoluteTimeoutSeconds: 3600,
        storeTimeoutMs: STORE_TIMEOUT_MS,
      });
      short = createSessionManager<ConformanceData>({ ...extra, store, secrets: [SECRET], storeTimeoutMs: STORE_TIMEOUT_MS, ...SHORT });
      const committing = createSessionManager<ConformanceData>({ ...extra, store, secrets: [SECRET], storeTimeoutMs: STORE_TIMEOUT_MS, commitOnError: true });
      app = await options.serve(main);
      shortApp = await options.serve(short);
      committingApp = await options.serve(committing);
    });
    after(async () => {
      await app?.close();
      await shortApp?.close();
      await committingApp?.close();
      await options.teardown?.();
    });

    const whoami = async (cookie?: string, served = app): Promise<WhoAmI> => {
      const response = await call(served.url, "GET", "/whoami", cookie);
      assert.equal(response.status, 200, response.text);
      return JSON.parse(response.text) as WhoAmI;
    };
    const login = async (user: string, served = app, cookie?: string): Promise<string> => {
      const response = await call(served.url, "POST", `/login?user=${encodeURIComponent(user)}`, cookie);
      assert.equal(response.status, 303, response.text);
      return via.expectIssued(response);
    };
    const storedSession = async (id: string, manager = main) => store.load(id, Date.now(), manager.options.policy);
    /** A POST whose handler has run, answered while Redis is paused: its final commit meets the outage. */
    const commitDuringOutage = async (path: string, cookie: string): Promise<ClientResponse> => {
      const latch = createLatch();
      const held = call(app.url, "POST", `${path}&latch=${latch.name}`, cookie);
      await latch.arrived;
      redis.pause();
      try {
        latch.release();
        return await held;
      } finally {
        redis.resume();
      }
    };

    if (!via.isCookie) {
      it("login hands a header client its token and expiry, never a cookie, and the next request is greeted", async () => {
        const response = await call(app.url, "POST", "/login?user=ada", undefined, { "x-forwarded-proto": "https" });
        assert.equal(response.status, 303);
        assert.deepEqual(response.setCookies, [], "no Set-Cookie at all");
        assert.equal(response.headers.get("cache-control"), "no-store", "a response carrying a token is not cached");
        const expires = Date.parse(response.headers.get("tessera-session-expires") ?? "");
        assert.ok(expires > Date.now() + 590_000 && expires <= Date.now() + 601_000, "the expiry matches the idle timeout");
        const me = await whoami(via.expectIssued(response));
        assert.equal(me.username, "ada");
        assert.equal(me.isNew, false);
      });
    }

    if (via.isCookie) it("login sets a secure-by-default cookie and the next request is greeted", async () => {
      const response = await call(app.url, "POST", "/login?user=ada");
      assert.equal(response.status, 303);
      assert.equal(response.headers.get("location"), "/whoami");
      const parsed = sessionSetCookie(response, COOKIE);
      assert.ok(parsed, "login must set the session cookie");
      assert.ok(parsed.attributes.has("httponly"), "HttpOnly");
      assert.equal(parsed.attributes.get("samesite")?.toLowerCase(), "lax");
      assert.equal(parsed.attributes.get("path"), "/");
      assert.ok(!parsed.attributes.has("secure"), "no Secure over plain HTTP without a proxy header");
      const maxAge = Number(parsed.attributes.get("max-age"));
      assert.ok(maxAge > 590 && maxAge <= 600, `Max-Age ${maxAge} matches the idle timeout`);
      const me = await whoami(via.expectIssued(response));
      assert.equal(me.username, "ada");
      assert.equal(me.isNew, false);
    });

    if (via.isCookie) it("sets Secure when a trusted proxy says the client used HTTPS", async () => {
      const response = await call(app.url, "POST", "/set?key=k&value=v", undefined, { "x-forwarded-proto": "https" });
      assert.equal(response.status, 200, response.text);
      assert.ok(sessionSetCookie(response, COOKIE)?.attributes.has("secure"), "Secure behind a trusted HTTPS proxy");
    });

    it("an anonymous request stores nothing and sets no cookie", async () => {
      const response = await call(app.url, "GET", "/whoami");
      assert.equal(response.status, 200);
      assert.deepEqual(response.setCookies, []);
      assert.equal((JSON.parse(response.text) as WhoAmI).isNew, true);
    });

    it("logout clears the cookie and deletes the session from the store", async () => {
      const cookie = await login("grace");
      const { id } = await whoami(cookie);
      assert.ok(id && (await storedSession(id)), "session is stored");
      const response = await call(app.url, "POST", "/logout", cookie);
      assert.equal(response.status, 303);
      via.assertEnded(response, "logout clears the cookie");
      assert.equal(await storedSession(id), undefined, "session is gone from the store");
      assert.equal((await whoami(cookie)).username, null, "old cookie is anonymous");
    });

    it("forged and tampered cookies are anonymous, cleared, and cost no Redis command", async () => {
      const cookie = await login("mallory-target");
      const value = via.tokenOf(cookie);
      const tampered = via.credentialFor(`${value.slice(0, 10)}${value[10] === "A" ? "B" : "A"}${value.slice(11)}`);
      const forged = via.credentialFor(`${randomBytes(32).toString("base64url")}.${randomBytes(32).toString("base64url")}`);
      for (const bad of [tampered, forged, via.credentialFor("garbage"), via.credentialFor("x".repeat(5000))]) {
        let response!: ClientResponse;
        const { total: used } = await redis.countCommands(async () => {
          response = await call(app.url, "GET", "/whoami", bad);
        });
        assert.equal(response.status, 200, response.text);
        assert.equal((JSON.parse(response.text) as WhoAmI).username, null, `anonymous with ${bad.slice(0, 40)}`);
        via.assertEnded(response, "the bad cookie is cleared");
        assert.equal(used, 0, "a bad signature is rejected without a Redis round trip");
      }
      assert.equal((await whoami(cookie)).username, "mallory-target", "the real session is untouched");
    });

    it("regenerate issues a new token, keeps the data and kills the old token", async () => {
      const first = await login("ada");
      assert.equal((await call(app.url, "POST", "/set?key=theme&value=dark", first)).status, 200);
      const oldId = (await whoami(first)).id!;
      const second = await login("ada-admin", app, first);
      assert.notEqual(second, first);
      const me = await whoami(second);
      assert.equal(me.username, "ada-admin");
      assert.equal(me.data.theme, "dark", "data survives regenerate");
      assert.notEqual(me.id, oldId);
      assert.equal((await whoami(first)).username, null, "old token is dead");
      assert.equal(await storedSession(oldId), undefined, "old record is gone");
    });

    it("a login is a fresh authentication for step-up (session.authenticatedWithin), kept in the session", async () => {
      const stepUp = async (cookie?: string) => {
        const response = await call(app.url, "GET", "/step-up?seconds=300", cookie);
        assert.equal(response.status, 200, response.text);
        return JSON.parse(response.text) as { authenticatedWithin: boolean; authenticatedAt: number | null };
      };
      assert.deepEqual(await stepUp(), { authenticatedWithin: false, authenticatedAt: null }, "an anonymous request never authenticated");
      const before = Date.now();
      const cookie = await login("ada");
      const after = await stepUp(cookie);
      assert.equal(after.authenticatedWithin, true);
      assert.ok(after.authenticatedAt! >= before && after.authenticatedAt! <= Date.now(), "the login's time, read back from the store");
    });

    it("20 concurrent writers on one session keep 20 of 20 keys", async () => {
      const cookie = await login("writer");
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => call(app.url, "POST", `/set?key=k${i}&value=v${i}`, cookie)),
      );
      for (const response of responses) assert.equal(response.status, 200, response.text);
      const { data } = await whoami(cookie);
      const survivors = Array.from({ length: 20 }, (_, i) => data[`k${i}`] === `v${i}`).filter(Boolean).length;
      assert.equal(survivors, 20);
    });

    it("a destroy is not undone by a concurrent slow request's commit", async () => {
      const cookie = await login("slow");
      const { id } = await whoami(cookie);
      const latch = createLatch();
      const slow = call(app.url, "POST", `/hold?key=late&value=1&latch=${latch.name}`, cookie);
      await latch.arrived; // the slow request has loaded the session and changed it
      const logout = await call(app.url, "POST", "/logout", cookie);
      assert.equal(logout.status, 303);
      latch.release();
      const slowResponse = await slow;
      assert.equal(slowResponse.status, 200, slowResponse.text);
      via.assertEnded(slowResponse, "the slow request clears the dead cookie");
      assert.equal(await storedSession(id!), undefined, "the session stays destroyed");
      assert.equal((await whoami(cookie)).username, null);
    });

    it("a redirect is committed before the client sees it", async () => {
      const cookie = await login("redirected");
      for (let i = 0; i < 5; i++) {
        const response = await call(app.url, "POST", `/set?key=step&value=${i}&redirect=1`, cookie);
        assert.equal(response.status, 303);
        const followed = await call(app.url, "GET", response.headers.get("location")!, cookie);
        assert.equal((JSON.parse(followed.text) as WhoAmI).data.step, String(i), "the redirect target sees the new data");
      }
    });

    it("a streamed response is committed before the client sees its end", async () => {
      const cookie = await login("streamer");
      for (let i = 0; i < 3; i++) {
        const response = await call(app.url, "GET", `/stream?key=streamed&value=${i}`, cookie);
        assert.equal(response.status, 200);
        assert.equal(response.text, "abc");
        assert.equal((await whoami(cookie)).data.streamed, String(i), "the next request sees the streamed change");
      }
    });

    it("a new session committed before streaming gets its cookie with the headers", async () => {
      const response = await call(app.url, "GET", "/stream?key=fresh&value=1&commit=1");
      assert.equal(response.status, 200);
      assert.equal(response.text, "abc");
      assert.equal((await whoami(via.expectIssued(response))).data.fresh, "1");
    });

    it("an error response commits the session like any other response", async () => {
      const response = await call(app.url, "POST", "/fail?key=before-error&value=1");
      assert.ok(response.status >= 400, `the route failed: ${response.status}`);
      const me = await whoami(via.expectIssued(response));
      assert.equal(me.data["before-error"], "1", "the change made before the error is stored, and its cookie sent");
    });

    it("a handler that crashes after regenerate, bindUser and data changes commits nothing and hands out no cookie", async () => {
      const cookie = await login("before-crash");
      const before = await whoami(cookie);
      const bind = store.userIndex !== undefined ? "&bind=1" : "";
      const response = await call(app.url, "POST", `/login-then-crash?user=crash-admin&key=crashed&value=1${bind}`, cookie);
      assert.equal(response.status, 500, response.text);
      via.assertNothingNew(response, cookie);
      const after = await whoami(cookie);
      assert.equal(after.id, before.id, "the regenerate was dropped: the old cookie still names the session");
      assert.deepEqual(after.data, before.data, "the old cookie still reads the old data");
      if (store.userIndex !== undefined) assert.deepEqual(await main.listUserSessions("crash-admin"), [], "the bindUser was dropped");

      const anonymous = await call(app.url, "POST", `/login-then-crash?user=crash-anonymous&key=crashed&value=1${bind}`);
      assert.equal(anonymous.status, 500, anonymous.text);
      via.assertNothingNew(anonymous);
      if (store.userIndex !== undefined) assert.deepEqual(await main.listUserSessions("crash-anonymous"), [], "no session was stored");
    });

    it("an explicit 500 or 503 answer after changing the session commits nothing and hands out no cookie", async () => {
      const cookie = await login("before-answer");
      const before = await whoami(cookie);
      for (const status of [500, 503]) {
        const response = await call(app.url, "POST", `/answer?status=${status}&key=answered&value=${status}&regenerate=1`, cookie);
        assert.equal(response.status, status, response.text);
        via.assertNothingNew(response, cookie);
        assert.deepEqual(await whoami(cookie), before, `the session is unchanged after a ${status}`);
      }
      const fresh = await call(app.url, "POST", "/answer?status=500&key=answered&value=1");
      assert.equal(fresh.status, 500, fresh.text);
      via.assertNothingNew(fresh);
    });

    it("with commitOnError: true, a crash or a 5xx commits its changes and sends their cookie", async () => {
      const crashed = await call(committingApp.url, "POST", "/login-then-crash?user=kept&key=crashed&value=1");
      assert.equal(crashed.status, 500, crashed.text);
      const me = await whoami(via.expectIssued(crashed), committingApp);
      assert.equal(me.username, "kept");
      assert.equal(me.data.crashed, "1");
      const answered = await call(committingApp.url, "POST", "/answer?status=503&key=answered&value=1");
      assert.equal(answered.status, 503, answered.text);
      assert.equal((await whoami(via.expectIssued(answered), committingApp)).data.answered, "1");
    });

    it("costs 0 Redis commands without a session, 1 for a read, 2 for a write", async () => {
      const cookie = await login("counter");
      await whoami(cookie); // warm up: scripts loaded, connection up
      const count = async (method: string, path: string, withCookie: boolean): Promise<number> => {
        let response!: ClientResponse;
        const { total: used } = await redis.countCommands(async () => {
          response = await call(app.url, method, path, withCookie ? cookie : undefined);
        });
        assert.ok(response.status < 400, response.text);
        return used;
      };
      assert.equal(await count("GET", "/public", false), 0, "no cookie, no session use");
      assert.equal(await count("GET", "/whoami", false), 0, "no cookie, anonymous read");
      assert.equal(await count("GET", "/whoami", true), 1, "authenticated read");
      assert.equal(await count("POST", "/set?key=n&value=1", true), 2, "authenticated write");
      assert.equal(await count("POST", "/set?key=n&value=1", true), 1, "unchanged write is a read");
    });

    it("expires an idle session", async () => {
      const cookie = await login("idle", shortApp);
      const { id } = await whoami(cookie, shortApp);
      await sleep(SHORT.idleTimeoutSeconds * 1000 + 500);
      const response = await call(shortApp.url, "GET", "/whoami", cookie);
      assert.equal((JSON.parse(response.text) as WhoAmI).username, null, "anonymous after the idle timeout");
      via.assertEnded(response, "the expired cookie is cleared");
      assert.equal(await storedSession(id!, short), undefined);
    });

    it("activity keeps a session past the idle timeout but not past the absolute timeout", async () => {
      const started = Date.now();
      const cookie = await login("busy", shortApp);
      const absoluteMs = SHORT.absoluteTimeoutSeconds * 1000;
      let aliveAfterIdle = false;
      // Poll well inside the idle timeout; bounded by count and by time.
      for (let i = 0; i < 100 && Date.now() - started < absoluteMs + 1500; i++) {
        const elapsed = Date.now() - started;
        const me = await whoami(cookie, shortApp);
        if (elapsed < absoluteMs - 500) assert.equal(me.username, "busy", `alive at ${elapsed} ms`);
        if (elapsed > SHORT.idleTimeoutSeconds * 1000 + 300 && me.username === "busy") aliveAfterIdle = true;
        await sleep(250);
      }
      assert.ok(aliveAfterIdle, "renewal kept the session past its first idle deadline");
      assert.equal((await whoami(cookie, shortApp)).username, null, "anonymous after the absolute timeout");
    });

    // The outage tests run last: the final one restarts Redis empty.
    it("a hung Redis fails the request through the framework's error path (503), in bounded time, then recovers", async () => {
      const cookie = await login("outage");
      redis.pause();
      try {
        const started = Date.now();
        const response = await call(app.url, "GET", "/whoami", cookie);
        const elapsed = Date.now() - started;
        assert.equal(response.status, 503, response.text);
        assert.ok(elapsed < OUTAGE_ANSWER_BOUND_MS, `answered in ${elapsed} ms`);
        via.assertKept(response, "an outage never logs the user out");
      } finally {
        redis.resume();
      }
      assert.equal((await whoami(cookie)).username, "outage", "works again after resume, nothing lost");
    });

    it("a commit that cannot reach Redis fails through the error path, not as a success", async () => {
      const cookie = await login("commit-outage");
      const response = await commitDuringOutage(`/hold?key=lost&value=1`, cookie);
      assert.equal(response.status, 503, response.text);
      assert.equal((await whoami(cookie)).username, "commit-outage", "the session is still there");
    });

    it("a failed commit's error page carries none of the route's headers (Location, the app's Set-Cookie...)", async () => {
      const cookie = await login("decorated");
      const appCookie = (response: ClientResponse) => response.setCookies.some((header) => header.startsWith("conformance-app="));
      const stored = await call(app.url, "POST", "/hold?key=decorated&value=1&decorate=1", cookie);
      assert.equal(stored.status, 303, stored.text);
      assert.equal(stored.headers.get("x-conformance-route"), CONFORMANCE_ROUTE_HEADERS["x-conformance-route"], "the app sets the route's headers");
      assert.ok(appCookie(stored), "the app sets the route's own cookie");
      const response = await commitDuringOutage(`/hold?key=lost&value=2&decorate=1`, cookie);
      assert.equal(response.status, 503, response.text);
      assert.equal(response.headers.get("location"), null, "no redirect to a success page");
      assert.equal(response.headers.get("x-conformance-route"), null, "none of the route's headers");
      assert.ok(!appCookie(response), "not the app's own cookie");
      via.assertNothingNew(response, cookie);
    });

    it("a stopped Redis fails requests with 503, and a restarted one serves again without restarting the app", async () => {
      const cookie = await login("stopped");
      await redis.stop();
      try {
        const started = Date.now();
        const response = await call(app.url, "GET", "/whoami", cookie);
        assert.equal(response.status, 503, response.text);
        assert.ok(Date.now() - started < OUTAGE_ANSWER_BOUND_MS, "answered in bounded time");
      } finally {
        await redis.restart();
      }
      // The client reconnects on its own schedule; bounded in count and time.
      let recovered: ClientResponse | undefined;
      const deadline = Date.now() + 20_000;
      for (let i = 0; i < 100 && Date.now() < deadline; i++) {
        const response = await call(app.url, "POST", "/login?user=back");
        if (response.status === 303) {
          recovered = response;
          break;
        }
        assert.equal(response.status, 503, response.text);
        await sleep(200);
      }
      assert.ok(recovered, "login works again after Redis restarted");
      assert.equal((await whoami(via.expectIssued(recovered))).username, "back");
    });
  });
}
