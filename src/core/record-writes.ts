/**
 * Carries a commit plan's write out against the store, following the lease
 * protocol of user-binding.ts. The store is the manager's, already under
 * the store deadline; what the handle becomes afterwards is decided by
 * `afterCreate` and `afterUpdate` (commit-plan.ts).
 */
import type { CreatePlan, UpdatePlan } from "./commit-plan.js";
import type { FieldSealer } from "./data-fields.js";
import type { CreateWrite, SessionStore, UpdateWrite, WriteResult } from "./store.js";
import { generateToken, sessionIdFromToken } from "./token.js";
import { createIndexed, indexSession, unindexSession } from "./user-binding.js";

/** A record a create wrote, and (when bound) how many entries its user's index holds. */
export interface CreatedRecord {
  readonly id: string;
  readonly token: string;
  readonly indexed: number;
}

/**
 * Writes a plan's new record under a fresh token (replacing the old record
 * on a regenerate). Resolves to undefined when the store refused it: the
 * session being regenerated was destroyed or revoked meanwhile, or its user
 * was logged out everywhere; the login then fails closed.
 *
 * @param replacedIndexedUser the user whose index holds the replaced record.
 */
export async function createRecord(
  store: SessionStore,
  plan: CreatePlan,
  fields: ReadonlyMap<string, string>,
  sealer: FieldSealer,
  replacedIndexedUser: string | undefined,
): Promise<CreatedRecord | undefined> {
  // A token collision is a 2^-128 event; one retry with a fresh token is plenty.
  for (let attempt = 0; attempt < 2; attempt++) {
    const token = generateToken();
    const id = sessionIdFromToken(token);
    // Every field goes to the new record, sealed under the new token when
    // encryption is on: a regenerate re-encrypts in the same atomic step.
    const set = plan.meta.slice();
    for (const [key, text] of fields) set.push([key, sealer.storedText(token, key, text)]);
    for (const [field, text] of plan.flashes) set.push([field, sealer.storedText(token, field, text)]);
    const write: CreateWrite =
      plan.replaces === undefined
        ? { kind: "create", set, ttlMs: plan.ttlMs }
        : plan.replacedGraceMs === undefined
          ? { kind: "create", set, ttlMs: plan.ttlMs, replaces: plan.replaces }
          : { kind: "create", set, ttlMs: plan.ttlMs, replaces: plan.replaces, replacedGraceMs: plan.replacedGraceMs };
    const { result, indexed } = await createIndexed(store, id, write, plan.binding, plan.leaseEnd, plan.now, replacedIndexedUser);
    if (result === "exists") continue;
    // The replaced record is dead now whatever the result ("ok" and
    // "revoked" deleted it, "gone" found it gone): its entry can go.
    await unindexSession(store, replacedIndexedUser, plan.replaces);
    if (result === "ok") return { id, token, indexed };
    // "gone": the session being regenerated was destroyed or revoked
    // meanwhile, and its data must not live on under a new token.
    // "revoked": its user was logged out everywhere between the index
    // write and this create.
    if (plan.binding !== undefined) await unindexSession(store, plan.binding.userId, id);
    return undefined;
  }
  throw new Error("Tessera: could not allocate a unique session id");
}

/**
 * Writes a plan's update of record `id` (token `token`, bound to `userId`
 * if any). Resolves to `"ok"`, or `"gone"` when the record was destroyed,
 * revoked, regenerated away or expired meanwhile: it is never brought back;
 * or `"retired"` when it was regenerated away with a grace window (the
 * write is dropped, the session lives on under its new token).
 * Not an async function: the common write (no lease to extend) costs the
 * request no promise of its own.
 */
export function updateRecord(
  store: SessionStore,
  plan: UpdatePlan,
  id: string,
  token: string,
  userId: string | undefined,
  sealer: FieldSealer | undefined,
): Promise<WriteResult> {
  let write: UpdateWrite = plan.write;
  if (sealer !== undefined && plan.dataFields > 0) {
    const set = write.set.slice();
    for (let i = 0; i < plan.dataFields; i++) {
      const [key, json] = set[i]!;
      set[i] = [key, sealer.storedText(token, key, json)];
    }
    write = { ...write, set };
  }
  if (!plan.reindex) return store.write(id, write, plan.now);
  // The extended lease is indexed, and confirmed, before the write that records it.
  return indexSession(store, userId!, id, plan.leaseEnd!, plan.now).then(() => store.write(id, write, plan.now));
}
