/**
 * "3 minutes ago", "yesterday": times as people read them, for the
 * "Your sessions" page. Built on the platform's Intl.RelativeTimeFormat, so
 * there is nothing to install and wording follows the locale.
 */

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600_000],
  ["month", 30 * 24 * 3600_000],
  ["week", 7 * 24 * 3600_000],
  ["day", 24 * 3600_000],
  ["hour", 3600_000],
  ["minute", 60_000],
];

/** Below this, a time is "just now": last-seen times are only as precise as the renew interval anyway. */
const JUST_NOW_MS = 45_000;

const formatters = new Map<string, Intl.RelativeTimeFormat>();

/**
 * How long ago (or how far ahead) `timeMs` is from `nowMs`, in the largest
 * whole unit: "just now", "5 minutes ago", "yesterday", "in 2 hours".
 *
 * @example
 * ```ts
 * relativeTime(Date.now() - 5 * 60_000, Date.now()); // "5 minutes ago"
 * relativeTime(Date.now() + 3 * 3600_000, Date.now()); // "in 3 hours"
 * ```
 */
export function relativeTime(timeMs: number, nowMs: number, locale = "en"): string {
  const deltaMs = timeMs - nowMs;
  if (Math.abs(deltaMs) < JUST_NOW_MS) return "just now";
  let format = formatters.get(locale);
  if (format === undefined) {
    format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
    formatters.set(locale, format);
  }
  for (const [unit, unitMs] of UNITS) {
    if (Math.abs(deltaMs) >= unitMs) return format.format(Math.trunc(deltaMs / unitMs), unit);
  }
  // 45 to 59 seconds: say "1 minute" rather than a count of seconds nobody needs.
  return format.format(Math.sign(deltaMs), "minute");
}
