/**
 * The Flask login example rebuilt on Express: login form, greeting, visit
 * counter, logout, the serving instance on every page, and a 503 page (not a
 * silent logout) while Redis hangs.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, it } from "node:test";
import { Redis } from "ioredis";
import { createSessionManager } from "tessera";
import { redisStore } from "tessera/redis";
import { createLoginApp } from "../examples/express-login/app.js";
import { close, CookieClient, listen } from "./support/http.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

let redis: RedisServer;
let client: Redis;
let server: Server;
let url: string;

before(async () => {
  redis = await startRedisServer();
  client = new Redis(redis.url);
  const sessions = createSessionManager({
    store: redisStore({ client, prefix: "example-login:" }),
    storeTimeoutMs: 300,
  });
  server = createServer(createLoginApp({ sessions, instance: "instance-a" }));
  url = await listen(server);
});
after(async () => {
  await close(server);
  client.disconnect();
  await redis.close();
});

const text = (html: string, id: string) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];

it("logs in through the form, greets the user with a visit counter, and logs out", async () => {
  const browser = new CookieClient(url);
  const anonymous = await browser.get("/");
  assert.match(anonymous.body, /You are not logged in/);
  assert.equal(text(anonymous.body, "instance"), "instance-a");

  const form = await browser.get("/login");
  assert.match(form.body, /<form method="post" action="\/login">/);
  const rejected = await browser.post("/login", { username: "   " });
  assert.equal(rejected.status, 400);
  assert.match(rejected.body, /Please enter a username/);

  const login = await browser.post("/login", { username: "ada <script>" });
  assert.equal(login.status, 303);
  const first = await browser.get("/");
  assert.match(first.body, /Logged in as <strong>ada &#60;script&#62;<\/strong>/, "greets, HTML-escaped");
  const second = await browser.get("/");
  assert.equal(Number(text(second.body, "visits")), Number(text(first.body, "visits")) + 1);

  const logout = await browser.get("/logout");
  assert.equal(logout.status, 303);
  assert.match((await browser.get("/")).body, /You are not logged in/);
});

it("answers 503 while Redis hangs instead of logging the user out, then carries on", async () => {
  const browser = new CookieClient(url);
  await browser.post("/login", { username: "grace" });
  redis.pause();
  try {
    const response = await browser.get("/", { signal: AbortSignal.timeout(10_000) });
    assert.equal(response.status, 503);
    assert.match(response.body, /Your session is safe/);
  } finally {
    redis.resume();
  }
  assert.match((await browser.get("/")).body, /Logged in as <strong>grace<\/strong>/);
});
