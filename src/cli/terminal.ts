/**
 * What the CLI may send to an operator's terminal. Everything it prints
 * passes through here: user ids, labels, user agents, key names and even
 * Redis's own replies are data someone else wrote, and a terminal obeys
 * escape sequences (ESC, CSI, OSC: retitle the window, rewrite the screen,
 * plant a hyperlink, on some terminals even answer back) and bidi controls
 * (which reorder what the operator reads, so `revoke` could seem to say
 * another id or user). Such characters are shown, not sent: `\x1b`, `\u202e`.
 *
 * @module
 */

/**
 * Characters a terminal must not receive raw, and which `JSON.stringify`
 * leaves raw: DEL, C1 controls (U+0080–U+009F; 0x9B is CSI to terminals
 * that read 8-bit controls), the bidi formatting characters (U+061C,
 * U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) and the line and paragraph
 * separators U+2028/U+2029 (which some programs treat as line breaks).
 */
const BEYOND_C0 = "\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069";
const UNSAFE_IN_JSON = new RegExp(`[${BEYOND_C0}]`, "g");
/** The above plus every C0 control (U+0000–U+001F: ESC, and newline too, so data cannot fake a line). */
const UNSAFE_ON_TERMINAL = new RegExp(`[\\u0000-\\u001f${BEYOND_C0}]`, "g");

function visible(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * One line of text made safe for a terminal: every control character,
 * newline included, and every bidi control is replaced by its visible
 * escape. Idempotent (the result contains none of them), so escaping a
 * table cell and then the line holding it changes nothing more.
 *
 * @example
 * ```ts
 * terminalSafe("Mozilla\u001b]0;pwned\u0007 \u202eevil"); // "Mozilla\\x1b]0;pwned\\x07 \\u202eevil"
 * ```
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE_ON_TERMINAL, visible);
}

/**
 * A JSON document for stdout, as `JSON.stringify(value, replacer, 2)` with
 * the characters it leaves raw (DEL, C1, bidi controls, U+2028/U+2029)
 * written as `\uXXXX` escapes instead: the same JSON value for a parser,
 * but harmless when `--json` output lands on a terminal. (`JSON.stringify`
 * already escapes C0 controls inside strings; its own newlines are layout.)
 *
 * @example
 * ```ts
 * jsonSafe({ userAgent: "a\u009bb" }); // '{\n  "userAgent": "a\\u009bb"\n}'
 * ```
 */
export function jsonSafe(value: unknown, replacer?: (key: string, value: unknown) => unknown): string {
  return JSON.stringify(value, replacer, 2).replace(UNSAFE_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
