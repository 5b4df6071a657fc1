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
