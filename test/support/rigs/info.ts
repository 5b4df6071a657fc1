/** How often rigs poll readiness: fast, since a failover takes 2–3 s. */
export const POLL_INTERVAL_MS = 50;
/** Defaults for a rig's readiness polls. */
export const RIG_POLL = { timeoutMs: 15_000, intervalMs: POLL_INTERVAL_MS } as const;

/** Parses `key:value` lines of INFO or CLUSTER INFO text. */
export function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && !line.startsWith("#")) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}
