/**
 * The demo, proven in a real browser: headless Chromium logs in through the
 * form behind the demo's load balancer, reloads, and sees the instance
 * change while the greeting and the visit counter carry on.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { freePort, startRedisServer, type RedisServer } from "./support/redis-server.js";
import { REPO_ROOT, startDemo, type DemoProcess } from "./support/fleet.js";
import { CHROMIUM, CHROMIUM_ARGS, submitLoginForm } from "./support/chromium.js";

const INSTANCES = 3;
const RELOADS = 10;
const ARTIFACTS = join(REPO_ROOT, "test-artifacts");

interface Shown {
  instance: string;
  user: string;
  visits: number;
  greeting: string;
}

async function shown(page: Page): Promise<Shown> {
  const text = async (id: string) => ((await page.textContent(`#${id}`)) ?? "").trim();
  return { instance: await text("instance"), user: await text("user"), visits: Number(await text("visits")), greeting: await text("greeting") };
}

describe("demo in a real browser", { timeout: 240_000 }, () => {
  let redis: RedisServer | undefined;
  let demo: DemoProcess | undefined;
  let context: BrowserContext | undefined;
  const userDataDir = mkdtempSync(join(tmpdir(), "tessera-chromium-"));

  before(async () => {
    redis = await startRedisServer();
    demo = await startDemo({ port: await freePort(), args: ["--instances", String(INSTANCES)], env: { REDIS_URL: redis.url } });
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 900, height: 700 },
      timeout: 60_000,
    });
    context.setDefaultTimeout(30_000);
    context.setDefaultNavigationTimeout(30_000);
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await demo?.stop();
    await redis?.close();
    rmSync(userDataDir, { recursive: true, force: true });
  });

  it("stays logged in across instances, then is logged out on every instance", async () => {
    const page = await context!.newPage();
    await page.goto(`${demo!.url}/`);
    assert.match((await shown(page)).greeting, /not logged in/);

    await page.click("#login");
    await submitLoginForm(page, demo!.url, "ada");
    let last = await shown(page);
    assert.equal(last.user, "ada");
    assert.match(last.greeting, /ada/);

    const servedBy = new Set<string>([last.instance]);
    for (let i = 0; i < RELOADS; i++) {
      await page.reload();
      const now = await shown(page);
      assert.equal(now.user, "ada", `reload ${i + 1} served by ${now.instance}`);
      assert.match(now.greeting, /Logged in as\s+ada/);
      // The counter lives in the session: whichever instance serves, it carries on.
      assert.equal(now.visits, last.visits + 1, `visit counter after reload ${i + 1} (${now.instance})`);
      servedBy.add(now.instance);
      last = now;
    }
    assert.ok(servedBy.size >= 2, `expected at least 2 instances, saw ${[...servedBy].join(", ")}`);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "demo-logged-in.png"), fullPage: true });

    await Promise.all([page.waitForURL(`${demo!.url}/`), page.click("#logout")]);
    const loggedOutOn = new Set<string>();
    // Bounded: round robin covers every instance in INSTANCES reloads; allow slack.
    for (let i = 0; i < INSTANCES * 4 && loggedOutOn.size < INSTANCES; i++) {
      const now = await shown(page);
      assert.equal(now.user, "nobody", `after logout, ${now.instance} still shows ${now.user}`);
      assert.match(now.greeting, /not logged in/);
      loggedOutOn.add(now.instance);
      await page.reload();
    }
    assert.equal(loggedOutOn.size, INSTANCES, `logged out seen on ${[...loggedOutOn].join(", ")}`);
    await page.close();
  });
});
