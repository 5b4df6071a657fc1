/**
 * `npm run demo -- --with-flask` in a real browser: two Node instances and
 * the Flask example (gunicorn, python/tessera_session) behind the demo's
 * round-robin balancer share one session. Headless Chromium logs in on
 * whichever instance answers, is greeted by name on all three (each page
 * and each X-Served-By header names its instance), then logs out on the
 * Flask one and is logged out on every instance.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { freePort, startRedisServer, type RedisServer } from "./support/redis-server.js";
import { startDemo, type DemoProcess } from "./support/fleet.js";
import { CHROMIUM, CHROMIUM_ARGS, submitLoginForm } from "./support/chromium.js";

const INSTANCES = 3; // two Node, one Flask
/** Round robin shows every instance within INSTANCES loads; the rest is slack. */
const MAX_LOADS = INSTANCES * 4;

async function shown(page: Page): Promise<{ instance: string; user: string; greeting: string }> {
  const text = async (id: string) => ((await page.textContent(`#${id}`)) ?? "").trim();
  return { instance: await text("instance"), user: await text("user"), greeting: await text("greeting") };
}

describe("demo --with-flask in a real browser", { timeout: 240_000 }, () => {
  let redis: RedisServer | undefined;
  let demo: DemoProcess | undefined;
  let context: BrowserContext | undefined;
  const userDataDir = mkdtempSync(join(tmpdir(), "tessera-chromium-"));

  before(async () => {
    redis = await startRedisServer();
    demo = await startDemo({ port: await freePort(), args: ["--instances", "2", "--with-flask"], env: { REDIS_URL: redis.url } });
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    context.setDefaultTimeout(30_000);
    context.setDefaultNavigationTimeout(30_000);
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await demo?.stop();
    await redis?.close();
    rmSync(userDataDir, { recursive: true, force: true });
  });

  it("logs in on any instance, is greeted on all three, logs out on Flask: logged out everywhere", async () => {
    const flaskUrl = /^demo: {3}flask-1 {2}pid \d+ {2}(http:\/\/127\.0\.0\.1:\d+)$/m.exec(demo!.output())?.[1];
    assert.ok(flaskUrl, `the launcher lists the Flask instance:\n${demo!.output()}`);
    const page = await context!.newPage();
    await page.goto(`${demo!.url}/login`);
    // The form may come from one language and its POST (CSRF-checked) land on the other.
    await submitLoginForm(page, demo!.url, "ada");

    const greetedOn = new Set<string>();
    const headers = new Set<string>();
    for (let i = 0; i < MAX_LOADS && greetedOn.size < INSTANCES; i++) {
      const response = await page.reload();
      const now = await shown(page);
      assert.equal(now.user, "ada", `load ${i + 1} served by ${now.instance}`);
      assert.match(now.greeting, /Logged in as\s+ada/);
      greetedOn.add(now.instance);
      headers.add(response!.headers()["x-served-by"] ?? "");
    }
    assert.equal(greetedOn.size, INSTANCES, `greeted on ${[...greetedOn].join(", ")}`);
    assert.equal([...greetedOn].filter((name) => name.includes("flask")).length, 1, `one Flask instance among ${[...greetedOn].join(", ")}`);
    assert.equal(headers.size, INSTANCES, `X-Served-By on every instance: ${[...headers].join(", ")}`);

    // Log out on the Flask instance itself (a cookie is shared across ports of a host).
    await page.goto(`${flaskUrl}/`);
    assert.match((await shown(page)).instance, /flask/);
    await Promise.all([page.waitForURL(`${flaskUrl}/`), page.click("#logout")]);
    assert.match((await shown(page)).greeting, /not logged in/);

    const loggedOutOn = new Set<string>();
    for (let i = 0; i < MAX_LOADS && loggedOutOn.size < INSTANCES; i++) {
      await page.goto(`${demo!.url}/`);
      const now = await shown(page);
      assert.equal(now.user, "nobody", `after logout, ${now.instance} still shows ${now.user}`);
      assert.match(now.greeting, /not logged in/);
      loggedOutOn.add(now.instance);
    }
    assert.equal(loggedOutOn.size, INSTANCES, `logged out seen on ${[...loggedOutOn].join(", ")}`);
    await page.close();
  });
});
