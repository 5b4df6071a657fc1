import { parseSetCookie } from "cookie";
import { isUnhandledError } from "./failed-request.js";

/**
 * Whether an error thrown out of a Next.js server action or route handler
 * fails its request (its session changes discarded). Next's own control
 * flow is thrown too, and tells itself by the error's `digest`:
 * `redirect()` ("NEXT_REDIRECT;...") is a success whose commit must reach
 * the browser with the redirect; `notFound()`, `forbidden()` and
 * `unauthorized()` ("NEXT_HTTP_ERROR_FALLBACK;404") are deliberate 4xx
 * answers, which keep the changes as every adapter's 4xx errors do.
 * Anything else is failed unless it carries a 4xx `status`.
 *
 * @example
 * ```ts
 * try { return await fn(); } catch (error) { await commit(session, { failed: failsNextRequest(error) }); throw error; }
 * ```
 */
export function failsNextRequest(error: unknown): boolean {
  const digest = digestOf(error);
  if (digest.startsWith("NEXT_REDIRECT;")) return false;
  if (digest.startsWith("NEXT_HTTP_ERROR_FALLBACK;")) return Number(digest.split(";")[1]) >= 500;
  return isUnhandledError(error);
}

const digestOf = (error: unknown): string => {
  const digest = (error as { digest?: unknown } | null)?.digest;
  return typeof digest === "string" ? digest : "";
};

/**
 * Whether an error is Next's own control flow (`redirect()`, `notFound()`,
 * `forbidden()`, `unauthorized()`), which must be rethrown for Next to answer.
 *
 * @example
 * ```ts
 * if (isNextControlFlow(error)) throw error;
 * ```
 */
export function isNextControlFlow(error: unknown): boolean {
  const digest = digestOf(error);
  return digest.startsWith("NEXT_REDIRECT;") || digest.startsWith("NEXT_HTTP_ERROR_FALLBACK;");
}

/** A cookie as Next's `cookies().set()` takes it (its `ResponseCookie`). */
export interface NextCookie {
  name: string;
  value: string;
  path?: string;
  domain?: string;
  maxAge?: number;
  expires?: Date;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: "lax" | "strict" | "none";
  partitioned?: boolean;
  priority?: "low" | "medium" | "high";
}

/**
 * A Set-Cookie header value as the cookie object Next's `cookies().set()`
 * takes, for server actions, whose only way to a response header is that
 * cookie store. The value is kept as written (Tessera's tokens are
 * URL-safe, so Next's encoding leaves them unchanged).
 *
 * @example
 * ```ts
 * (await cookies()).set(nextCookie("tessera=abc; Path=/; HttpOnly; SameSite=Lax"));
 * ```
 */
export function nextCookie(setCookie: string): NextCookie {
  const parsed = parseSetCookie(setCookie, { decode: (value) => value });
  const sameSite = parsed.sameSite === true ? "strict" : parsed.sameSite === false ? undefined : parsed.sameSite;
  return { ...parsed, value: parsed.value ?? "", sameSite } as NextCookie;
}
