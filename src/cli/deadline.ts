/**
 * A Redis that accepts the connection and never answers (hung, SIGSTOPped,
 * a proxy that black-holes) must cost the operator `--timeout`, not a
 * client's default patience. Every wait of the CLI on Redis goes through
 * {@link withDeadline}.
 *
 * @module
 */

/** Redis did not answer within the CLI's `--timeout`. */
export class DeadlineExceeded extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${formatSeconds(timeoutMs)}`);
    this.name = "DeadlineExceeded";
  }
}

/**
 * Settles like `work`, or rejects with {@link DeadlineExceeded} once
 * `timeoutMs` have passed, after calling `onTimeout` (to drop the
 * connection that is still waiting).
 *
 * @example
 * ```ts
 * await withDeadline(client.connect(), 5000, () => client.disconnect());
 * ```
 */
export function withDeadline<T>(work: Promise<T>, timeoutMs: number, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new DeadlineExceeded(timeoutMs));
    }, timeoutMs);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** `5 s`, `0.5 s`: how the CLI writes a timeout. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
