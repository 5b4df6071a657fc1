import type { AtomicFieldStore, NoRecord } from "../../core/store.js";
import type { RedisPort } from "./client.js";
import { COMPARE_AND_SET_FIELD_SCRIPT, INCREMENT_FIELD_SCRIPT, RESTORE_FIELDS_SCRIPT, TAKE_FIELDS_SCRIPT } from "./scripts.js";

/** A script's reply as texts: `[status, ...]` (both clients answer a Lua table of strings as an array). */
function replyTexts(reply: unknown): string[] {
  return Array.isArray(reply) ? reply.map(String) : [String(reply)];
}

/** A field text from a reply, where '' stands for an absent field (no stored text is empty). */
function textOrAbsent(text: string | undefined): string | undefined {
  return text === undefined || text === "" ? undefined : text;
}

/**
 * The Redis store's single-field operations: each one Lua script on the
 * session's one hash (so Cluster needs nothing more), acknowledged like a
 * write (`waitForReplicas`). `sessionKey` maps an id to its hash.
 *
 * @example
 * ```ts
 * const fields = redisAtomicFields(port, (id) => `tessera:s:${id}`);
 * await fields.increment(id, "visits", 1, Date.now()); // { status: "ok", text: "1" }
 * ```
 */
export function redisAtomicFields(port: RedisPort, sessionKey: (id: string) => string): AtomicFieldStore {
  return {
    async take(id, fields) {
      const [status, ...texts] = replyTexts(await port.write(TAKE_FIELDS_SCRIPT, [sessionKey(id)], fields));
      if (status !== "ok") return status as NoRecord;
      return fields.map((_, i) => textOrAbsent(texts[i]));
    },
    async restore(id, entries) {
      if (entries.length === 0) return;
      await port.write(RESTORE_FIELDS_SCRIPT, [sessionKey(id)], entries.flat());
    },
    async increment(id, field, by) {
      const [status, text] = replyTexts(await port.write(INCREMENT_FIELD_SCRIPT, [sessionKey(id)], [field, String(by)]));
      return status === "ok" ? { status, text: text! } : { status: status as NoRecord | "not-integer" };
    },
    async compareAndSet(id, field, expected, next) {
      const args = [field, expected === undefined ? "0" : "1", expected ?? "", next === undefined ? "0" : "1", next ?? ""];
      const [status, current] = replyTexts(await port.write(COMPARE_AND_SET_FIELD_SCRIPT, [sessionKey(id)], args));
      if (status === "mismatch") return { status, current: textOrAbsent(current) };
      return { status: status as "ok" | NoRecord };
    },
  };
}
