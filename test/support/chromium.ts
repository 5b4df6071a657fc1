import type { Page } from "playwright-core";

/**
 * How the browser tests start headless Chromium: Debian's `chromium`
 * binary (playwright-core downloads no browser of its own here), with the
 * background chatter that would reach the network turned off.
 */

/** The Chromium binary; override with CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Flags for a quiet, sandbox-less headless run on loopback only. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Submits the demo's login form the page shows (at `${baseUrl}/login`, or
 * reached through its link) and waits for the login's redirect home.
 *
 * @example
 * ```ts
 * await page.goto(`${demo.url}/login`);
 * await submitLoginForm(page, demo.url, "ada", { remember: true });
 * ```
 */
export async function submitLoginForm(page: Page, baseUrl: string, username: string, options: { readonly remember?: boolean } = {}): Promise<void> {
  await page.fill('input[name="username"]', username);
  if (options.remember === true) await page.check('input[name="remember"]');
  await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('button[type="submit"]')]);
}
