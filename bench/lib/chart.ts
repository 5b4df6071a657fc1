import type { ThroughputRow } from "./analysis.js";

const WIDTH = 900;
const LABEL_WIDTH = 270;
const BAR_HEIGHT = 13;
const ROW_GAP = 12;
const TOP = 64;
const AXIS_MAX = 1.2;
const COLORS = {
  tessera: { read: "#1f6feb", write: "#79b4ff" },
  anchor: { read: "#6e7781", write: "#b8bfc6" },
} as const;

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * The chart of the report: for every session app, its req/s as a fraction
 * of its own bare framework's (median over rounds, whiskers min–max), one
 * bar per scenario. Plain SVG written by hand: no chart library needed for
 * a dozen bars.
 *
 * @example
 * ```ts
 * writeFileSync("bench/results/latest.svg", ratioChart(rows, "quick run"));
 * ```
 */
export function ratioChart(rows: readonly ThroughputRow[], subtitle: string): string {
  const apps = [...new Map(rows.filter((r) => r.app.kind !== "bare").map((r) => [r.app.id, r.app])).values()];
  const plotWidth = WIDTH - LABEL_WIDTH - 60;
  const x = (ratio: number): number => LABEL_WIDTH + (Math.min(ratio, AXIS_MAX) / AXIS_MAX) * plotWidth;
  const rowHeight = BAR_HEIGHT * 2 + ROW_GAP;
  const height = TOP + apps.length * rowHeight + 50;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(`<text x="16" y="24" font-size="16" font-weight="600">Throughput as a fraction of the bare framework (higher is better)</text>`);
  out.push(`<text x="16" y="44" fill="#57606a">${escapeXml(subtitle)}</text>`);

  const axisBottom = TOP + apps.length * rowHeight;
  for (let tick = 0; tick <= AXIS_MAX + 1e-9; tick += 0.2) {
    const tx = x(tick);
    out.push(`<line x1="${tx}" y1="${TOP - 6}" x2="${tx}" y2="${axisBottom}" stroke="${Math.abs(tick - 1) < 1e-9 ? "#24292f" : "#d0d7de"}" stroke-width="1"/>`);
    out.push(`<text x="${tx}" y="${axisBottom + 16}" text-anchor="middle" fill="#57606a">${tick.toFixed(1)}×</text>`);
  }

  apps.forEach((app, index) => {
    const top = TOP + index * rowHeight;
    out.push(`<text x="${LABEL_WIDTH - 10}" y="${top + BAR_HEIGHT + 4}" text-anchor="end"${app.kind === "tessera" ? ' font-weight="600"' : ""}>${escapeXml(app.label)}</text>`);
    (["read", "write"] as const).forEach((scenario, s) => {
      const row = rows.find((r) => r.app.id === app.id && r.scenario === scenario);
      const ratio = row?.ratioToBare;
      if (!ratio) return;
      const y = top + s * BAR_HEIGHT;
      const color = COLORS[app.kind === "tessera" ? "tessera" : "anchor"][scenario];
      out.push(`<rect x="${LABEL_WIDTH}" y="${y}" width="${x(ratio.median) - LABEL_WIDTH}" height="${BAR_HEIGHT - 2}" fill="${color}"><title>${escapeXml(`${app.label} ${scenario}: ${ratio.median.toFixed(2)}× (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`)}</title></rect>`);
      const mid = y + (BAR_HEIGHT - 2) / 2;
      out.push(`<line x1="${x(ratio.min)}" y1="${mid}" x2="${x(ratio.max)}" y2="${mid}" stroke="#24292f" stroke-width="1"/>`);
      out.push(`<text x="${Math.max(x(ratio.median), x(ratio.max)) + 6}" y="${y + BAR_HEIGHT - 3}" fill="#24292f">${scenario} ${ratio.median.toFixed(2)}×</text>`);
    });
  });

  const legendY = height - 14;
  const legend: Array<[string, string]> = [
    [COLORS.tessera.read, "Tessera, read"],
    [COLORS.tessera.write, "Tessera, write"],
    [COLORS.anchor.read, "established library, read"],
    [COLORS.anchor.write, "established library, write"],
  ];
  legend.forEach(([color, text], i) => {
    const lx = 16 + i * 210;
    out.push(`<rect x="${lx}" y="${legendY - 10}" width="12" height="12" fill="${color}"/>`);
    out.push(`<text x="${lx + 18}" y="${legendY}">${escapeXml(text)}</text>`);
  });
  out.push(`</svg>`);
  return `${out.join("\n")}\n`;
}
