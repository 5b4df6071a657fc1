import type { RunningApp } from "./app-process.js";

/**
 * Logs in (`POST /login`, no cookie) and returns the Cookie header a browser
 * would send next: every `name=value` the response set (koa-session sets a
 * signature cookie beside the session cookie).
 */
export async function login(app: Pick<RunningApp, "spec" | "baseUrl">): Promise<string> {
  const response = await fetch(`${app.baseUrl}/login`, { method: "POST" });
  await expectOk(app, response, "POST /login");
  // Read the whole body: express-session sends headers before its store
  // write finishes, and the login is only complete when the response is.
  await response.arrayBuffer();
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(";", 1)[0]!)
    .filter((pair) => !pair.endsWith("="))
    .join("; ");
  if (!cookie && app.spec.kind !== "bare") throw new Error(`${app.spec.id}: POST /login set no cookie`);
  return cookie;
}

/** `GET path` with an optional Cookie header; returns the body text. */
export async function getText(app: RunningApp, path: string, cookie?: string): Promise<string> {
  const response = await fetch(`${app.baseUrl}${path}`, { headers: cookie ? { cookie } : {} });
  await expectOk(app, response, `GET ${path}`);
  return response.text();
}

async function expectOk(app: Pick<RunningApp, "spec">, response: Response, what: string): Promise<void> {
  if (response.ok) return;
  throw new Error(`${app.spec.id}: ${what} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
}

/**
 * Checks that an app really implements the benchmark app before anything is
 * measured: a wrong adapter API must fail loudly, not benchmark 500s.
 */
export async function validateApp(app: RunningApp): Promise<void> {
  const expect = (actual: string, expected: string, what: string): void => {
    if (actual !== expected) throw new Error(`${app.spec.id}: ${what} gave "${actual}", expected "${expected}"`);
  };
  expect(await getText(app, "/"), "hello stranger", "anonymous GET /");
  const cookie = await login(app);
  if (app.spec.kind === "bare") return;
  expect(await getText(app, "/", cookie), "hello ada", "GET / after login");
  expect(await getText(app, "/hit", cookie), "hits 1", "first GET /hit");
  expect(await getText(app, "/hit", cookie), "hits 2", "second GET /hit (the first was not stored)");
  expect(await getText(app, "/set?i=7", cookie), "ok", "GET /set?i=7");
  expect(await getText(app, "/keys", cookie), '["k7"]', "GET /keys");
}

/** A Cookie header of the same shape as a real one, for the bare apps (request sizes stay comparable). */
export const DUMMY_COOKIE = `sid=${"x".repeat(86)}`;
