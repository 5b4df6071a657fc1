import { SessionConfigError, SessionStoreError } from "../../core/errors.js";

/**
 * Wait for replicas before a write is acknowledged: Redis's `WAIT`, sent on
 * the same connection (and so the same node) right after the write.
 * Replication in Redis is asynchronous; without this, a write acknowledged
 * to the browser can vanish when its master dies before a replica copied it.
 *
 * @example
 * ```ts
 * redisStore({ client, waitForReplicas: { replicas: 1, timeoutMs: 500 } });
 * ```
 */
export interface WaitForReplicas {
  /** How many replicas must hold the write. Usually 1. */
  readonly replicas: number;
  /**
   * How long `WAIT` may block, in ms (Redis's 0 = forever is refused). Keep
   * it well below the manager's `storeTimeoutMs`, which bounds the whole write.
   */
  readonly timeoutMs: number;
}

/**
 * Validates the `waitForReplicas` option of `redisStore`.
 *
 * @throws SessionConfigError when it is not a positive replica count and a positive timeout.
 *
 * @example
 * ```ts
 * resolveWaitForReplicas({ replicas: 1, timeoutMs: 0 }); // throws: 0 would block forever
 * ```
 */
export function resolveWaitForReplicas(value: WaitForReplicas | undefined): WaitForReplicas | undefined {
  if (value === undefined) return undefined;
  const { replicas, timeoutMs } = value ?? {};
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new SessionConfigError(`redisStore waitForReplicas.replicas must be a whole number of at least 1, got ${String(replicas)}.`);
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new SessionConfigError(
      `redisStore waitForReplicas.timeoutMs must be a whole number of ms of at least 1 (Redis's 0 would block forever), got ${String(timeoutMs)}.`,
    );
  }
  return { replicas, timeoutMs };
}

/**
 * Checks a `WAIT` reply. Too few replicas means the write is on the master
 * only: it is reported as a store error with an unknown outcome (it may
 * survive or be lost), so the request is not acknowledged as durable.
 *
 * @example
 * ```ts
 * assertReplicated("commit", 0, { replicas: 1, timeoutMs: 500 }); // throws SessionStoreError, outcome "unknown"
 * ```
 */
export function assertReplicated(operation: string, reply: unknown, wait: WaitForReplicas): void {
  const acknowledged = Number(reply);
  if (acknowledged >= wait.replicas) return;
  throw new SessionStoreError(
    operation,
    `Only ${acknowledged} of ${wait.replicas} replica(s) acknowledged the "${operation}" within ${wait.timeoutMs} ms: it is applied on the master but could be lost in a failover.`,
    { timedOut: true },
  );
}
