/**
 * Every framework's login example serves `/metrics` in the Prometheus text
 * format, as the demo runs it: each instance a real process
 * (examples/<framework>-login/server.ts; the five full-stack ones from
 * their production build, examples/shared/framework-build.ts) on a real
 * redis-server, every series named `tessera_…`, the response naming its
 * instance in `X-Served-By`, and the counts following what the browser did.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FRAMEWORKS } from "../examples/demo/frameworks.js";
import type { RunningInstance } from "../examples/demo/instances.js";
import { logIn } from "./support/fleet.js";
import { CookieClient, formCsrfToken } from "./support/http.js";
import { servedBy, startExampleInstance } from "./support/login-examples.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

let redis: RedisServer;
before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  await redis.close();
});

/** One `GET /metrics` (bounded in time) and its text. */
async function scrape(instance: RunningInstance): Promise<{ response: Response; text: string }> {
  const response = await fetch(`${instance.url}/metrics`, { signal: AbortSignal.timeout(15_000) });
  return { response, text: await response.text() };
}

/** A scrape's samples: series (name and labels) → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

for (const entry of Object.values(FRAMEWORKS)) {
  const framework = entry.name;
  describe(`${framework} login example: /metrics`, () => {
    // One instance at a time: ten servers (five of them full-stack builds) at once would crowd a small machine.
    let instance: RunningInstance;
    before(async () => {
      // A full-stack framework's first build takes minutes here; later runs reuse it.
      instance = await startExampleInstance(framework, `${framework}-1`, redis.url);
    });
    after(async () => {
      await instance?.stop();
    });

    it("serves Prometheus text, every name tessera_, with X-Served-By, counting a login and a logout", async () => {
      const before = samples((await scrape(instance)).text);
      const browser = new CookieClient(instance.url);
      assert.equal(await logIn(browser, "ada"), 303);
      const home = await browser.get("/");
      assert.match(home.body, /Logged in as/);
      assert.equal(servedBy(home), instance.instance);
      assert.equal((await browser.post("/logout", { _csrf: formCsrfToken(home.body) })).status, 303);

      const { response, text } = await scrape(instance);
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
      assert.equal(servedBy(response), instance.instance);
      for (const line of text.split("\n").filter((l) => l !== "")) {
        const name = line.startsWith("#") ? line.split(" ")[2] : line;
        assert.ok(name?.startsWith("tessera_"), `not a tessera_ series: ${line}`);
      }
      const series = samples(text);
      const counted = (name: string) => (series.get(name) ?? 0) - (before.get(name) ?? 0);
      // The login form's CSRF token stored an anonymous session, the login rotated and bound it, the logout destroyed it.
      assert.equal(counted("tessera_sessions_created_total"), 1);
      assert.equal(counted("tessera_sessions_regenerated_total"), 1);
      assert.equal(counted('tessera_sessions_ended_total{tessera_end_reason="destroyed"}'), 1);
      assert.ok(counted('tessera_session_loads_total{tessera_outcome="found"}') >= 2);
      assert.ok(counted('tessera_store_duration_count{tessera_operation="load",tessera_outcome="found"}') >= 2);
    });
  });
}

describe("next login example: /metrics counts every Next layer's manager", () => {
  let instance: RunningInstance;
  before(async () => {
    instance = await startExampleInstance("next", "next-2", redis.url);
  });
  after(async () => {
    await instance?.stop();
  });

  it("a server component's load (its own manager, in its own layer) is in the route handler's scrape", async () => {
    const browser = new CookieClient(instance.url);
    assert.equal(await logIn(browser, "ada"), 303);
    const found = 'tessera_session_loads_total{tessera_outcome="found"}';
    const before = samples((await scrape(instance)).text).get(found) ?? 0;
    const account = await browser.get("/account");
    assert.match(account.body, /Logged in as ada\./);
    // Route handlers could not have counted it: /account is only the server component (app/account/page.tsx).
    assert.ok((samples((await scrape(instance)).text).get(found) ?? 0) - before >= 1, "the server component's load is counted");
  });
});
