import { after, before } from "node:test";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { redisStore } from "tessera/redis";
import { storeConformance } from "tessera/testing";
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

let ioredis: Redis;
storeConformance({
  name: "redisStore over ioredis",
  createStore: () => {
    ioredis = new Redis(server.url, { lazyConnect: false });
    return redisStore({ client: ioredis, prefix: "conformance-io:" });
  },
  now: () => Date.now(),
  advance: sleep,
  teardown: async () => void (await ioredis.quit()),
});

let nodeRedis: ReturnType<typeof createClient>;
storeConformance({
  name: "redisStore over node-redis",
  createStore: async () => {
    nodeRedis = createClient({ url: server.url });
    await nodeRedis.connect();
    return redisStore({ client: nodeRedis, prefix: "conformance-node:" });
  },
  now: () => Date.now(),
  advance: sleep,
  teardown: async () => void (await nodeRedis.quit()),
});
