import type { IncomingMessage } from "node:http";

/** Thrown when a form body is larger than allowed. */
export class FormTooLargeError extends Error {
  readonly status = 413;
}

/**
 * Whether a Content-Type is a URL-encoded form's.
 *
 * @example
 * ```ts
 * isForm("application/x-www-form-urlencoded; charset=UTF-8"); // true
 * ```
 */
export function isForm(contentType: string | undefined): boolean {
  return /^\s*application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType ?? "");
}

/**
 * Reads an `application/x-www-form-urlencoded` request body into a plain
 * object, refusing bodies over `limitBytes` (the login form is tiny). For
 * the frameworks without a built-in form parser (Koa, node:http).
 *
 * @example
 * ```ts
 * const form = await readForm(req);
 * form.username; // "ada"
 * ```
 */
export async function readForm(req: IncomingMessage, limitBytes = 4096): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new FormTooLargeError(`Form body over ${limitBytes} bytes`);
    chunks.push(chunk);
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
}

/**
 * Reads a URL-encoded form or a JSON object body (the API login takes
 * either), refusing bodies over `limitBytes`; anything else reads as `{}`.
 *
 * @example
 * ```ts
 * usernameOf(await readFormOrJson(req)); // "ada"
 * ```
 */
export async function readFormOrJson(req: IncomingMessage, limitBytes = 4096): Promise<unknown> {
  const contentType = req.headers["content-type"];
  if (isForm(contentType)) return readForm(req, limitBytes);
  if (!/^\s*application\/json\s*(;|$)/i.test(contentType ?? "")) return {};
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new FormTooLargeError(`Body over ${limitBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    return {};
  }
}
