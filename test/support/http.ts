import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A response as tests need it: status, body text, Set-Cookie lines, headers. */
export interface TestResponse {
  status: number;
  body: string;
  setCookies: string[];
  headers: Headers;
}

/**
 * A minimal browser for tests: remembers one cookie jar (name -> value),
 * applies Set-Cookie (including deletion by Max-Age=0), never follows
 * redirects on its own so tests can see them.
 */
export class CookieClient {
  readonly jar = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  /** The Cookie header this client would send. */
  cookieHeader(): string | undefined {
    if (this.jar.size === 0) return undefined;
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  async request(path: string, init: RequestInit & { cookie?: string } = {}): Promise<TestResponse> {
    const headers = new Headers(init.headers);
    const cookie = init.cookie ?? this.cookieHeader();
    if (cookie !== undefined) headers.set("cookie", cookie);
    const response = await fetch(this.baseUrl + path, { ...init, headers, redirect: "manual" });
    const body = await response.text();
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) this.#apply(line);
    return { status: response.status, body, setCookies, headers: response.headers };
  }

  get(path: string, init: RequestInit & { cookie?: string } = {}): Promise<TestResponse> {
    return this.request(path, init);
  }

  post(path: string, form: Record<string, string>): Promise<TestResponse> {
    return this.request(path, {
      method: "POST",
      body: new URLSearchParams(form).toString(),
      // As a browser's form submission: SvelteKit answers a form action with JSON
      // (for its enhanced forms) to a client that accepts anything.
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
    });
  }

  #apply(line: string): void {
    const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const expired = attributes.some((a) => /^max-age=0$/i.test(a)) || value === "";
    if (expired) this.jar.delete(name);
    else this.jar.set(name, value);
  }
}

/** The CSRF token in a page's form (the hidden `_csrf` field), as a browser would submit it. */
export function formCsrfToken(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (token === undefined) throw new Error("the page has no _csrf field");
  return token;
}

/** Starts a node:http server (e.g. `app.listen`) on a free loopback port and returns its base URL. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Closes a server, dropping kept-alive connections so the test process can exit. */
export async function close(server: Server): Promise<void> {
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Parses one Set-Cookie line's attributes into a lower-cased map. */
export function cookieAttributes(line: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const part of line.split(";").slice(1)) {
    const [key = "", ...rest] = part.trim().split("=");
    attributes.set(key.toLowerCase(), rest.join("="));
  }
  return attributes;
}
