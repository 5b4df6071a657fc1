/**
 * Coalescing of the commands requested in one event-loop turn.
 *
 * Under load, many requests' session commands are started in one turn.
 * Sent together, they cost Redis one read and one reply write instead of
 * one each; and for updates, enough of them in one script cost Redis less
 * than one script each (measured in bench/: see docs/performance.md). A
 * lone call is still sent as it always was, so a quiet app sends exactly
 * the command it would without coalescing.
 */

/** Most items one coalesced command carries: bounds the time Redis spends in one script. */
export const MAX_ITEMS_PER_COMMAND = 64;

interface Pending<I, O> {
  readonly item: I;
  resolve(result: O): void;
  reject(error: unknown): void;
}

/** How to send one item on its own, and how to send several as one command. */
export interface CoalescedCommand<I, O> {
  /** Sends one item: the command an uncoalesced call would send. */
  one(item: I): Promise<O>;
  /** Sends several items as one command; resolves to one result per item, in order. */
  many(items: readonly I[]): Promise<readonly O[]>;
  /**
   * The fewest items worth one `many` command (default 2): a smaller batch
   * is sent item by item through `one`, each with its own result or error.
   */
  readonly minItemsPerCommand?: number;
  /** Told the size of each batch sent (one turn's calls, at most {@link MAX_ITEMS_PER_COMMAND}): the store's batch-size metric. */
  onBatch?(size: number): void;
}

/**
 * Wraps a command so that the calls made in one event-loop turn are sent
 * together: one call alone (or fewer than `command.minItemsPerCommand`)
 * goes through `command.one`, more through `command.many`, at most
 * {@link MAX_ITEMS_PER_COMMAND} per command. Each
 * caller gets its own result; when a command fails, every call in it
 * rejects with that error.
 *
 * @example
 * ```ts
 * const read = coalesced<string, Map<string, string>>({
 *   one: (key) => readOne(key),
 *   many: (keys) => readMany(keys),
 * });
 * const [a, b] = await Promise.all([read("s:a"), read("s:b")]); // one command
 * ```
 */
export function coalesced<I, O>(command: CoalescedCommand<I, O>): (item: I) => Promise<O> {
  let pending: Array<Pending<I, O>> = [];

  const minItems = command.minItemsPerCommand ?? 2;

  function send(batch: ReadonlyArray<Pending<I, O>>): void {
    command.onBatch?.(batch.length);
    if (batch.length < minItems) {
      for (const call of batch) command.one(call.item).then(call.resolve, call.reject);
      return;
    }
    command.many(batch.map((call) => call.item)).then(
      (results) => {
        if (results.length !== batch.length) {
          const error = new Error(`Coalesced command answered ${results.length} results for ${batch.length} calls`);
          for (const call of batch) call.reject(error);
          return;
        }
        batch.forEach((call, i) => call.resolve(results[i]!));
      },
      (error: unknown) => {
        for (const call of batch) call.reject(error);
      },
    );
  }

  function flush(): void {
    const calls = pending;
    pending = [];
    for (let start = 0; start < calls.length; start += MAX_ITEMS_PER_COMMAND) {
      send(calls.slice(start, start + MAX_ITEMS_PER_COMMAND));
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      // setImmediate, not a microtask: requests that arrive together are
      // handled in separate callbacks of one poll phase, and all of them run
      // before the check phase that sends the batch.
      if (pending.length === 0) setImmediate(flush);
      pending.push({ item, resolve, reject });
    });
}
