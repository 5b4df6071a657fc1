import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import type { ExpiryPolicy } from "../core/expiry.js";
import { CREATED_AT_FIELD, FLASH_FIELD_PREFIX, USER_ID_FIELD } from "../core/record-fields.js";
import type { AtomicFieldStore, SessionStore } from "../core/store.js";
import type { StoreConformanceOptions } from "./store-conformance.js";

function newId(): string {
  return randomBytes(16).toString("base64url");
}

/**
 * The store's single-field operations (`atomicFields`: flash messages,
 * `increment`, `compareAndSet`): each is atomic (concurrent callers see one
 * winner, lose no increment), touches only the named field, never moves
 * the expiry, and never writes to a record that is no session (missing,
 * destroyed, tombstoned, retired). Part of `storeConformance`.
 */
export function atomicFieldsConformance(options: StoreConformanceOptions, idle: number, policy: ExpiryPolicy, getStore: () => SessionStore): void {
  const fields = (): AtomicFieldStore => {
    const atomic = getStore().atomicFields;
    assert.ok(atomic, "the store must implement atomicFields (or pass atomicFields: false)");
    return atomic;
  };
  const flash = `${FLASH_FIELD_PREFIX}notice`;
  const create = async (set: Array<[string, string]>, ttlMs = 4 * idle) => {
    const id = newId();
    assert.equal(await getStore().write(id, { kind: "create", set: [[CREATED_AT_FIELD, String(options.now())], ...set], ttlMs }, options.now()), "ok");
    return id;
  };
  const load = async (id: string) => (await getStore().load(id, options.now(), policy))?.fields;

  describe("atomic field operations (flash, increment, compareAndSet)", () => {
    it("takes fields once: their texts, undefined where absent, deleted, other fields untouched", async () => {
      const id = await create([[flash, '"hi"'], ["a", "1"]]);
      assert.deepEqual(await fields().take(id, [flash, `${FLASH_FIELD_PREFIX}none`], options.now()), ['"hi"', undefined]);
      assert.deepEqual(await fields().take(id, [flash], options.now()), [undefined], "taken once");
      const left = await load(id);
      assert.equal(left?.has(flash), false);
      assert.equal(left?.get("a"), "1");
    });

    it("of 20 concurrent takers of one field, exactly one gets it", async () => {
      const id = await create([[flash, '"once"']]);
      const answers = await Promise.all(Array.from({ length: 20 }, () => fields().take(id, [flash], options.now())));
      assert.equal(answers.filter((answer) => Array.isArray(answer) && answer[0] === '"once"').length, 1);
    });

    it("restores only absent fields, and only on a session", async () => {
      const id = await create([[flash, '"newer"']]);
      const other = `${FLASH_FIELD_PREFIX}other`;
      await fields().restore(id, [[flash, '"older"'], [other, '"back"']], options.now());
      const restored = await load(id);
      assert.equal(restored?.get(flash), '"newer"', "a newer flash of the key wins");
      assert.equal(restored?.get(other), '"back"');
      const gone = newId();
      await fields().restore(gone, [[flash, '"x"']], options.now());
      assert.equal(await load(gone), undefined, "no record is created");
    });

    it("increments atomically: 50 concurrent +1 end at 50, absent counts as 0, negatives too", async () => {
      const id = await create([]);
      const results = await Promise.all(Array.from({ length: 50 }, () => fields().increment(id, "visits", 1, options.now())));
      assert.equal(results.filter((result) => result.status === "ok").length, 50);
      assert.deepEqual(results.map((result) => (result.status === "ok" ? Number(result.text) : 0)).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1));
      assert.equal((await load(id))?.get("visits"), "50");
      assert.deepEqual(await fields().increment(id, "visits", -60, options.now()), { status: "ok", text: "-10" });
    });

    it("refuses to increment what is no safe integer, changing nothing", async () => {
      const id = await create([["name", '"ada"'], ["ratio", "1.5"], ["big", "9007199254740991"], ["exp", "1e3"]]);
      for (const field of ["name", "ratio", "exp"]) assert.deepEqual(await fields().increment(id, field, 1, options.now()), { status: "not-integer" }, field);
      assert.deepEqual(await fields().increment(id, "big", 1, options.now()), { status: "not-integer" }, "past 2^53 - 1");
      assert.deepEqual(await fields().increment(id, "big", -1, options.now()), { status: "ok", text: "9007199254740990" });
      const after = await load(id);
      assert.equal(after?.get("name"), '"ada"');
      assert.equal(after?.get("ratio"), "1.5");
    });

    it("compares and sets by exact text: absent, mismatch (with the current text), delete", async () => {
      const id = await create([["state", '"a"']]);
      assert.deepEqual(await fields().compareAndSet(id, "new", undefined, '"x"', options.now()), { status: "ok" }, "expected absent");
      assert.deepEqual(await fields().compareAndSet(id, "new", undefined, '"y"', options.now()), { status: "mismatch", current: '"x"' });
      assert.deepEqual(await fields().compareAndSet(id, "state", '"b"', '"c"', options.now()), { status: "mismatch", current: '"a"' });
      assert.deepEqual(await fields().compareAndSet(id, "missing", '"b"', '"c"', options.now()), { status: "mismatch", current: undefined });
      assert.deepEqual(await fields().compareAndSet(id, "state", '"a"', undefined, options.now()), { status: "ok" }, "next absent deletes");
      const after = await load(id);
      assert.equal(after?.has("state"), false);
      assert.equal(after?.get("new"), '"x"');
    });

    it("of 20 concurrent compare-and-sets from one value, exactly one wins", async () => {
      const id = await create([["round", "0"]]);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => fields().compareAndSet(id, "round", "0", String(i + 1), options.now())));
      assert.equal(results.filter((result) => result.status === "ok").length, 1);
    });

    it("never moves the expiry", async () => {
      const id = await create([[flash, '"x"']], 2 * idle);
      const before = (await getStore().load(id, options.now(), policy))!.expiresAt;
      await fields().increment(id, "n", 1, options.now());
      await fields().compareAndSet(id, "m", undefined, "1", options.now());
      await fields().take(id, [flash], options.now());
      const after = (await getStore().load(id, options.now(), policy))!.expiresAt;
      assert.ok(Math.abs(after - before) <= 50, `expiry moved by ${after - before} ms`);
    });

    it("never writes to a destroyed, missing or tombstoned record (no resurrection)", async () => {
      const destroyed = await create([[flash, '"x"'], ["n", "1"]]);
      await getStore().destroy(destroyed);
      const ids = [destroyed, newId()];
      const index = getStore().userIndex;
      if (index) {
        const buried = newId();
        assert.equal(await index.revokeEntry(`user-${newId()}`, { id: buried, leaseEnd: options.now() + 2 * idle }, options.now()), "absent");
        ids.push(buried);
      }
      for (const id of ids) {
        assert.equal(await fields().take(id, [flash], options.now()), "gone");
        assert.deepEqual(await fields().increment(id, "n", 1, options.now()), { status: "gone" });
        assert.deepEqual(await fields().compareAndSet(id, "n", undefined, "1", options.now()), { status: "gone" });
        await fields().restore(id, [[flash, '"x"']], options.now());
        assert.equal(await load(id), undefined, "still no session");
      }
      const bound = await create([[USER_ID_FIELD, "someone"]]);
      assert.deepEqual(await fields().increment(bound, "n", 1, options.now()), { status: "ok", text: "1" }, "a bound session is a session");
    });

    it("answers \"retired\" for a regenerate's read-only copy, and writes nothing to it", async () => {
      const oldId = await create([[flash, '"x"'], ["n", "1"]]);
      const replace = { kind: "create" as const, set: [[CREATED_AT_FIELD, String(options.now())]] as Array<[string, string]>, ttlMs: 4 * idle, replaces: oldId, replacedGraceMs: 2 * idle };
      assert.equal(await getStore().write(newId(), replace, options.now()), "ok");
      assert.equal(await fields().take(oldId, [flash], options.now()), "retired");
      assert.deepEqual(await fields().increment(oldId, "n", 1, options.now()), { status: "retired" });
      assert.deepEqual(await fields().compareAndSet(oldId, "n", "1", "2", options.now()), { status: "retired" });
      await fields().restore(oldId, [["@f:other", '"y"']], options.now());
      const retired = await load(oldId);
      assert.equal(retired?.get(flash), '"x"');
      assert.equal(retired?.get("n"), "1");
      assert.equal(retired?.has("@f:other"), false);
    });
  });
}
