import assert from "node:assert/strict";
import http, { type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import { createSessionManager, SessionConfigError, type SessionManager } from "tessera-session";
import { fetchSessions } from "tessera-session/fetch";
import { honoSession, type HonoSessionEnv } from "tessera-session/hono";
import { memoryStore } from "tessera-session/memory";
import { nodeSession, type TrustProxy } from "tessera-session/node";
import { listenOnLoopback, type ServedApp } from "tessera-session/testing";
import { peerOf, serveFetch } from "./support/fetch-server.js";

// How the node and Hono adapters decide, behind proxies, that a client used
// HTTPS (the Secure attribute with cookie.secure "auto"): only the
// X-Forwarded-Proto value a trusted proxy wrote counts, counted from the
// right, never what the client put to its left.

type Serve = (manager: SessionManager<Record<string, unknown>>, trustProxy: TrustProxy) => Promise<ServedApp>;

/** A node:http app whose every request stores one key (so the response sets the session cookie). */
const serveNode: Serve = (manager, trustProxy) => {
  const tessera = nodeSession(manager, { trustProxy });
  return listenOnLoopback(
    http.createServer(
      tessera.handler(async (_req, res, session) => {
        session.data.seen = true;
        res.end("ok");
      }),
    ),
  );
};

/** The same app on Hono, served by @hono/node-server (which gives the peer's address). */
const serveHono: Serve = (manager, trustProxy) => {
  const app = new Hono<HonoSessionEnv<Record<string, unknown>>>();
  app.use(honoSession(manager, { trustProxy }));
  app.all("*", (c) => {
    c.get("session").data.seen = true;
    return c.text("ok");
  });
  return listenOnLoopback(createAdaptorServer({ fetch: app.fetch }) as Server);
};

/** The same app as a plain fetch handler, the peer's address from @hono/node-server's bindings. */
const serveFetchApp: Serve = (manager, trustProxy) =>
  serveFetch(
    fetchSessions(manager, { trustProxy }).handler((_request, session) => {
      session.data.seen = true;
      return new Response("ok");
    }, peerOf),
  );

/**
 * A tiny reverse proxy on loopback, as nginx with `proxy_add_x_forwarded_for`
 * and an appended X-Forwarded-Proto: it appends `proto` (the scheme of the
 * client's connection to it) and `clientAddress` to what the client sent.
 */
async function startProxy(target: string, proto: "http" | "https", clientAddress: string): Promise<ServedApp> {
  const append = (existing: string | string[] | undefined, value: string) => [existing, value].flat().filter(Boolean).join(", ");
  const server = http.createServer((req, res) => {
    const headers = {
      ...req.headers,
      "x-forwarded-proto": append(req.headers["x-forwarded-proto"], proto),
      "x-forwarded-for": append(req.headers["x-forwarded-for"], clientAddress),
    };
    const upstream = http.request(new URL(req.url ?? "/", target), { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  return listenOnLoopback(server);
}

/** Whether the response's session cookie carries Secure. */
async function secureCookie(url: string, headers: Record<string, string> = {}): Promise<boolean> {
  const response = await fetch(url, { method: "POST", headers });
  await response.text();
  const cookie = response.headers.getSetCookie().find((line) => line.startsWith("tessera="));
  assert.ok(cookie, `the route sets the session cookie (status ${response.status})`);
  return /;\s*secure/i.test(cookie);
}

for (const [name, serve] of [["node", serveNode], ["hono", serveHono], ["fetch", serveFetchApp]] as const) {
  describe(`trusted proxies: ${name}`, () => {
    const manager = createSessionManager<Record<string, unknown>>({ store: memoryStore() });
    const servers: ServedApp[] = [];
    const start = async (trustProxy: TrustProxy) => {
      const app = await serve(manager, trustProxy);
      servers.push(app);
      return app;
    };
    const proxy = async (target: ServedApp, proto: "http" | "https") => {
      const served = await startProxy(target.url, proto, "203.0.113.7");
      servers.push(served);
      return served;
    };
    let oneHop: ServedApp;
    let loopback: ServedApp;

    before(async () => {
      oneHop = await start(1);
      loopback = await start("loopback");
    });
    after(async () => {
      for (const served of servers) await served.close();
    });

    it("a client that forges X-Forwarded-Proto: https in front of what the proxy appends gets no Secure cookie", async () => {
      for (const app of [oneHop, loopback, await start(true), await start((_address: string, hop: number) => hop < 1)]) {
        const plain = await proxy(app, "http");
        assert.equal(await secureCookie(plain.url, { "x-forwarded-proto": "https" }), false, "the proxy wrote http");
        assert.equal(await secureCookie(plain.url), false);
      }
    });

    it("the value a trusted proxy wrote is honoured", async () => {
      for (const app of [oneHop, loopback]) {
        const tls = await proxy(app, "https");
        assert.equal(await secureCookie(tls.url), true, "the proxy terminated TLS");
        assert.equal(await secureCookie(tls.url, { "x-forwarded-proto": "http" }), true, "the client's own value is ignored");
      }
    });

    it("a peer whose address is not trusted is not a proxy: its X-Forwarded-Proto is ignored", async () => {
      const elsewhere = await start("10.0.0.0/8, fd00::/8");
      assert.equal(await secureCookie(elsewhere.url, { "x-forwarded-proto": "https" }), false);
      assert.equal(await secureCookie((await proxy(elsewhere, "https")).url), false, "the loopback proxy is not in the list");
      const off = await start(false);
      assert.equal(await secureCookie(off.url, { "x-forwarded-proto": "https" }), false, "trustProxy false reads no header");
    });

    it("with several trusted hops, the value the farthest trusted proxy wrote decides", async () => {
      // The peer (loopback) and 192.0.2.10 are trusted; 198.51.100.1, the client, is not.
      const twoHops = await start(["loopback", "192.0.2.0/24"]);
      const forwardedFor = "198.51.100.1, 192.0.2.10";
      assert.equal(await secureCookie(twoHops.url, { "x-forwarded-for": forwardedFor, "x-forwarded-proto": "http, https, http" }), true);
      assert.equal(await secureCookie(twoHops.url, { "x-forwarded-for": forwardedFor, "x-forwarded-proto": "https, http, http" }), false);
      // By count: the same two hops, no addresses needed.
      const countTwo = await start(2);
      assert.equal(await secureCookie(countTwo.url, { "x-forwarded-proto": "http, https, http" }), true);
      assert.equal(await secureCookie(countTwo.url, { "x-forwarded-proto": "https, http, http" }), false);
    });
  });
}

describe("trustProxy and commitOnError option errors", () => {
  const manager = createSessionManager({ store: memoryStore() });
  const bad: unknown[] = ["1", -1, 1.5, "10.0.0.0/33", "not-an-address", "", {}, [1], "127.0.0.1/8/8"];

  it("rejects a trustProxy that is none of the forms, saying how to fix it", () => {
    for (const trustProxy of bad) {
      for (const build of [
        () => nodeSession(manager, { trustProxy: trustProxy as TrustProxy }),
        () => honoSession(manager, { trustProxy: trustProxy as TrustProxy }),
        () => fetchSessions(manager, { trustProxy: trustProxy as TrustProxy }),
      ]) {
        assert.throws(build, (error: unknown) => {
          assert.ok(error instanceof SessionConfigError, `${JSON.stringify(trustProxy)}: ${String(error)}`);
          assert.match(error.message, /trustProxy/);
          return true;
        });
      }
    }
    assert.throws(() => nodeSession(manager, { trustProxy: "2" }), /pass the number 2/);
  });

  it("accepts the documented forms", () => {
    for (const trustProxy of [false, true, 0, 3, "loopback", "127.0.0.1, ::1", ["uniquelocal", "203.0.113.0/24"], () => false] as TrustProxy[]) {
      nodeSession(manager, { trustProxy });
      honoSession(manager, { trustProxy });
      fetchSessions(manager, { trustProxy });
    }
  });

  it("rejects a commitOnError that is not a boolean", () => {
    assert.throws(() => createSessionManager({ store: memoryStore(), commitOnError: "yes" as unknown as boolean }), SessionConfigError);
    assert.equal(createSessionManager({ store: memoryStore() }).options.commitOnError, false);
    assert.equal(createSessionManager({ store: memoryStore(), commitOnError: true }).options.commitOnError, true);
  });
});
