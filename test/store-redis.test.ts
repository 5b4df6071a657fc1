/**
 * The Redis store passes the store conformance suite with every supported
 * client major: ioredis 5 and 6, node-redis 4, 5 and 6 (older majors are
 * installed under npm aliases), against a real redis-server.
 */
import { after, before } from "node:test";
import { Redis } from "ioredis";
import { Redis as Redis5 } from "ioredis5";
import { createClient } from "redis";
import { createClient as createClient4 } from "redis4";
import { createClient as createClient5 } from "redis5";
import { redisStore } from "tessera-session/redis";
import { storeConformance } from "tessera-session/testing";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

// Redis expires keys on its own (real) clock, so this suite uses real time
// with short timeouts instead of a fake clock.
let server: RedisServer;
before(async () => {
  server = await startRedisServer();
});
after(async () => {
  await server.close();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A client the suite can open and close, whatever its library. */
interface TestClient {
  client: object;
  open(): Promise<unknown>;
  quit(): Promise<unknown>;
}

const clients: Array<[string, (url: string) => TestClient]> = [
  ["ioredis 6", (url) => { const c = new Redis(url, { lazyConnect: true }); return { client: c, open: () => c.connect(), quit: () => c.quit() }; }],
  ["ioredis 5", (url) => { const c = new Redis5(url, { lazyConnect: true }); return { client: c, open: () => c.connect(), quit: () => c.quit() }; }],
  ["node-redis 6", (url) => { const c = createClient({ url }); return { client: c, open: () => c.connect(), quit: () => c.quit() }; }],
  ["node-redis 5", (url) => { const c = createClient5({ url }); return { client: c, open: () => c.connect(), quit: () => c.quit() }; }],
  ["node-redis 4", (url) => { const c = createClient4({ url }); return { client: c, open: () => c.connect(), quit: () => c.quit() }; }],
];

for (const [label, create] of clients) {
  let testClient: TestClient;
  storeConformance({
    name: `redisStore over ${label}`,
    createStore: async () => {
      testClient = create(server.url);
      await testClient.open();
      return redisStore({ client: testClient.client, prefix: `conformance-${label.replace(/\W/g, "")}:` });
    },
    now: () => Date.now(),
    advance: sleep,
    teardown: async () => void (await testClient.quit()),
  });
}
