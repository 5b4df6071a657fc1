/**
 * The Redis store with older majors of both clients (installed under npm
 * aliases), so the supported-version claims in the README are tested.
 */
import { after, before } from "node:test";
import { Redis as Redis5 } from "ioredis5";
import { createClient as createClient4 } from "redis4";
import { createClient as createClient5 } from "redis5";
import { redisStore } from "tessera/redis";
import { storeConformance } from "tessera/testing";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

let server: RedisServer;
before(async () => {
  server = await startRedisServer();
});
after(async () => {
  await server.close();
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let io5: Redis5;
storeConformance({
  name: "redisStore over ioredis 5",
  createStore: () => {
    io5 = new Redis5(server.url);
    return redisStore({ client: io5, prefix: "clients-io5:" });
  },
  now: () => Date.now(),
  advance: sleep,
  teardown: async () => void (await io5.quit()),
});

type Connectable = { connect(): Promise<unknown>; quit(): Promise<unknown> };
const creators: Array<[string, (options: { url: string }) => Connectable]> = [
  ["node-redis 4", (options) => createClient4(options)],
  ["node-redis 5", (options) => createClient5(options)],
];
for (const [label, create] of creators) {
  let client: Connectable;
  storeConformance({
    name: `redisStore over ${label}`,
    createStore: async () => {
      const created = create({ url: server.url });
      client = created;
      await created.connect();
      return redisStore({ client: created, prefix: `clients-${label.replace(/\W/g, "")}:` });
    },
    now: () => Date.now(),
    advance: sleep,
    teardown: async () => void (await client.quit()),
  });
}
