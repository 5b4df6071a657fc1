/**
 * The Express adapter reads `req.secure` (Express's trust-proxy chain) only
 * when a cookie is rendered, and its session stops holding the request once
 * the response is out (src/adapters/shared/request-secure.ts): checked on
 * the class, and on a real Express app whose `req.secure` getter counts
 * its reads, with the cookie's Secure attribute still following the proxy.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import express from "express";
import { createSessionManager } from "tessera-session";
import { expressSession } from "tessera-session/express";
import { memoryStore } from "tessera-session/memory";
import { RequestSecure } from "../dist/adapters/shared/request-secure.js";
import { close, cookieAttributes, listen } from "./support/http.js";

/** A request stand-in whose `secure` counts its reads. */
function countingRequest(secure: boolean): { readonly secure: boolean; reads: number } {
  return {
    reads: 0,
    get secure() {
      this.reads++;
      return secure;
    },
  };
}

describe("RequestSecure", () => {
  it("reads the request's answer only when asked, and once", () => {
    const request = countingRequest(true);
    const facts = new RequestSecure(request);
    assert.equal(request.reads, 0);
    assert.equal(facts.secure, true);
    assert.equal(facts.secure, true);
    assert.equal(request.reads, 1);
  });

  it("keeps an answer read before release, and never reads the request after it", () => {
    const asked = countingRequest(false);
    const before = new RequestSecure(asked);
    assert.equal(before.secure, false);
    before.release();
    assert.equal(before.secure, false);

    const unasked = countingRequest(false);
    const released = new RequestSecure(unasked);
    released.release();
    assert.equal(released.secure, true, "unknown once the response is out: the safe side");
    assert.equal(unasked.reads, 0);
  });
});

describe("Express: req.secure is read only for a cookie", () => {
  let server: Server;
  let base: string;
  let secureReads = 0;

  before(async () => {
    const app = express();
    app.set("trust proxy", "loopback");
    // Count the reads of Express's own getter, on this app's request prototype.
    const expressSecure = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(app.request), "secure")!.get!;
    Object.defineProperty(app.request, "secure", {
      configurable: true,
      get(this: express.Request) {
        secureReads++;
        return expressSecure.call(this) as boolean;
      },
    });
    const tessera = expressSession(createSessionManager<{ name: string }>({ store: memoryStore(), secrets: ["request-secure-test-secret-0123456789abcdef"] }));
    app.use(tessera);
    app.get("/", (req, res) => void res.send(`hello ${tessera.session(req).data.name ?? "stranger"}`));
    app.get("/login", (req, res) => {
      tessera.session(req).data.name = "ada";
      res.send("ok");
    });
    server = createServer(app);
    base = await listen(server);
  });
  after(() => close(server));

  it("an anonymous request that sets no cookie never reads it", async () => {
    secureReads = 0;
    const response = await fetch(`${base}/`);
    assert.equal(await response.text(), "hello stranger");
    assert.equal(response.headers.getSetCookie().length, 0);
    assert.equal(secureReads, 0);
  });

  it("a request that sets a cookie reads it once, and the cookie follows the trusted proxy", async () => {
    secureReads = 0;
    const direct = await fetch(`${base}/login`);
    assert.equal(secureReads, 1);
    assert.equal(cookieAttributes(direct.headers.getSetCookie()[0]!).has("secure"), false);

    secureReads = 0;
    const proxied = await fetch(`${base}/login`, { headers: { "x-forwarded-proto": "https" } });
    assert.equal(secureReads, 1);
    assert.equal(cookieAttributes(proxied.headers.getSetCookie()[0]!).has("secure"), true, "Secure behind a trusted TLS proxy");
  });
});
