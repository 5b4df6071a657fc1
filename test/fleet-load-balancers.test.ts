/**
 * Three instances of the login example behind the real load balancers whose
 * configs ship in deploy/: nginx (round robin, no stickiness) and HAProxy.
 * Then one instance is killed mid-session by its pid.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startInstance, type RunningInstance } from "../examples/demo/instances.js";
import { freePort, startRedisServer, type RedisServer } from "./support/redis-server.js";
import { getPage, killIfAlive, logIn, type PageFacts } from "./support/fleet.js";
import { cookieAttributes, CookieClient, formCsrfToken } from "./support/http.js";
import { startHaproxy, startNginx, type LoadBalancer } from "./support/load-balancers.js";

const INSTANCES = 3;

/** Makes `count` sequential requests and checks each shows `username` and a counter that goes up by one. */
async function reloads(client: CookieClient, username: string, count: number): Promise<PageFacts[]> {
  const pages: PageFacts[] = [];
  let previous = (await getPage(client)).visits;
  for (let i = 0; i < count; i++) {
    const page = await getPage(client);
    assert.equal(page.status, 200, `request ${i + 1}: status ${page.status} from ${page.instance}`);
    assert.equal(page.user, username, `request ${i + 1} served by ${page.instance}`);
    assert.equal(page.visits, previous + 1, `request ${i + 1}: visit counter (${page.instance})`);
    previous = page.visits;
    pages.push(page);
  }
  return pages;
}

function countByInstance(pages: PageFacts[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const page of pages) counts.set(page.instance, (counts.get(page.instance) ?? 0) + 1);
  return counts;
}

describe("the login example behind real load balancers", { timeout: 180_000 }, () => {
  let redis: RedisServer | undefined;
  let instances: RunningInstance[] = [];
  let nginx: LoadBalancer | undefined;
  let haproxy: LoadBalancer | undefined;

  before(async () => {
    redis = await startRedisServer();
    const started = await Promise.allSettled(
      Array.from({ length: INSTANCES }, (_, i) =>
        startInstance({ name: `app-${i + 1}`, stdio: "ignore", env: { REDIS_URL: redis!.url, TRUST_PROXY: "loopback" } }),
      ),
    );
    instances = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const failed = started.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    const ports = instances.map((i) => i.port);
    nginx = await startNginx(await freePort(), ports);
    haproxy = await startHaproxy(await freePort(), ports);
  });

  after(async () => {
    await nginx?.close();
    await haproxy?.close();
    await Promise.all(instances.map((i) => i.stop()));
    killIfAlive(instances.map((i) => i.pid));
    await redis?.close();
  });

  it("nginx: logged in through nginx, 30 requests all see the user and every instance served some", async () => {
    const client = new CookieClient(nginx!.url);
    assert.equal(await logIn(client, "grace"), 303);
    const counts = countByInstance(await reloads(client, "grace", 30));
    assert.deepEqual([...counts.keys()].sort(), instances.map((i) => i.instance).sort(), `served by ${JSON.stringify([...counts])}`);
  });

  it("HAProxy: logged in through HAProxy, 30 requests all see the user and every instance served some", async () => {
    const client = new CookieClient(haproxy!.url);
    assert.equal(await logIn(client, "linus"), 303);
    const counts = countByInstance(await reloads(client, "linus", 30));
    assert.deepEqual([...counts.keys()].sort(), instances.map((i) => i.instance).sort(), `served by ${JSON.stringify([...counts])}`);
  });

  it("the JSON API: a Bearer token from one instance works on every other, and its logout ends it everywhere", async () => {
    const api = (url: string, method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
      fetch(new URL(path, url), { method, headers, body, signal: AbortSignal.timeout(15_000) });
    const login = await api(nginx!.url, "POST", "/api/login", { "content-type": "application/json" }, JSON.stringify({ username: "api-fleet" }));
    assert.equal(login.status, 200);
    assert.deepEqual(login.headers.getSetCookie(), []);
    const { token } = (await login.json()) as { token: string };
    const bearer = { authorization: `Bearer ${token}` };
    const servedBy = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const me = await api(nginx!.url, "GET", "/api/me", bearer);
      assert.equal(me.status, 200, `request ${i + 1}`);
      assert.deepEqual(await me.json(), { username: "api-fleet" });
      servedBy.add(me.headers.get("x-served-by") ?? "?");
    }
    assert.deepEqual([...servedBy].sort(), instances.map((i) => i.instance).sort(), "every instance took the token");
    assert.equal((await api(haproxy!.url, "POST", "/api/logout", bearer)).status, 204);
    for (const instance of instances) assert.equal((await api(instance.url, "GET", "/api/me", bearer)).status, 401, `dead on ${instance.instance}`);
  });

  it("Secure cookie behind a TLS-terminating proxy: only when the trusted proxy says https", async () => {
    const loginCookie = async (url: string, headers: Record<string, string>): Promise<Map<string, string>> => {
      const client = new CookieClient(url);
      const form = await client.get("/login", { signal: AbortSignal.timeout(15_000) });
      const response = await client.request("/login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams({ username: "tls", _csrf: formCsrfToken(form.body) }).toString(),
        signal: AbortSignal.timeout(15_000),
      });
      assert.equal(response.status, 303);
      assert.equal(response.setCookies.length, 1);
      return cookieAttributes(response.setCookies[0]!);
    };
    // Plain HTTP through nginx: nginx sends X-Forwarded-Proto: http.
    assert.equal((await loginCookie(nginx!.url, {})).has("secure"), false);
    // What nginx sends when it terminated TLS, from the loopback proxy the app trusts.
    assert.equal((await loginCookie(instances[0]!.url, { "x-forwarded-proto": "https" })).has("secure"), true);
  });

  it("an instance killed mid-session: the user stays logged in on the others and no session data is lost", async () => {
    const client = new CookieClient(nginx!.url);
    assert.equal(await logIn(client, "barbara"), 303);
    const before = await reloads(client, "barbara", 6);
    assert.equal(countByInstance(before).size, INSTANCES);

    const victim = instances[1]!;
    process.kill(victim.pid, "SIGKILL");
    const { signal } = await victim.exited;
    assert.equal(signal, "SIGKILL");

    // reloads() checks every page: still "barbara", counter exactly one more than the last.
    const afterKill = await reloads(client, "barbara", 20);
    const survivors = instances.filter((i) => i !== victim).map((i) => i.instance).sort();
    assert.deepEqual([...countByInstance(afterKill).keys()].sort(), survivors);
    assert.equal(afterKill.at(-1)!.visits, before.at(-1)!.visits + 1 + 20);
  });
});
