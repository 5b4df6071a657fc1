/**
 * The cookie signatures of the old libraries, verified in constant time:
 * express-session and @fastify/session sign `value` as
 * `value.<base64 HMAC-SHA256 without "=">` (cookie-signature, @fastify/cookie's
 * Signer); koa-session signs `name=value` with keygrip into a `name.sig`
 * cookie (HMAC-SHA1 by default, base64 with `/+` as `_-` and no `=`).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** A secret as the old libraries accept it: one string, or several (first signs, all verify). */
export type LegacySecret = string | readonly string[];

/** The secrets as a non-empty list of non-empty strings. */
export function secretList(secret: LegacySecret, where: string): readonly string[] {
  const list = typeof secret === "string" ? [secret] : Array.isArray(secret) ? [...secret] : [];
  if (list.length === 0 || list.some((s) => typeof s !== "string" || s.length === 0)) {
    throw new TypeError(`${where}: secret must be the old library's secret (a non-empty string) or its list of secrets.`);
  }
  return list;
}

/** Equal text, in time independent of where they differ. */
function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The value inside `value.signature` when the signature is cookie-signature's
 * for one of `secrets` (as express-session and @fastify/session make it), else undefined.
 *
 * @example
 * ```ts
 * unsignDotted("abc.0b3…", ["keyboard cat"]); // "abc"
 * ```
 */
export function unsignDotted(signed: string, secrets: readonly string[], algorithm = "sha256"): string | undefined {
  const dot = signed.lastIndexOf(".");
  if (dot <= 0 || dot === signed.length - 1) return undefined;
  const value = signed.slice(0, dot);
  const given = signed.slice(dot + 1);
  let valid = false;
  // Every secret is tried, so the time does not tell which one matched.
  for (const secret of secrets) {
    const expected = createHmac(algorithm, secret).update(value).digest("base64").replace(/=+$/, "");
    if (sameText(given, expected)) valid = true;
  }
  return valid ? value : undefined;
}

/**
 * Whether `signature` is keygrip's for `data` under one of `keys` (koa-session's `name.sig` cookie).
 *
 * @example
 * ```ts
 * keygripVerifies("koa.sess=abc", sigCookieValue, ["app key"]);
 * ```
 */
export function keygripVerifies(data: string, signature: string, keys: readonly string[], algorithm = "sha1"): boolean {
  let valid = false;
  for (const key of keys) {
    const expected = createHmac(algorithm, key)
      .update(data)
      .digest("base64")
      .replace(/\/|\+|=/g, (c) => (c === "/" ? "_" : c === "+" ? "-" : ""));
    if (sameText(signature, expected)) valid = true;
  }
  return valid;
}
