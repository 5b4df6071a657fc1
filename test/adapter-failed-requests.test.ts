import assert from "node:assert/strict";
import http from "node:http";
import { after, describe, it } from "node:test";
import express, { type ErrorRequestHandler } from "express";
import { createSessionManager } from "tessera-session";
import { expressSession } from "tessera-session/express";
import { memoryStore } from "tessera-session/memory";
import { nodeSession } from "tessera-session/node";
import { listenOnLoopback, type ServedApp } from "tessera-session/testing";

// Failed requests beyond the conformance suite: Express's failOnError, and
// streamed 5xx responses, whose cookie is decided when the headers go out.

// Express shows middleware no next(err): its adapter sees only the status
// the error handler answers with. `tessera.failOnError`, mounted before the
// app's error handler, makes an unhandled error fail the request whatever
// that status is.
describe("express: failOnError", () => {
  const servers: ServedApp[] = [];
  after(async () => {
    for (const served of servers) await served.close();
  });

  async function serve(): Promise<ServedApp> {
    const tessera = expressSession(createSessionManager<Record<string, unknown>>({ store: memoryStore() }));
    const app = express();
    app.use(tessera);
    app.post("/login", async (req) => {
      await tessera.session(req).regenerate();
      tessera.session(req).data.username = "ada";
      throw new Error("the login crashes half-way");
    });
    app.post("/forbidden", (req) => {
      tessera.session(req).data.attempts = 1;
      throw Object.assign(new Error("wrong password"), { status: 401 });
    });
    app.use(tessera.failOnError);
    // An app whose error page answers 200, the case the status cannot catch.
    const friendlyErrorPage: ErrorRequestHandler = (_error, _req, res, _next) => void res.status(200).send("oops");
    app.use(friendlyErrorPage);
    const served = await listenOnLoopback(http.createServer(app));
    servers.push(served);
    return served;
  }
  const sessionCookies = async (url: string) => {
    const response = await fetch(url, { method: "POST" });
    assert.equal(await response.text(), "oops");
    return response.headers.getSetCookie().filter((line) => line.startsWith("tessera="));
  };

  it("discards an unhandled error's session changes whatever status the error page has", async () => {
    const app = await serve();
    assert.deepEqual(await sessionCookies(`${app.url}/login`), [], "no logged-in cookie with the error page");
  });

  it("still commits an error with a 4xx status (a deliberate answer)", async () => {
    const app = await serve();
    assert.equal((await sessionCookies(`${app.url}/forbidden`)).length, 1);
  });
});

describe("node:http: a streamed 5xx", () => {
  let served: ServedApp | undefined;
  after(async () => served?.close());

  it("sends no new session's cookie with its headers, even after an explicit commit", async () => {
    const tessera = nodeSession(createSessionManager<Record<string, unknown>>({ store: memoryStore() }));
    served = await listenOnLoopback(
      http.createServer(
        tessera.handler(async (_req, res, session) => {
          session.data.username = "ada";
          await session.commit(); // the documented way to stream with a new session
          res.writeHead(500, { "content-type": "text/plain" });
          res.write("partial ");
          res.end("failure");
        }),
      ),
    );
    const response = await fetch(served.url);
    assert.equal(response.status, 500);
    assert.equal(await response.text(), "partial failure");
    assert.deepEqual(response.headers.getSetCookie(), []);
  });
});
