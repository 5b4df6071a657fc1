import { SessionStoreError, TesseraError } from "./errors.js";

/**
 * Runs one store operation with a deadline. Any failure becomes a
 * {@link SessionStoreError} (with the client's error as `cause`), so a dead
 * or hung store turns into a fast, typed error instead of a hanging request.
 * The timer is unref'd: it never keeps the process alive.
 */
export function withStoreDeadline<T>(operation: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(
        new SessionStoreError(
          operation,
          `Session store did not answer "${operation}" within ${timeoutMs} ms; the operation may or may not have been applied.`,
          { timedOut: true },
        ),
      );
    }, timeoutMs);
    timer.unref?.();
    let pending: Promise<T>;
    try {
      pending = work();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error instanceof TesseraError) return reject(error);
        const detail = error instanceof Error ? error.message : String(error);
        reject(new SessionStoreError(operation, `Session store failed during "${operation}": ${detail}`, { cause: error }));
      },
    );
  });
}
