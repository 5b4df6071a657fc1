/**
 * A friendly name for the device a session signed in from, for the
 * "Your sessions" page: "Chrome on Linux", "Safari on iPhone".
 *
 * User-Agent parsing is a moving target (new browsers, Edge and Opera
 * posing as Chrome, iPads posing as Macs), so it is left to bowser, a small,
 * widely used, MIT-licensed parser with no dependencies, rather than to
 * hand-written regular expressions that would rot.
 */
import Bowser from "bowser";

/** What the sessions page shows for one device. */
export interface DeviceDescription {
  /** "Chrome on Linux", "Safari on iPhone", "curl", or "Unknown device". */
  label: string;
  /** Picks the icon: phones and tablets look different from computers. */
  kind: "desktop" | "mobile" | "tablet" | "other";
}

/** The first product token of a non-browser User-Agent: "curl/8.5.0" → "curl". */
const PRODUCT = /^([A-Za-z][\w.-]{0,31})\//;

/**
 * Describes a User-Agent header for people. The text is untrusted (any
 * client can send anything), so callers must still escape it for HTML; the
 * result is at most about 80 characters.
 *
 * @example
 * ```ts
 * describeDevice("Mozilla/5.0 (X11; Linux x86_64) ... Chrome/140.0.0.0 Safari/537.36");
 * // { label: "Chrome on Linux", kind: "desktop" }
 * describeDevice(undefined); // { label: "Unknown device", kind: "other" }
 * ```
 */
export function describeDevice(userAgent: string | undefined): DeviceDescription {
  const ua = (userAgent ?? "").trim();
  // bowser throws on an empty string; an absent header is simply unknown.
  if (ua === "") return { label: "Unknown device", kind: "other" };
  const parsed = Bowser.parse(ua);
  const browser = parsed.browser.name || undefined;
  // "iPhone" and "iPad" say more than "iOS"; elsewhere the OS name is the useful part.
  const system = parsed.platform.model === "iPhone" || parsed.platform.model === "iPad" ? parsed.platform.model : parsed.os.name || undefined;
  const type = parsed.platform.type;
  const kind = type === "desktop" || type === "mobile" || type === "tablet" ? type : "other";
  if (browser && system) return { label: `${browser} on ${system}`, kind };
  if (browser) return { label: browser, kind };
  if (system) return { label: `Browser on ${system}`, kind };
  const product = PRODUCT.exec(ua)?.[1];
  return { label: product ?? "Unknown device", kind: "other" };
}
