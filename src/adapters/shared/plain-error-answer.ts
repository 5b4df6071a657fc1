import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";

/**
 * The error page of a server with no framework to answer errors (the node
 * adapter's default `onError`): the error's HTTP `status` when it is one
 * (400-599, e.g. 403 for a `CsrfError`, 503 for a `SessionStoreError`),
 * otherwise 500, with the status text as a plain-text body. When the
 * headers were already sent, no page can follow: the response is cut, so
 * the client can tell it failed.
 *
 * @example
 * ```ts
 * const onError = options.onError ?? plainErrorAnswer;
 * ```
 */
export function plainErrorAnswer(error: unknown, _req: IncomingMessage, res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy(error instanceof Error ? error : undefined);
    return;
  }
  const status = (error as { status?: unknown } | null)?.status;
  res.statusCode = typeof status === "number" && status >= 400 && status <= 599 ? status : 500;
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  res.end(STATUS_CODES[res.statusCode] ?? "Error");
}
