/**
 * The two-manager check of the adapters with a typed accessor: an app
 * mounts two managers' middleware (cookies `admin`, then `user`), and the
 * first one's accessor must answer its own session, not the one in the
 * framework's shared slot (`ctx.session`, `c.get("session")`,
 * `locals.session`), which the last one wrote.
 */
import assert from "node:assert/strict";
import { createSessionManager } from "tessera-session";
import { memoryStore } from "tessera-session/memory";
import type { ConformanceData } from "tessera-session/testing";
import { CookieClient } from "./http.js";

/** A manager whose cookie is `name`, on a memory store of its own. */
export function managerWithCookie(name: string) {
  return createSessionManager<ConformanceData>({ store: memoryStore(), cookie: { name } });
}

/** What the app's route answers: each accessor's `visits`, and whether the shared slot holds the last one's session. */
export interface TwoManagersAnswer {
  first: unknown;
  last: unknown;
  lastIsShared: boolean;
}

/**
 * Posts to the app's `path`, whose POST sets `visits = 7` through the first
 * middleware's accessor and whose every answer is a {@link TwoManagersAnswer};
 * asserts that only the first manager's session changed and set its cookie
 * (the last one's stays empty, so it sets none), then reads it back.
 *
 * @example
 * ```ts
 * await assertEachAccessorOwnsItsSession(served.url, "/two-managers");
 * ```
 */
export async function assertEachAccessorOwnsItsSession(baseUrl: string, path = "/"): Promise<void> {
  const client = new CookieClient(baseUrl);
  const expected: TwoManagersAnswer = { first: 7, last: null, lastIsShared: true };
  // No form body: the frameworks' own origin checks are not under test.
  const set = await client.request(path, { method: "POST" });
  assert.deepEqual(set.setCookies.map((line) => line.split("=")[0]), ["admin"], `${set.status} ${set.body} ${JSON.stringify(set.setCookies)}`);
  assert.deepEqual(JSON.parse(set.body), expected);
  assert.deepEqual(JSON.parse((await client.get(path)).body), expected);
}
