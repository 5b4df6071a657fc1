import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HttpBindings } from "@hono/node-server";
import { createSessionManager, SessionStoreError, type SessionManager } from "tessera-session";
import { fetchSessions, withSession } from "tessera-session/fetch";
import { memoryStore } from "tessera-session/memory";
import { adapterConformance, conformanceRoutes, type ConformanceData, type ConformanceReply } from "tessera-session/testing";
import { withRedis } from "./support/conformance.js";
import { peerOf, serveFetch } from "./support/fetch-server.js";

/** A conformance reply as a plain fetch `Response`. */
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

/** The conformance app as a plain fetch handler: no framework, only `fetchSessions(...).handler`. */
function serve(manager: SessionManager<ConformanceData>) {
  const tessera = fetchSessions(manager, { trustProxy: "loopback" });
  return serveFetch(
    tessera.handler<[HttpBindings]>(async (request, session) => {
      const url = new URL(request.url);
      const route = conformanceRoutes.find((candidate) => candidate.method === request.method && candidate.path === url.pathname);
      if (!route) return new Response("Not Found", { status: 404 });
      return toResponse(await route.handle({ session, query: url.searchParams }));
    }, peerOf),
  );
}

adapterConformance(withRedis("fetch", "ioredis", serve));
adapterConformance(withRedis("fetch", "node-redis", serve));
// The same suite with the token in a header instead of the cookie (issue 14).
adapterConformance({ ...withRedis("fetch", "ioredis", serve), transport: "bearer" });
adapterConformance({ ...withRedis("fetch", "node-redis", serve), transport: { header: "X-Session-Token" } });

describe("fetch adapter: Response and Headers", () => {
  const store = memoryStore();
  const manager = createSessionManager<Record<string, unknown>>({ store });
  const tessera = fetchSessions(manager);
  const sessionCookie = (headers: Headers) => headers.getSetCookie().find((line) => line.startsWith("tessera="));

  it("commits onto a Response.redirect() (immutable headers) by returning a copy with the cookie", async () => {
    const request = new Request("http://127.0.0.1/login", { method: "POST" });
    const session = await tessera.load(request);
    session.data.username = "ada";
    const redirect = Response.redirect("http://127.0.0.1/", 303);
    assert.throws(() => redirect.headers.append("x", "1"), TypeError, "Response.redirect's headers are immutable");
    const committed = await tessera.commit(session, redirect);
    assert.equal(committed.status, 303);
    assert.equal(committed.headers.get("location"), "http://127.0.0.1/");
    const cookie = sessionCookie(committed.headers);
    assert.ok(cookie, "the copy carries the session cookie");
    const again = await tessera.load(new Request("http://127.0.0.1/", { headers: { cookie: cookie.split(";")[0]! } }));
    assert.equal(again.data.username, "ada");
  });

  it("appends to a mutable Headers, keeping the app's own Set-Cookie", async () => {
    const session = await tessera.load(new Request("http://127.0.0.1/"));
    session.data.seen = true;
    const headers = new Headers({ "set-cookie": "theme=dark; Path=/" });
    await tessera.commitHeaders(session, headers);
    assert.equal(headers.getSetCookie().length, 2);
    assert.ok(sessionCookie(headers));
  });

  it("a 5xx response discards the changes and carries no new session cookie", async () => {
    const session = await tessera.load(new Request("http://127.0.0.1/"));
    session.data.seen = true;
    const committed = await tessera.commit(session, new Response("boom", { status: 500 }));
    assert.equal(sessionCookie(committed.headers), undefined);
  });

  it("Secure follows the URL's scheme; X-Forwarded-Proto is ignored without trustProxy", async () => {
    for (const [url, headers, secure] of [
      ["https://127.0.0.1/", {}, true],
      ["http://127.0.0.1/", { "x-forwarded-proto": "https" }, false],
    ] as const) {
      const handler = withSession(manager, (_request, session) => {
        session.data.seen = true;
        return new Response("ok");
      });
      const cookie = sessionCookie((await handler(new Request(url, { headers }))).headers);
      assert.ok(cookie);
      assert.equal(/;\s*secure/i.test(cookie), secure, url);
    }
  });

  it("a store failure answers onError's page (default: 503 in plain text)", async () => {
    const down = createSessionManager({ store: { ...store, load: async () => Promise.reject(new Error("down")) } });
    const handler = withSession(down, () => new Response("never"));
    const signed = await (async () => {
      const session = await tessera.load(new Request("http://127.0.0.1/"));
      session.data.seen = true;
      return sessionCookie((await tessera.commit(session, new Response("ok"))).headers)!.split(";")[0]!;
    })();
    const answer = await handler(new Request("http://127.0.0.1/", { headers: { cookie: signed } }));
    assert.equal(answer.status, 503);
    assert.equal(await answer.text(), "Service Unavailable");
    let seen: unknown;
    const custom = withSession(down, () => new Response("never"), { onError: (error) => ((seen = error), new Response("sorry", { status: 503 })) });
    assert.equal(await (await custom(new Request("http://127.0.0.1/", { headers: { cookie: signed } }))).text(), "sorry");
    assert.ok(seen instanceof SessionStoreError);
  });
});
