/**
 * The Redis feed of session ends (see core/session-ends.ts): PUBLISH and
 * SUBSCRIBE on one channel, or on a Cluster SPUBLISH and SSUBSCRIBE on one
 * shard channel (plain pub/sub on a Cluster is broadcast to every node;
 * a shard channel lives on the one shard of its slot). Not keyspace
 * notifications: those are off on managed Redis and per node on a Cluster.
 *
 * One subscriber connection per feed (so per store, so per instance),
 * opened on the first subscribe and closed when the last listener stops;
 * publishing goes over the store's own client.
 */
import { decodeSessionEnd, encodeSessionEnd, type SessionEndFeed, type SessionEndListener } from "../../core/session-ends.js";

type Listener = (message: string, channel: string) => void;

/** The structural pieces of ioredis this feed uses (ioredis stays an optional peer). */
interface IoRedisPubSubLike {
  publish(channel: string, message: string): Promise<unknown>;
  spublish(channel: string, message: string): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
  ssubscribe(channel: string): Promise<unknown>;
  duplicate(...args: unknown[]): IoRedisPubSubLike;
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
  disconnect(): void;
  readonly status?: string;
  isCluster?: boolean;
}

/** The structural pieces of node-redis this feed uses. */
interface NodeRedisPubSubLike {
  publish(channel: string, message: string): Promise<unknown>;
  sPublish?(channel: string, message: string): Promise<unknown>;
  subscribe(channel: string, listener: Listener): Promise<unknown>;
  unsubscribe(channel: string, listener: Listener): Promise<unknown>;
  sSubscribe?(channel: string, listener: Listener): Promise<unknown>;
  sUnsubscribe?(channel: string, listener: Listener): Promise<unknown>;
  duplicate(): NodeRedisPubSubLike & { connect(): Promise<unknown>; destroy?(): void; disconnect?(): Promise<unknown>; on(event: string, listener: (...args: never[]) => void): unknown };
  on?(event: string, listener: (...args: never[]) => void): unknown;
}

/** What the feed needs of a client: publish, and a subscription that can be ended. */
interface PubSubDriver {
  publish(channel: string, message: string): Promise<unknown>;
  /** Subscribes; `resubscribed` runs each time the subscription is back after a lost connection. Resolves to a closer. */
  subscribe(channel: string, onMessage: (message: string) => void, resubscribed: () => void): Promise<() => void>;
}

const noop = (): void => undefined;

/** Resolves once an ioredis connection is ready; rejects if it ends first. */
function whenReady(connection: IoRedisPubSubLike): Promise<void> {
  if (connection.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    connection.once("ready", resolve);
    connection.once("end", () => reject(new Error("The Redis subscriber connection ended before it was ready")));
  });
}

function ioRedisDriver(client: IoRedisPubSubLike): PubSubDriver {
  const cluster = client.isCluster === true;
  return {
    publish: (channel, message) => (cluster ? client.spublish(channel, message) : client.publish(channel, message)),
    async subscribe(channel, onMessage, resubscribed) {
      // A Cluster's sharded subscriber group connects to the master of the channel's slot (and follows failovers).
      const subscriber = cluster ? client.duplicate(undefined, { shardedSubscribers: true }) : client.duplicate();
      subscriber.on("error", noop);
      subscriber.on(cluster ? "smessage" : "message", ((from: string, message: string) => {
        if (from === channel) onMessage(message);
      }) as (...args: never[]) => void);
      let readyBefore = false;
      subscriber.on("ready", (() => {
        // ioredis resubscribes by itself on reconnect; what was published meanwhile is lost.
        if (readyBefore) resubscribed();
        readyBefore = true;
      }) as (...args: never[]) => void);
      try {
        // A client made with `enableOfflineQueue: false` (so its duplicate too)
        // refuses commands until connected: subscribe once it is ready.
        await whenReady(subscriber);
        await (cluster ? subscriber.ssubscribe(channel) : subscriber.subscribe(channel));
      } catch (error) {
        subscriber.disconnect();
        throw error;
      }
      readyBefore = true;
      return () => subscriber.disconnect();
    },
  };
}

/** node-redis cluster clients have `masters` and `slots` (see client.ts); sentinel clients have `getSentinelNode`. */
function nodeRedisKind(client: object): "cluster" | "sentinel" | "standalone" {
  if ("masters" in client && "slots" in client) return "cluster";
  if (typeof (client as { getSentinelNode?: unknown }).getSentinelNode === "function") return "sentinel";
  return "standalone";
}

function nodeRedisDriver(client: NodeRedisPubSubLike): PubSubDriver {
  const kind = nodeRedisKind(client);
  return {
    publish: (channel, message) => (kind === "cluster" ? client.sPublish!(channel, message) : client.publish(channel, message)),
    async subscribe(channel, onMessage, resubscribed) {
      const listener: Listener = (message) => onMessage(message);
      if (kind !== "standalone") {
        // A cluster keeps its own connection to the shard of the channel, a
        // sentinel client its own pub/sub connection to the master: the
        // client's command connections stay free.
        if (kind === "cluster") await client.sSubscribe!(channel, listener);
        else await client.subscribe(channel, listener);
        return () => void (kind === "cluster" ? client.sUnsubscribe!(channel, listener) : client.unsubscribe(channel, listener)).catch(noop);
      }
      const subscriber = client.duplicate();
      subscriber.on("error", noop);
      let readyBefore = false;
      subscriber.on("ready", (() => {
        if (readyBefore) resubscribed();
      }) as (...args: never[]) => void);
      try {
        await subscriber.connect();
        await subscriber.subscribe(channel, listener);
      } catch (error) {
        subscriber.destroy?.();
        throw error;
      }
      readyBefore = true;
      return () => {
        if (subscriber.destroy) subscriber.destroy();
        else void subscriber.disconnect?.().catch(noop);
      };
    },
  };
}

function driverFor(client: object): PubSubDriver {
  if (typeof (client as IoRedisPubSubLike).spublish === "function" && typeof (client as IoRedisPubSubLike).duplicate === "function") {
    return ioRedisDriver(client as IoRedisPubSubLike);
  }
  if (typeof (client as NodeRedisPubSubLike).subscribe === "function") return nodeRedisDriver(client as NodeRedisPubSubLike);
  throw new TypeError("redisStore: the client has no pub/sub commands, so session ends cannot be announced; pass announceSessionEnds: false");
}

/**
 * The session-end feed over a Redis client, on `channel` (the store uses
 * `<prefix>ended`). Ends that arrive malformed (another publisher on the
 * channel) are ignored.
 *
 * @example
 * ```ts
 * const feed = redisSessionEnds(new Redis(process.env.REDIS_URL), "myapp:ended");
 * await feed.subscribe({ ended: ({ ids }) => console.log("ended", ids) });
 * ```
 */
export function redisSessionEnds(client: object, channel: string): SessionEndFeed {
  const driver = driverFor(client);
  const listeners = new Set<SessionEndListener>();
  let connection: Promise<() => void> | undefined;

  function deliver(message: string): void {
    const end = decodeSessionEnd(message);
    if (end === undefined) return;
    for (const listener of [...listeners]) listener.ended(end);
  }
  function resync(): void {
    for (const listener of [...listeners]) listener.resync?.();
  }

  return {
    async publish(end) {
      await driver.publish(channel, encodeSessionEnd(end));
    },
    async subscribe(listener) {
      const own: SessionEndListener = { ended: (end) => listener.ended(end), resync: () => listener.resync?.() };
      listeners.add(own);
      if (connection === undefined) {
        const opening = driver.subscribe(channel, deliver, resync);
        connection = opening;
        // A failed subscribe is retried by the next subscriber, not cached.
        opening.catch(() => {
          if (connection === opening) connection = undefined;
        });
      }
      try {
        await connection;
      } catch (error) {
        listeners.delete(own);
        throw error;
      }
      return () => {
        if (!listeners.delete(own) || listeners.size > 0 || connection === undefined) return;
        const closing = connection;
        connection = undefined;
        void closing.then((close) => close(), noop);
      };
    },
  };
}
