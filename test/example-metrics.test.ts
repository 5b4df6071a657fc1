/**
 * Every framework's login example serves `/metrics` in the Prometheus text
 * format, as the demo runs it: each instance a real process
 * (examples/<framework>-login/server.ts through runDemoServer) on a real
 * redis-server, every series named `tessera_…`, the response naming its
 * instance in `X-Served-By`, and the counts following what the browser did.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { LOGIN_SERVERS, startInstance, type RunningInstance } from "../examples/demo/instances.js";
import { logIn } from "./support/fleet.js";
import { CookieClient, formCsrfToken } from "./support/http.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

let redis: RedisServer;
const instances = new Map<string, RunningInstance>();
before(async () => {
  redis = await startRedisServer();
  // One at a time: five tsx start-ups at once would crowd a small machine.
  for (const [framework, script] of Object.entries(LOGIN_SERVERS)) {
    instances.set(framework, await startInstance({ script, name: `${framework}-1`, env: { REDIS_URL: redis.url }, stdio: "ignore" }));
  }
});
after(async () => {
  await Promise.all([...instances.values()].map((instance) => instance.stop()));
  await redis.close();
});

/**
 * The X-Served-By value as the instance meant it. The name carries a "·",
 * outside ASCII: Express, Fastify and Koa send it as one Latin-1 byte,
 * Hono and node:http as its two UTF-8 bytes, which fetch reads as Latin-1.
 */
function servedBy(response: Response): string | undefined {
  const value = response.headers.get("x-served-by") ?? undefined;
  return value?.includes("\u00c2") ? Buffer.from(value, "latin1").toString("utf8") : value;
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

for (const framework of Object.keys(LOGIN_SERVERS)) {
  describe(`${framework} login example: /metrics`, () => {
    it("serves Prometheus text, every name tessera_, with X-Served-By, counting a login and a logout", async () => {
      const instance = instances.get(framework)!;
      const browser = new CookieClient(instance.url);
      assert.equal(await logIn(browser, "ada"), 303);
      const home = await browser.get("/");
      assert.match(home.body, /Logged in as/);
      assert.equal((await browser.post("/logout", { _csrf: formCsrfToken(home.body) })).status, 303);

      const scrape = await fetch(`${instance.url}/metrics`, { signal: AbortSignal.timeout(15_000) });
      assert.equal(scrape.status, 200);
      assert.match(scrape.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
      assert.equal(servedBy(scrape), instance.instance);
      const text = await scrape.text();
      for (const line of text.split("\n").filter((l) => l !== "")) {
        const name = line.startsWith("#") ? line.split(" ")[2] : line;
        assert.ok(name?.startsWith("tessera_"), `not a tessera_ series: ${line}`);
      }
      const series = samples(text);
      // The login form's CSRF token stored an anonymous session, the login rotated and bound it, the logout destroyed it.
      assert.equal(series.get("tessera_sessions_created_total"), 1);
      assert.equal(series.get("tessera_sessions_regenerated_total"), 1);
      assert.equal(series.get('tessera_sessions_ended_total{tessera_end_reason="destroyed"}'), 1);
      assert.ok((series.get('tessera_session_loads_total{tessera_outcome="found"}') ?? 0) >= 2);
      assert.ok((series.get('tessera_store_duration_count{tessera_operation="load",tessera_outcome="found"}') ?? 0) >= 2);
    });
  });
}
