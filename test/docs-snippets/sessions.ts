/**
 * Snippet context `sessions`: the values an app has made by the time the
 * docs show a fragment (`<!-- snippet: sessions -->` before the block). Only
 * the app's own values: whatever a package exports, a snippet imports itself.
 */
import type { Redis } from "ioredis";
import type { SessionData, SessionManager, SessionStore } from "tessera-session";

declare module "tessera-session" {
  /** The shape the docs declare (README "Typing session data"; docs/frameworks.md). */
  interface SessionData {
    username: string;
    visits: number;
    cart: { sku: string; qty: number }[];
  }
}

declare global {
  /** `createSessionManager({ store, ... })` */
  const sessions: SessionManager<SessionData>;
  /** `redisStore({ client, ... })` */
  const store: SessionStore;
  /** a connected ioredis client */
  const client: Redis;
}
