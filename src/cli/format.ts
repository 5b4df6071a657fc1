import Table from "cli-table3";
import { terminalSafe } from "./terminal.js";

/**
 * A stored value for a table cell: `-` when absent, control characters
 * shown escaped (see terminal.ts), cut to `max` characters.
 *
 * @example
 * ```ts
 * printable("Mozilla/5.0 \u001b[2J", 40); // "Mozilla/5.0 \\x1b[2J"
 * ```
 */
export function printable(text: string | undefined, max = 60): string {
  if (text === undefined || text === "") return "-";
  const chars = Array.from(terminalSafe(text));
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : chars.join("");
}

/** A duration for people: `45s`, `12m`, `3h 5m`, `2d 4h`. */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "never";
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days}d ${hours % 24}h` : `${days}d`;
}

/** A moment relative to now: `5m ago`, `in 25m`. */
export function relativeTime(at: number, now: number): string {
  if (!Number.isFinite(at)) return "never";
  return at <= now ? `${humanDuration(now - at)} ago` : `in ${humanDuration(at - now)}`;
}

/** Bytes for people: `812 B`, `4.2 KiB`, `1.3 MiB`. */
export function humanBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = -1;
  do {
    value /= 1024;
    unit++;
  } while (value >= 1024 && unit < units.length - 1);
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A plain, borderless table (aligned columns, a header, wide characters
 * measured right), as `kubectl get` or `docker ps` print them, as lines.
 * Cells are escaped (terminal.ts) before the columns are measured, so a
 * cell holding a newline or an escape sequence can neither break the
 * layout nor reach the terminal.
 *
 * @example
 * ```ts
 * ctx.out(...table(["CHECK", "STATUS"], [["eviction", "OK"]]));
 * ```
 */
export function table(head: string[], rows: string[][], align: Array<"left" | "right"> = []): string[] {
  const output = new Table({
    head,
    colAligns: head.map((_, i) => align[i] ?? "left"),
    style: { head: [], border: [], "padding-left": 0, "padding-right": 2, compact: true },
    chars: {
      top: "", "top-mid": "", "top-left": "", "top-right": "",
      bottom: "", "bottom-mid": "", "bottom-left": "", "bottom-right": "",
      left: "", "left-mid": "", mid: "", "mid-mid": "", right: "", "right-mid": "", middle: "",
    },
  });
  output.push(...rows.map((row) => row.map(terminalSafe)));
  return output.toString().split("\n").map((line) => line.trimEnd());
}
