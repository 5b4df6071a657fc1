/**
 * The demo's "Keep me signed in" checkbox in a real browser (headless
 * Chromium, behind the demo's load balancer): ticked, the browser keeps a
 * persistent cookie for 30 days and Redis the session as long; unticked, the
 * cookie and the record last the manager's 30-minute idle timeout. Either
 * way the page after the login shows a one-time flash, gone on reload.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { chromium, type Browser } from "playwright-core";
import { freePort, startRedisServer, type RedisServer } from "./support/redis-server.js";
import { startDemo, type DemoProcess } from "./support/fleet.js";
import { CHROMIUM, CHROMIUM_ARGS, submitLoginForm } from "./support/chromium.js";

const DAY_S = 24 * 3600;
const PREFIX = "tessera-demo:";

describe("demo: Keep me signed in, in a real browser", { timeout: 240_000 }, () => {
  let redis: RedisServer | undefined;
  let demo: DemoProcess | undefined;
  let browser: Browser | undefined;

  before(async () => {
    redis = await startRedisServer();
    demo = await startDemo({ port: await freePort(), args: ["--instances", "2"], env: { REDIS_URL: redis.url } });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await demo?.stop();
    await redis?.close();
  });

  /** Logs in as `user` in a fresh context (its own cookie jar); returns the session cookie's lifetime and the record's TTL, in seconds. */
  async function logIn(user: string, remember: boolean) {
    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      await page.goto(`${demo!.url}/login`);
      await submitLoginForm(page, demo!.url, user, { remember });
      assert.equal(((await page.textContent("#user")) ?? "").trim(), user);
      assert.equal(((await page.textContent(".flash")) ?? "").trim(), `Welcome back, ${user}`, "a one-time flash after the login's redirect");
      await page.reload();
      assert.equal(((await page.textContent("#user")) ?? "").trim(), user, "still logged in on the next request, on any instance");
      assert.equal(await page.locator(".flash").count(), 0, "the flash is gone on reload");
      const cookie = (await context.cookies()).find((c) => c.name === "tessera");
      assert.ok(cookie, "the browser holds the session cookie");
      const token = cookie.value.split(".")[0]!;
      const key = `${PREFIX}s:${createHash("sha256").update(token).digest().subarray(0, 12).toString("base64url")}`;
      const ttlMs = Number((await redis!.command("PTTL", key)).slice(1));
      return { cookieSeconds: cookie.expires - Date.now() / 1000, recordSeconds: ttlMs / 1000 };
    } finally {
      await context.close();
    }
  }

  it("ticked: a persistent cookie and a session for 30 days of inactivity", async () => {
    const { cookieSeconds, recordSeconds } = await logIn("ada", true);
    assert.ok(cookieSeconds > 30 * DAY_S - 600 && cookieSeconds <= 30 * DAY_S + 5, `cookie lasts ${cookieSeconds} s`);
    assert.ok(recordSeconds > 30 * DAY_S - 600 && recordSeconds <= 30 * DAY_S, `record lasts ${recordSeconds} s`);
  });

  it("unticked: the manager's defaults (30 minutes of inactivity)", async () => {
    const { cookieSeconds, recordSeconds } = await logIn("grace", false);
    assert.ok(cookieSeconds > 1700 && cookieSeconds <= 1805, `cookie lasts ${cookieSeconds} s`);
    assert.ok(recordSeconds > 1700 && recordSeconds <= 1800, `record lasts ${recordSeconds} s`);
  });
});
