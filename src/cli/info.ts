/**
 * The fields of an INFO reply (`name:value` lines; `#` section headers and
 * blank lines skipped).
 *
 * @example
 * ```ts
 * parseInfo(String(await node.call("INFO", "memory"))).get("used_memory"); // "1083456"
 * ```
 */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(":");
    if (at > 0 && !line.startsWith("#")) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return fields;
}
