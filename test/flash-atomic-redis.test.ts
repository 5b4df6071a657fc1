/**
 * Flash messages and same-key atomic updates against a real redis-server,
 * through real Express apps on port 0, with both clients: two app
 * instances (two managers on one Redis) racing to take one flash, a flash
 * set on a POST shown once after its 303 redirect, a failed request's
 * flash dropped, 50 concurrent increments losing none, concurrent
 * compare-and-sets with one winner per round, no resurrection of a
 * destroyed or tombstoned session, and what each costs in Redis commands
 * (a plain read and write unchanged; a take with no flash: none).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { Server } from "node:http";
import { before, describe, it } from "node:test";
import express from "express";
import { AtomicUpdateError, createSessionManager } from "tessera-session";
import { expressSession } from "tessera-session/express";
import { redisStore, type RedisClient } from "tessera-session/redis";
import { CookieClient, listen } from "./support/http.js";
import { redisFileRig } from "./support/redis-file-rig.js";

const rig = redisFileRig();
const { servers, clients } = rig;

/** One app instance: its own client and manager over the shared Redis, the routes of the scenarios. */
async function startInstance(client: RedisClient, prefix: string): Promise<string> {
  const store = redisStore({ client, prefix });
  const tessera = expressSession(createSessionManager<Record<string, unknown>>({ store }));
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(tessera);
  const session = (req: express.Request) => tessera.session(req);
  app.get("/start", (req, res) => void ((session(req).data.user = "ada"), res.send("ok")));
  app.get("/bound", async (req, res) => {
    await session(req).bindUser("ada");
    res.send("ok");
  });
  app.get("/read", (req, res) => void res.json({ user: session(req).data.user ?? null }));
  app.get("/write", (req, res) => void ((session(req).data.n = Number(req.query.n)), res.send("ok")));
  app.post("/login", (req, res) => {
    session(req).data.user = req.body.username;
    session(req).flash("notice", `Welcome back, ${String(req.body.username)}`);
    res.redirect(303, "/");
  });
  app.get("/", async (req, res) => {
    const notice = await session(req).takeFlash("notice");
    res.send(notice === undefined ? "<p>home</p>" : `<p class="flash">${String(notice)}</p>`);
  });
  app.get("/take", async (req, res) => void res.json({ notice: (await session(req).takeFlash("notice")) ?? null }));
  app.get("/flash-then-fail", (req, res) => {
    session(req).flash("notice", "never stored");
    res.status(500).send("failed");
  });
  app.get("/take-then-fail", async (req, res) => {
    await session(req).takeFlash("notice");
    res.status(500).send("failed");
  });
  app.post("/visit", async (req, res) => void res.json({ visits: await session(req).increment("visits") }));
  app.post("/claim", async (req, res) => {
    const round = Number(req.query.round);
    res.json({ won: await session(req).compareAndSet("round", round - 1, round) });
  });
  app.post("/tag", async (req, res) => {
    const tag = String(req.query.tag);
    res.json(await session(req).update<string[]>("tags", (tags = []) => (tags.includes(tag) ? tags : [...tags, tag]), { attempts: 25 }));
  });
  app.get("/destroyed-then-increment", async (req, res) => {
    await rig.redis.command("DEL", store.sessionKey(session(req).id!)); // another request's logout, meanwhile
    try {
      await session(req).increment("visits");
      res.send("incremented");
    } catch (error) {
      res.send(error instanceof AtomicUpdateError ? error.reason : "other");
    }
  });
  app.get("/tombstoned-then-update", async (req, res) => {
    const id = session(req).id!;
    const entry = { id, leaseEnd: Date.now() + 60_000 };
    await store.userIndex.revokeEntry("ada", entry, Date.now()); // log out everywhere: deleted...
    await store.userIndex.revokeEntry("ada", entry, Date.now()); // ...and a tombstone left under the id
    try {
      await (req.query.op === "cas" ? session(req).compareAndSet("visits", undefined, 1) : session(req).increment("visits"));
      res.send("applied");
    } catch (error) {
      res.send(error instanceof AtomicUpdateError ? error.reason : "other");
    }
  });
  const server = await new Promise<Server>((resolve) => resolve(app.listen(0, "127.0.0.1")));
  servers.push(server);
  return listen(server);
}

/** The session hash's key for a cookie value (token -> SHA-256 -> 96 bits). */
function keyOf(prefix: string, cookie: string): string {
  const token = decodeURIComponent(cookie).split(".")[0]!;
  return `${prefix}s:${createHash("sha256").update(token).digest().subarray(0, 12).toString("base64url")}`;
}

for (const [label, connect] of Object.entries(clients)) {
  describe(`flash and atomic updates over ${label}`, () => {
    const prefix = `fa-${label}:`;
    let first: string;
    let second: string;
    before(async () => {
      first = await startInstance(await connect(), prefix);
      second = await startInstance(await connect(), prefix);
    });

    it("a flash set on the POST survives the 303 redirect, shows once on the GET, gone on reload", async () => {
      const browser = new CookieClient(first);
      const login = await browser.post("/login", { username: "ada" });
      assert.equal(login.status, 303);
      assert.match((await new CookieClient(second).get("/", { cookie: browser.cookieHeader()! })).body, /<p class="flash">Welcome back, ada<\/p>/, "on another instance");
      assert.doesNotMatch((await browser.get("/")).body, /class="flash"/, "gone on reload");
    });

    it("of 20 concurrent requests on two instances, exactly one takes the flash", async () => {
      for (let round = 0; round < 3; round++) {
        const browser = new CookieClient(first);
        await browser.post("/login", { username: "ada" });
        const cookie = browser.cookieHeader()!;
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) => new CookieClient(i % 2 === 0 ? first : second).get("/take", { cookie }).then((r) => JSON.parse(r.body).notice)),
        );
        assert.deepEqual(answers.filter((notice) => notice !== null), ["Welcome back, ada"], `round ${round}`);
      }
    });

    it("a flash set during a failing (500) request is not stored; one taken by it is put back", async () => {
      const browser = new CookieClient(first);
      await browser.get("/start");
      assert.equal((await browser.get("/flash-then-fail")).status, 500);
      const key = keyOf(prefix, browser.jar.get("tessera")!);
      assert.equal(await rig.redis.command("HEXISTS", key, "@f:notice"), ":0\r\n");
      await browser.post("/login", { username: "ada" });
      const rotated = keyOf(prefix, browser.jar.get("tessera")!);
      assert.equal((await browser.get("/take-then-fail")).status, 500);
      assert.equal(await rig.redis.command("HGET", rotated, "@f:notice"), '$19\r\n"Welcome back, ada"\r\n', "the failed request loses nothing");
      assert.match((await browser.get("/")).body, /Welcome back, ada/);
    });

    it("50 concurrent increments over two instances end at 50", async () => {
      const browser = new CookieClient(first);
      await browser.get("/start");
      const cookie = browser.cookieHeader()!;
      const visits = await Promise.all(
        Array.from({ length: 50 }, (_, i) => new CookieClient(i % 2 === 0 ? first : second).request("/visit", { method: "POST", cookie }).then((r) => JSON.parse(r.body).visits as number)),
      );
      assert.deepEqual(visits.sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1), "each saw its own sum");
      assert.equal(await rig.redis.command("HGET", keyOf(prefix, browser.jar.get("tessera")!), "visits"), "$2\r\n50\r\n", "and the commits did not overwrite it");
    });

    it("50 concurrent compare-and-sets per round: exactly one wins each round", async () => {
      const browser = new CookieClient(first);
      await browser.get("/start");
      const cookie = browser.cookieHeader()!;
      // The route compares `round` with round - 1: seed it with 0 under that key.
      await rig.redis.command("HSET", keyOf(prefix, browser.jar.get("tessera")!), "round", "0");
      for (let round = 1; round <= 3; round++) {
        const wins = await Promise.all(
          Array.from({ length: 50 }, (_, i) => new CookieClient(i % 2 === 0 ? first : second).request(`/claim?round=${round}`, { method: "POST", cookie }).then((r) => JSON.parse(r.body).won as boolean)),
        );
        assert.equal(wins.filter(Boolean).length, 1, `round ${round}`);
      }
    });

    it("20 concurrent update()s adding to one set over two instances lose none", async () => {
      const browser = new CookieClient(first);
      await browser.get("/start");
      const cookie = browser.cookieHeader()!;
      await Promise.all(Array.from({ length: 20 }, (_, i) => new CookieClient(i % 2 === 0 ? first : second).request(`/tag?tag=t${i}`, { method: "POST", cookie })));
      const stored = await rig.redis.command("HGET", keyOf(prefix, browser.jar.get("tessera")!), "tags");
      const tags = JSON.parse(stored.split("\r\n")[1]!) as string[];
      assert.deepEqual(tags.sort(), Array.from({ length: 20 }, (_, i) => `t${i}`).sort());
    });

    it("an update of a destroyed session fails as gone and does not recreate it; a tombstoned one neither", async () => {
      const browser = new CookieClient(first);
      await browser.get("/start");
      const key = keyOf(prefix, browser.jar.get("tessera")!);
      assert.equal((await browser.get("/destroyed-then-increment")).body, "gone");
      assert.equal(await rig.redis.command("EXISTS", key), ":0\r\n", "not recreated");
      for (const op of ["cas", "inc"]) {
        const other = new CookieClient(first);
        await other.get("/bound");
        const buried = keyOf(prefix, other.jar.get("tessera")!);
        assert.equal((await other.get(`/tombstoned-then-update?op=${op}`)).body, "gone", op);
        assert.equal(await rig.redis.command("HEXISTS", buried, "@c"), ":0\r\n", "still only a tombstone");
        assert.equal(await rig.redis.command("HEXISTS", buried, "@r"), ":1\r\n");
        assert.equal(await rig.redis.command("HEXISTS", buried, "visits"), ":0\r\n");
      }
    });

    it("costs: a plain read and write unchanged, a take with no flash none, a take one command", async () => {
      const browser = new CookieClient(first);
      await browser.get("/start");
      const count = async (path: string, method = "GET") => (await rig.redis.countCommands(() => browser.request(path, { method }))).total;
      assert.equal(await count("/read"), 1, "a read");
      assert.equal(await count("/write?n=1"), 2, "a write: the read and the update");
      assert.equal(await count("/take"), 1, "a take with no flash: the read alone");
      await browser.post("/login", { username: "ada" });
      const { byCommand, total } = await rig.redis.countCommands(() => browser.get("/take"));
      assert.equal(total, 2, "a take of a flash: the read and one script");
      assert.equal((byCommand.evalsha ?? 0) + (byCommand.eval ?? 0), 1);
      assert.equal(await count("/visit", "POST"), 2, "an increment: the read and one script (its commit writes nothing)");
    });
  });
}
