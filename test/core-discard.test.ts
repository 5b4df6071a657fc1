import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createSessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { fakeClock } from "tessera-session/testing";

// What a failed request (an unhandled error or a 5xx, reported by the
// adapter as { failed: true }) does to its session, below the adapters:
// nothing uncommitted is written, and the response never carries a token
// the client did not send.

function setup(options: { commitOnError?: boolean } = {}) {
  const clock = fakeClock();
  const store = memoryStore();
  const manager = createSessionManager<Record<string, unknown>>({
    store,
    clock,
    idleTimeoutSeconds: 600,
    renewIntervalSeconds: 60,
    ...options,
  });
  const load = (cookieHeader?: string) => manager.load({ cookieHeader, secure: false });
  /** A stored session and its Cookie header. */
  const stored = async (data: Record<string, unknown>) => {
    const session = await load();
    Object.assign(session.data, data);
    const setCookie = await manager.commit(session);
    assert.ok(setCookie);
    return { cookie: setCookie.split(";")[0]!, id: session.id! };
  };
  const read = async (cookie: string) => (await load(cookie)).data;
  return { clock, store, manager, load, stored, read };
}

const tokenOf = (setCookie: string | undefined) => setCookie?.split(";")[0];
const clears = (setCookie: string | undefined) => setCookie !== undefined && /Max-Age=0/i.test(setCookie);

describe("failed requests discard their session changes", () => {
  it("drops data changes and a pending regenerate, writes nothing, and sends no cookie", async () => {
    const { manager, load, stored, read } = setup();
    const { cookie, id } = await stored({ username: "ada" });
    const session = await load(cookie);
    await session.regenerate();
    session.data.username = "admin";
    assert.equal(await manager.commit(session, { failed: true }), undefined);
    assert.deepEqual(await read(cookie), { username: "ada" }, "the old cookie still reads the old data");
    assert.equal((await load(cookie)).id, id);
  });

  it("a new session is never stored nor given a cookie", async () => {
    const { manager, load } = setup();
    const session = await load();
    session.data.username = "ada";
    assert.equal(await manager.commit(session, { failed: true }), undefined);
    assert.equal(session.isNew, true, "nothing was stored");
  });

  it("an explicit commit stands, but its new session's cookie is never sent", async () => {
    const { manager, load } = setup();
    const session = await load();
    session.data.username = "ada";
    await session.commit();
    assert.ok(session.id, "the explicit commit stored the session");
    assert.equal(await manager.commit(session, { failed: true }), undefined, "no cookie for the new session");
    assert.equal(manager.pendingSetCookie(session), undefined, "not later either");
    const setCookie = await manager.commit(session);
    assert.equal(setCookie, undefined, "nor from a plain commit after the discard");
  });

  it("a session rotated by an explicit commit gets a clearing cookie: the client's token is dead", async () => {
    const { manager, load, stored, read } = setup();
    const { cookie } = await stored({ username: "ada" });
    const session = await load(cookie);
    await session.regenerate();
    await session.commit();
    const setCookie = await manager.commit(session, { failed: true });
    assert.ok(clears(setCookie), `a clearing cookie, got ${setCookie}`);
    assert.deepEqual(await read(cookie), {}, "the old token was killed by the explicit commit");
  });

  it("a destroy is immediate; its clearing cookie still goes out", async () => {
    const { manager, load, stored, read } = setup();
    const { cookie } = await stored({ username: "ada" });
    const session = await load(cookie);
    await session.destroy();
    session.data.flash = "bye";
    assert.ok(clears(await manager.commit(session, { failed: true })));
    assert.deepEqual(await read(cookie), {});
  });

  it("a renewal of the request's own token (expiry moved at load) still goes out", async () => {
    const { clock, manager, load, stored } = setup();
    const { cookie } = await stored({ username: "ada" });
    clock.advance(120_000); // past the renew interval: the load renews the expiry
    const session = await load(cookie);
    session.data.username = "admin";
    const setCookie = await manager.commit(session, { failed: true });
    assert.equal(tokenOf(setCookie), cookie, "the same token, with the moved expiry");
    assert.ok(!clears(setCookie));
  });

  it("commits after the discard write nothing", async () => {
    const { manager, load, stored, read } = setup();
    const { cookie } = await stored({ username: "ada" });
    const session = await load(cookie);
    session.data.username = "admin";
    await manager.commit(session, { failed: true });
    await session.commit();
    assert.equal(await manager.commit(session), undefined);
    assert.deepEqual(await read(cookie), { username: "ada" });
  });

  it("commitOnError: true commits failed requests like any other", async () => {
    const { manager, load, read } = setup({ commitOnError: true });
    const session = await load();
    session.data.username = "ada";
    const setCookie = await manager.commit(session, { failed: true });
    assert.ok(setCookie && !clears(setCookie));
    assert.deepEqual(await read(tokenOf(setCookie)!), { username: "ada" });
  });
});
