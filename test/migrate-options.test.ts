/**
 * express-session option names given to createSessionManager get fix-it
 * errors that say what replaces them or why they are not needed; the
 * migrate option and its factories reject bad input clearly.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RedisStore } from "connect-redis";
import { Redis } from "ioredis";
import { createSessionManager, SessionConfigError, type SessionManagerOptions } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import { fromExpressSession, fromFastifySession, fromKoaSession } from "tessera-session/migrate";

/** Given options as an app being ported would write them, typed loosely on purpose. */
function create(options: Record<string, unknown>): void {
  createSessionManager({ store: memoryStore(), ...options } as unknown as SessionManagerOptions);
}

function throwsFixIt(options: Record<string, unknown>, says: RegExp): void {
  assert.throws(
    () => create(options),
    (error: unknown) => {
      assert.ok(error instanceof SessionConfigError, String(error));
      assert.equal(error.code, "TESSERA_CONFIG");
      assert.match(error.message, says);
      assert.match(error.message, /docs\/migrating\.md/);
      return true;
    },
  );
}

describe("fix-it errors for express-session options", () => {
  it("secret: use secrets, and the old secret goes to the migration", () => {
    throwsFixIt({ secret: "keyboard cat" }, /"secrets".*fromExpressSession\(\{ secret \}\)/s);
  });
  it("resave: not needed, only changed keys are written", () => {
    throwsFixIt({ resave: false }, /"resave" is not needed: Tessera writes only the keys that changed/);
  });
  it("saveUninitialized: not needed, empty sessions are never stored", () => {
    throwsFixIt({ saveUninitialized: false }, /"saveUninitialized" is not needed: Tessera never stores an empty new session/);
  });
  it("rolling: not needed, activity renews the expiry", () => {
    throwsFixIt({ rolling: true }, /"rolling" is not needed: .*idleTimeoutSeconds/);
  });
  it("name: use cookie.name", () => {
    throwsFixIt({ name: "connect.sid" }, /"name" is Tessera's "cookie\.name"/);
  });
  it("genid: tokens are always from the CSPRNG", () => {
    throwsFixIt({ genid: () => "id" }, /"genid" has no equivalent: a Tessera token is always 256 bits/);
  });
  it("cookie.maxAge: use idleTimeoutSeconds", () => {
    throwsFixIt({ cookie: { maxAge: 60_000 } }, /"cookie\.maxAge" \(milliseconds\) is Tessera's "idleTimeoutSeconds" \(seconds\)/);
  });
  it("cookie.expires: not needed", () => {
    throwsFixIt({ cookie: { expires: new Date() } }, /"cookie\.expires" is not needed/);
  });
  it("unset and proxy: what replaces them", () => {
    throwsFixIt({ unset: "destroy" }, /session\.destroy\(\)/);
    throwsFixIt({ proxy: true }, /trust proxy/);
  });
  it("store given a connect-style store (connect-redis): use redisStore and migrate", () => {
    const client = new Redis({ lazyConnect: true });
    try {
      throwsFixIt({ store: new RedisStore({ client: client as never }) }, /connect-style store.*redisStore\(\{ client \}\).*fromExpressSession/s);
    } finally {
      client.disconnect();
    }
  });
  it("a well-formed Tessera configuration is unaffected", () => {
    assert.doesNotThrow(() => create({ cookie: { name: "sid", path: "/" }, idleTimeoutSeconds: 600 }));
  });
});

describe("the migrate option", () => {
  const client = new Redis({ lazyConnect: true });
  it("must come from tessera/migrate", () => {
    assert.throws(() => create({ migrate: { from: "express-session" } }), (error: unknown) => {
      assert.ok(error instanceof SessionConfigError);
      assert.match(error.message, /fromExpressSession, fromFastifySession or fromKoaSession/);
      return true;
    });
  });
  it("is accepted from each factory", () => {
    for (const migrate of [
      fromExpressSession({ client, prefix: "sess:", secret: "old", cookieName: "connect.sid" }),
      fromFastifySession({ client, prefix: "sess:", secret: ["old"], cookieName: "sessionId" }),
      fromKoaSession({ client, prefix: "", secret: ["k1", "k2"], cookieName: "koa.sess" }),
    ]) {
      assert.doesNotThrow(() => create({ migrate }));
    }
  });
  it("factories reject a missing secret, a client of another kind and a short tokenKey", () => {
    assert.throws(() => fromExpressSession({ client, secret: "" }), /secret must be the old library's secret/);
    assert.throws(() => fromKoaSession({ client, secret: [] }), /secret must be the old library's secret/);
    assert.throws(() => fromExpressSession({ client: {}, secret: "old" }), /ioredis or node-redis client/);
    assert.throws(() => fromFastifySession({ client, secret: "old", tokenKey: "short" }), /tokenKey must be at least 32 bytes/);
  });
  it("is shut down cleanly", () => {
    client.disconnect();
  });
});
