/**
 * Whether an `X-Forwarded-Proto` request header says the client used HTTPS.
 * Proxies append to the header, so the first value is the one the client's
 * side of the first proxy wrote. Only meaningful when the app sits behind a
 * proxy it trusts: a direct client can send any header it likes.
 *
 * @example
 * ```ts
 * forwardedHttps(req.headers["x-forwarded-proto"]); // "https, http" -> true
 * ```
 */
export function forwardedHttps(header: string | string[] | null | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return false;
  const comma = value.indexOf(",");
  const first = comma === -1 ? value : value.slice(0, comma);
  return first.trim().toLowerCase() === "https";
}
