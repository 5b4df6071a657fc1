/**
 * Most hops of a forwarding header Tessera looks at: far more than any real
 * proxy chain, and a bound on the work a forged header can cause.
 */
export const MAX_FORWARDED_HOPS = 32;

/**
 * The comma-separated values of a forwarding request header
 * (`X-Forwarded-For`, `X-Forwarded-Proto`), in order, several header lines
 * joined as one list; at most the last {@link MAX_FORWARDED_HOPS} values,
 * since only the right end (what the nearest proxies wrote) can be trusted.
 *
 * @example
 * ```ts
 * forwardedValues("https, http"); // ["https", "http"]
 * ```
 */
export function forwardedValues(header: string | string[] | null | undefined): string[] {
  const text = Array.isArray(header) ? header.join(",") : (header ?? "");
  if (text === "") return [];
  const values = text.split(",").map((value) => value.trim()).filter((value) => value !== "");
  return values.slice(-MAX_FORWARDED_HOPS);
}

/**
 * The value a forwarding header (`X-Forwarded-Proto`, `X-Forwarded-Host`)
 * carries from the trusted proxies. Proxies append to these headers, so the
 * client can write anything to the left: with `trustedHops` proxies in front
 * of the app, the farthest of them (the one the client connected to) wrote
 * the value `trustedHops` positions from the right. A proxy that replaces
 * the header instead leaves fewer values; the leftmost one left is then
 * theirs. With no trusted hop the header is not read at all.
 *
 * @example
 * ```ts
 * trustedForwardedValue("https, http", 1); // "http": "https" is the client's own claim
 * trustedForwardedValue("https, http", 0); // undefined
 * ```
 */
export function trustedForwardedValue(header: string | string[] | null | undefined, trustedHops: number): string | undefined {
  if (trustedHops <= 0) return undefined;
  const values = forwardedValues(header);
  if (values.length === 0) return undefined;
  return values[Math.max(0, values.length - trustedHops)];
}

/**
 * Whether `X-Forwarded-Proto` says the client used HTTPS, reading only the
 * value the trusted proxies wrote (see {@link trustedForwardedValue}).
 *
 * @example
 * ```ts
 * forwardedHttps("https, http", 1); // false: "https" is the client's own claim, the proxy wrote "http"
 * forwardedHttps("http, https", 1); // true
 * ```
 */
export function forwardedHttps(header: string | string[] | null | undefined, trustedHops: number): boolean {
  return trustedForwardedValue(header, trustedHops)?.toLowerCase() === "https";
}
