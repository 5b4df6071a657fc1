/**
 * The demo's live element, in a real browser behind the demo's balancer:
 * a signed-in page keeps a WebSocket at /live (a live visit counter); a
 * logout in another tab, or a revoke from another device's "Your sessions"
 * page, closes it with Tessera's 4401 and the reason, and the page says so.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { freePort, startRedisServer, type RedisServer } from "./support/redis-server.js";
import { REPO_ROOT, startDemo, type DemoProcess } from "./support/fleet.js";
import { CHROMIUM, CHROMIUM_ARGS, submitLoginForm } from "./support/chromium.js";

const ARTIFACTS = join(REPO_ROOT, "test-artifacts");
/** A generous bound on the close reaching the page (it takes milliseconds). */
const CLOSE_BOUND_MS = 5000;

async function logIn(page: Page, url: string, username: string): Promise<void> {
  await page.goto(`${url}/login`);
  await submitLoginForm(page, url, username);
}

async function liveState(page: Page): Promise<{ state: string | null; code: string | null; text: string }> {
  const element = page.locator("#live");
  return { state: await element.getAttribute("data-state"), code: await element.getAttribute("data-code"), text: ((await element.textContent()) ?? "").trim() };
}

describe("demo's live element in a real browser", { timeout: 240_000 }, () => {
  let redis: RedisServer | undefined;
  let demo: DemoProcess | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const userDataDir = mkdtempSync(join(tmpdir(), "tessera-chromium-live-"));

  before(async () => {
    redis = await startRedisServer();
    demo = await startDemo({ port: await freePort(), args: ["--instances", "2"], env: { REDIS_URL: redis.url } });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await demo?.stop();
    await redis?.close();
    rmSync(userDataDir, { recursive: true, force: true });
  });

  async function newContext(): Promise<BrowserContext> {
    const context = await browser!.newContext({ viewport: { width: 900, height: 760 } });
    context.setDefaultTimeout(30_000);
    contexts.push(context);
    return context;
  }

  it("a logout in another tab closes the live socket, and the page says why", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await logIn(page, demo!.url, "ada");
    await page.waitForSelector('#live[data-state="open"]');
    assert.match((await liveState(page)).text, /visits, live from/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "demo-live-open.png"), fullPage: true });

    const other = await context.newPage();
    await other.goto(`${demo!.url}/`);
    await Promise.all([other.waitForURL(`${demo!.url}/`), other.click("#logout")]);

    await page.waitForSelector('#live[data-state="closed"]', { timeout: CLOSE_BOUND_MS });
    assert.deepEqual(await liveState(page), { state: "closed", code: "4401", text: "closed: session destroyed" });
    await page.screenshot({ path: join(ARTIFACTS, "demo-live-closed.png"), fullPage: true });
  });

  it("a revoke from 'Your sessions' on another device closes that device's live socket", async () => {
    const laptop = await (await newContext()).newPage();
    const phone = await (await newContext()).newPage();
    await logIn(phone, demo!.url, "grace");
    await phone.waitForSelector('#live[data-state="open"]');
    await logIn(laptop, demo!.url, "grace");
    await laptop.goto(`${demo!.url}/sessions`);
    await Promise.all([laptop.waitForURL(/\/sessions\?revoked=1$/), laptop.click("li.session:not(.current) button.revoke")]);

    await phone.waitForSelector('#live[data-state="closed"]', { timeout: CLOSE_BOUND_MS });
    assert.deepEqual(await liveState(phone), { state: "closed", code: "4401", text: "closed: session revoked" });
    // The laptop's own live element stays open.
    await laptop.goto(`${demo!.url}/`);
    await laptop.waitForSelector('#live[data-state="open"]', { timeout: 8000 }).catch(async (error: unknown) => {
      throw new Error(`laptop live element: ${JSON.stringify(await liveState(laptop))}\n${demo!.output().slice(-1500)}`, { cause: error });
    });
  });
});
