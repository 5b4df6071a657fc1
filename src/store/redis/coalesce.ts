/**
 * Coalescing of the commands requested in one event-loop turn.
 *
 * Under load, most of a session read's or write's cost in the app is the
 * Redis client's per-command work (a command object, a promise, reply
 * bookkeeping), not the bytes. When a hundred requests each read one
 * session, sending one script that reads a hundred keys costs the client a
 * fraction of a hundred commands (measured in bench/: see
 * docs/performance.md). A lone call is still sent as it always was, so a
 * quiet app sends exactly the command it would without coalescing.
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
}

/**
 * Wraps a command so that the calls made in one event-loop turn are sent
 * together: one call alone goes through `command.one`, more through
 * `command.many`, at most {@link MAX_ITEMS_PER_COMMAND} per command. Each
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

  function send(batch: ReadonlyArray<Pending<I, O>>): void {
    if (batch.length === 1) {
      const [call] = batch as [Pending<I, O>];
      command.one(call.item).then(call.resolve, call.reject);
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
