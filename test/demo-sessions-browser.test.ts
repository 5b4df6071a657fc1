/**
 * "Your sessions" in the demo, proven in a real browser: several headless
 * Chromium contexts (separate cookie jars, like separate devices) log in as
 * the same user through the demo's load balancer in front of several
 * instances. One revokes another (or all others), and the revoked ones are
 * logged out on their next request, whichever instance serves it.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { freePort, startRedisServer, type RedisServer } from "./support/redis-server.js";
import { REPO_ROOT, startDemo, type DemoProcess } from "./support/fleet.js";
import { CHROMIUM, CHROMIUM_ARGS, submitLoginForm } from "./support/chromium.js";

const INSTANCES = 3;
const ARTIFACTS = join(REPO_ROOT, "test-artifacts");
const COOKIE = "tessera";

/**
 * The other "devices". Their User-Agent makes the device label; their
 * X-Forwarded-For stands in for a real client address. (The browsers run on
 * loopback, which the demo trusts as a proxy hop, so the address the
 * balancer appends is itself trusted and the one before it is the client's,
 * exactly as behind a front proxy that adds the header.)
 */
const FIREFOX_MAC = {
  userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:128.0) Gecko/20100101 Firefox/128.0",
  ip: "198.51.100.23",
  label: "Firefox on macOS",
};
const SAFARI_IPHONE = {
  userAgent:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  ip: "203.0.113.40",
  label: "Safari on iPhone",
};

interface Shown {
  instance: string;
  user: string;
  greeting: string;
}

async function shown(page: Page): Promise<Shown> {
  const text = async (selector: string) => ((await page.textContent(selector)) ?? "").trim();
  return { instance: await text("#instance"), user: await text("#user"), greeting: await text("#greeting") };
}

describe("'Your sessions' in a real browser, behind the demo's balancer", { timeout: 300_000 }, () => {
  let redis: RedisServer | undefined;
  let demo: DemoProcess | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    redis = await startRedisServer();
    demo = await startDemo({ port: await freePort(), args: ["--instances", String(INSTANCES)], env: { REDIS_URL: redis.url } });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await demo?.stop();
    await redis?.close();
  });

  /** A new "device": its own cookie jar, optionally another User-Agent and client address. */
  async function device(options: { userAgent?: string; ip?: string } = {}): Promise<Page> {
    const context = await browser!.newContext({
      viewport: { width: 900, height: 760 },
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
      ...(options.ip ? { extraHTTPHeaders: { "x-forwarded-for": options.ip } } : {}),
    });
    context.setDefaultTimeout(30_000);
    context.setDefaultNavigationTimeout(30_000);
    contexts.push(context);
    return context.newPage();
  }

  async function logIn(page: Page, username: string): Promise<void> {
    await page.goto(`${demo!.url}/login`);
    await submitLoginForm(page, demo!.url, username);
    assert.equal((await shown(page)).user, username);
  }

  async function sessionCookie(page: Page): Promise<string | undefined> {
    return (await page.context().cookies(demo!.url)).find((c) => c.name === COOKIE)?.value;
  }

  /**
   * Reloads `page` until every instance has answered (bounded), asserting
   * each time that it shows the logged-out page. Returns the instances seen.
   */
  async function assertLoggedOutEverywhere(page: Page, label: string): Promise<Set<string>> {
    const seen = new Set<string>();
    // Round robin covers every instance in INSTANCES requests; other devices' requests interleave, so allow slack.
    for (let i = 0; i < INSTANCES * 4 && seen.size < INSTANCES; i++) {
      await page.goto(`${demo!.url}/`);
      const now = await shown(page);
      assert.equal(now.user, "nobody", `${label}: ${now.instance} still shows ${now.user}`);
      assert.match(now.greeting, /not logged in/);
      seen.add(now.instance);
    }
    assert.equal(seen.size, INSTANCES, `${label}: logged out seen on ${[...seen].join(", ")}`);
    return seen;
  }

  it("lists two sessions, one marked 'This device'; revoking the other logs it out on its next request", async () => {
    const laptop = await device(); // headless Chromium's own User-Agent, from loopback
    const other = await device(FIREFOX_MAC);
    await logIn(laptop, "ada");
    await logIn(other, "ada");
    const otherCookie = await sessionCookie(other);
    assert.ok(otherCookie, "the other device holds a session cookie");

    await laptop.goto(`${demo!.url}/`);
    await Promise.all([laptop.waitForURL(`${demo!.url}/sessions`), laptop.click("#sessions-link")]);
    const rows = laptop.locator("#sessions li.session");
    assert.equal(await rows.count(), 2);
    const mine = laptop.locator('#sessions li[data-current="true"]');
    const theirs = laptop.locator('#sessions li[data-current="false"]');
    assert.equal(await mine.count(), 1);
    assert.equal((await mine.locator(".this-device").textContent())?.trim(), "This device");
    assert.equal((await mine.locator(".device").textContent())?.trim(), "Chrome on Linux");
    assert.equal(await mine.locator("button.revoke").count(), 0, "no Revoke button on this device");
    assert.equal((await theirs.locator(".device").textContent())?.trim(), FIREFOX_MAC.label);
    assert.equal((await theirs.locator(".ip").textContent())?.trim(), FIREFOX_MAC.ip);
    assert.equal(await theirs.locator(".this-device").count(), 0);

    await Promise.all([laptop.waitForURL(/\/sessions\?revoked=1$/), theirs.locator("button.revoke").click()]);
    assert.match((await laptop.textContent("#notice")) ?? "", /Signed out 1 session/);
    assert.equal(await rows.count(), 1);
    assert.equal(await laptop.locator('#sessions li[data-current="true"]').count(), 1);

    // The revoked device's very next request, on whichever instance the balancer picks.
    await other.reload();
    const next = await shown(other);
    assert.equal(next.user, "nobody", `next request after revoke, served by ${next.instance}`);
    assert.match(next.greeting, /not logged in/);
    assert.notEqual(await sessionCookie(other), otherCookie, "the revoked cookie is gone");
    await assertLoggedOutEverywhere(other, "revoked device");
    await other.goto(`${demo!.url}/sessions`);
    assert.equal(new URL(other.url()).pathname, "/login", "a logged-out device is sent to the login page");

    // The device that revoked stays logged in.
    await laptop.goto(`${demo!.url}/`);
    assert.equal((await shown(laptop)).user, "ada");
  });

  it("'Log out everywhere else' from one of three devices logs out the other two", async () => {
    const [first, second, third] = [await device(), await device(FIREFOX_MAC), await device(SAFARI_IPHONE)];
    await logIn(second, "grace");
    await logIn(third, "grace");
    await logIn(first, "grace");

    await first.goto(`${demo!.url}/sessions`);
    const rows = first.locator("#sessions li.session");
    assert.equal(await rows.count(), 3);
    assert.equal(await first.locator('#sessions li[data-current="true"] .this-device').count(), 1);
    const devices = (await first.locator("#sessions .device").allTextContents()).map((t) => t.trim()).sort();
    assert.deepEqual(devices, ["Chrome on Linux", FIREFOX_MAC.label, SAFARI_IPHONE.label].sort());

    mkdirSync(ARTIFACTS, { recursive: true });
    await first.screenshot({ path: join(ARTIFACTS, "demo-sessions.png"), fullPage: true });

    await Promise.all([first.waitForURL(/\/sessions\?revoked=2$/), first.click("#revoke-others")]);
    assert.match((await first.textContent("#notice")) ?? "", /Signed out 2 sessions/);
    assert.equal(await rows.count(), 1);
    assert.equal(await first.locator("#only-this-device").count(), 1);
    assert.equal(await first.locator("#revoke-others").count(), 0);
    await first.screenshot({ path: join(ARTIFACTS, "demo-sessions-after-logout-others.png"), fullPage: true });

    await assertLoggedOutEverywhere(second, FIREFOX_MAC.label);
    await assertLoggedOutEverywhere(third, SAFARI_IPHONE.label);
    await first.goto(`${demo!.url}/`);
    assert.equal((await shown(first)).user, "grace");
  });
});
