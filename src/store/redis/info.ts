/**
 * Redis's INFO reply, parsed in one place for the store's tooling and the
 * CLI: `name:value` lines, with `#` section headers and blank lines
 * skipped, and the `a=1,b=2` lists some values hold (a keyspace line).
 */

/**
 * The fields of an INFO reply.
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

/**
 * The `name=value` entries of one INFO value, such as a keyspace line's
 * `keys=12,expires=12,avg_ttl=0`; an absent value has none.
 *
 * @example
 * ```ts
 * parseInfoList(parseInfo(text).get("db0")).get("keys"); // "12"
 * ```
 */
export function parseInfoList(value: string | undefined): Map<string, string> {
  const entries = new Map<string, string>();
  for (const part of (value ?? "").split(",")) {
    const at = part.indexOf("=");
    if (at > 0) entries.set(part.slice(0, at), part.slice(at + 1));
  }
  return entries;
}
