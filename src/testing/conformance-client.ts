/** One response as the conformance tests see it. */
export interface ClientResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Every Set-Cookie header value. */
  readonly setCookies: string[];
  readonly text: string;
}

/** The parts of a Set-Cookie header the tests look at. */
export interface ParsedSetCookie {
  readonly value: string;
  /** Attribute names, lower-cased, mapped to their values ("" for flags). */
  readonly attributes: ReadonlyMap<string, string>;
  /** True when the header deletes the cookie. */
  readonly clears: boolean;
}

/**
 * A tiny HTTP client over `fetch` that never follows redirects (the tests
 * follow them by hand, at once, to check the data is already committed).
 */
export async function send(
  baseUrl: string,
  method: string,
  path: string,
  options: { cookie?: string; headers?: Record<string, string> } = {},
): Promise<ClientResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  const response = await fetch(new URL(path, baseUrl), { method, headers, redirect: "manual" });
  const text = await response.text();
  return { status: response.status, headers: response.headers, setCookies: response.headers.getSetCookie(), text };
}

/** The Set-Cookie for cookie `name` in a response, parsed, or undefined. */
export function sessionSetCookie(response: ClientResponse, name: string): ParsedSetCookie | undefined {
  const header = response.setCookies.find((cookie) => cookie.startsWith(`${name}=`));
  if (header === undefined) return undefined;
  const [pair = "", ...rest] = header.split(";");
  const value = pair.slice(name.length + 1);
  const attributes = new Map<string, string>();
  for (const part of rest) {
    const eq = part.indexOf("=");
    const key = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    attributes.set(key, eq === -1 ? "" : part.slice(eq + 1).trim());
  }
  const expires = attributes.get("expires");
  const clears = value === "" || attributes.get("max-age") === "0" || (expires !== undefined && Date.parse(expires) <= Date.now());
  return { value, attributes, clears };
}
