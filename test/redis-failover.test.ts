import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FAILOVER_SETUPS, runFailover, type FailoverReport } from "./support/failover-load.js";

// Failover under load: logins and session writes through a real Express
// server while the master owning a live session is SIGKILLed. With
// waitForReplicas, no acknowledged login or write may be lost, nothing may
// hang, and every request must succeed again once the group has healed.
// (node support/failover-report.ts prints the same figures, with and without WAIT.)

const STORE_TIMEOUT_MS = 1500;

function assertHealthyFailover(report: FailoverReport, afterKillMs: number): void {
  assert.equal(report.lostLogins, 0, "no acknowledged login lost");
  assert.equal(report.lostWrites, 0, "no acknowledged write lost");
  assert.equal(report.hung, 0, "every request got an answer");
  for (const failure of Object.keys(report.failures)) {
    assert.match(failure, /^503 TESSERA_STORE_(TIMEOUT|UNAVAILABLE)$/, "failures are typed store errors");
  }
  // A request makes at most two store calls (load, commit), each bounded by
  // storeTimeoutMs; the margin absorbs two busy shared cores.
  assert.ok(report.maxLatencyMs <= 2 * STORE_TIMEOUT_MS + 1500, `max latency ${report.maxLatencyMs} ms is bounded`);
  assert.ok(report.recoveredAtMs < afterKillMs - 500, `all requests succeed again (from ${report.recoveredAtMs} ms after the kill)`);
  assert.ok(report.acknowledgedLogins > 20, "the load kept logging users in");
}

describe("failover under load, with waitForReplicas", () => {
  for (const setup of FAILOVER_SETUPS) {
    it(`${setup}: master SIGKILLed mid-load, 0 acknowledged logins lost`, async (t) => {
      const afterKillMs = 6000;
      const report = await runFailover(setup, {
        storeTimeoutMs: STORE_TIMEOUT_MS,
        waitForReplicas: { replicas: 1, timeoutMs: 500 },
        warmupMs: 1000,
        afterKillMs,
      });
      t.diagnostic(JSON.stringify(report));
      assertHealthyFailover(report, afterKillMs);
    });
  }
});
