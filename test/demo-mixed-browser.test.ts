/**
 * Mixed fleets in a real browser: `npm run demo -- --framework express,F`
 * runs Express and F instances (F's login example from its production
 * build) behind one balancer, for each full-stack framework F in turn (one
 * fleet at a time; builds are reused between runs). Headless Chromium logs
 * in on whichever answers, sees the login's one-time flash once (on
 * whichever instance serves the redirect's page), is greeted by both
 * frameworks reload after reload, and after logging out is logged out on
 * every instance of both.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { freePort, startRedisServer, type RedisServer } from "./support/redis-server.js";
import { startDemo, type DemoProcess } from "./support/fleet.js";
import { CHROMIUM, CHROMIUM_ARGS, submitLoginForm } from "./support/chromium.js";

const INSTANCES = 4; // express-1, F-2, express-3, F-4

/** Each full-stack framework's `--framework` value and the name its pages show. */
const FULL_STACK: ReadonlyArray<readonly [string, string]> = [
  ["next", "Next.js"],
  ["nuxt", "Nuxt"],
  ["react-router", "React Router"],
  ["sveltekit", "SvelteKit"],
  ["astro", "Astro"],
];

async function shown(page: Page) {
  const text = async (id: string) => ((await page.textContent(`#${id}`)) ?? "").trim();
  return { instance: await text("instance"), framework: await text("framework"), user: await text("user"), greeting: await text("greeting") };
}

let redis: RedisServer | undefined;
let browser: Browser | undefined;
before(async () => {
  redis = await startRedisServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
});
after(async () => {
  await browser?.close().catch(() => undefined);
  await redis?.close();
});

for (const [framework, label] of FULL_STACK) {
  describe(`mixed fleet (express,${framework}) in a real browser`, { timeout: 420_000 }, () => {
    let demo: DemoProcess | undefined;
    let context: BrowserContext | undefined;

    before(async () => {
      // A first run builds the example (the launcher's build step); later runs reuse it.
      demo = await startDemo({ port: await freePort(), args: ["--instances", String(INSTANCES), "--framework", `express,${framework}`], env: { REDIS_URL: redis!.url }, readyTimeoutMs: 300_000 });
      context = await browser!.newContext(); // its own cookie jar: no session left from the fleet before
      context.setDefaultTimeout(30_000);
      context.setDefaultNavigationTimeout(30_000);
    });

    after(async () => {
      await context?.close().catch(() => undefined);
      await demo?.stop();
    });

    it("a login on one framework is greeted by the other, and a logout ends it on every instance of both", async () => {
      const page = await context!.newPage();
      await page.goto(`${demo!.url}/`);
      assert.match((await shown(page)).greeting, /not logged in/);

      await page.click("#login");
      await submitLoginForm(page, demo!.url, "ada");

      const greetedBy = new Map<string, string>(); // instance -> framework
      // Bounded: round robin over 4 instances covers both frameworks within a few reloads.
      for (let i = 0; i < INSTANCES * 3 && new Set(greetedBy.values()).size < 2; i++) {
        const now = await shown(page);
        assert.equal(now.user, "ada", `reload ${i} served by ${now.instance} (${now.framework})`);
        assert.match(now.greeting, /Logged in as\s+ada/);
        // The login's one-time flash: on the page after the redirect, whichever framework serves it, then on none.
        if (i === 0) assert.equal(((await page.textContent(".flash")) ?? "").trim(), "Welcome back, ada", `the flash, on ${now.instance} (${now.framework})`);
        else assert.equal(await page.locator(".flash").count(), 0, `the flash is gone on reload ${i} (${now.instance}, ${now.framework})`);
        greetedBy.set(now.instance, now.framework);
        await page.reload();
      }
      assert.deepEqual(new Set(greetedBy.values()), new Set(["Express", label]), `greeted by ${JSON.stringify([...greetedBy])}`);

      await page.goto(`${demo!.url}/`);
      await Promise.all([page.waitForURL(`${demo!.url}/`), page.click("#logout")]);
      const loggedOutOn = new Set<string>();
      const frameworks = new Set<string>();
      for (let i = 0; i < INSTANCES * 4 && loggedOutOn.size < INSTANCES; i++) {
        const now = await shown(page);
        assert.equal(now.user, "nobody", `after logout, ${now.instance} (${now.framework}) still shows ${now.user}`);
        loggedOutOn.add(now.instance);
        frameworks.add(now.framework);
        await page.reload();
      }
      assert.equal(loggedOutOn.size, INSTANCES, `logged out seen on ${[...loggedOutOn].join(", ")}`);
      assert.deepEqual(frameworks, new Set(["Express", label]));
      await page.close();
    });
  });
}
