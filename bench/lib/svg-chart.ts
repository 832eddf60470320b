/**
 * A hand-written SVG line chart of throughput against concurrency: one panel per model, log-scale x (the measured
 * concurrencies) and log-scale y (throughputs span several decades, from a Python server to raw ONNX Runtime), one
 * line per series, and one legend shared by the panels (series of the same name are drawn alike in every panel).
 */

export interface ChartPoint {
  readonly x: number;
  readonly y: number;
}

export interface ChartSeries {
  readonly name: string;
  /** Any SVG colour. */
  readonly color: string;
  /** stroke-dasharray, e.g. '6 4'; solid when absent. */
  readonly dash?: string;
  readonly points: readonly ChartPoint[];
}

export interface ChartPanel {
  readonly title: string;
  readonly series: readonly ChartSeries[];
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
}

const PANEL_W = 440;
const PANEL_H = 300;
const MARGIN = { left: 70, right: 20, top: 60, bottom: 50 };
const LEGEND_COLUMNS = 3;
const LEGEND_ROW = 20;

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const usable = (p: ChartPoint): boolean => Number.isFinite(p.x) && Number.isFinite(p.y) && p.x > 0 && p.y > 0;
const fmt = (v: number): string => v.toFixed(1);

/** A tick label: 1k, 10k, 1M for powers of ten. */
function decadeLabel(exponent: number): string {
  const value = 10 ** exponent;
  if (value >= 1e6) return `${value / 1e6}M`;
  if (value >= 1e3) return `${value / 1e3}k`;
  return String(value);
}

/** The chart as a standalone SVG document. */
export function throughputChart(panels: readonly ChartPanel[], options: ChartOptions): string {
  const points = panels.flatMap((p) => p.series.flatMap((s) => s.points.filter(usable)));
  const xs = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b);
  const xMin = Math.log10(xs[0] ?? 1);
  const xMax = Math.log10(xs[xs.length - 1] ?? 10);
  const yMinExp = Math.floor(Math.log10(Math.min(...points.map((p) => p.y), 1e6)));
  const yMaxExp = Math.ceil(Math.log10(Math.max(...points.map((p) => p.y), 10)));
  const yTop = yMaxExp > yMinExp ? yMaxExp : yMinExp + 1;

  const legend: ChartSeries[] = [];
  for (const s of panels.flatMap((p) => p.series)) if (!legend.some((l) => l.name === s.name)) legend.push(s);
  legend.sort((a, b) => a.name.localeCompare(b.name));
  const legendRows = Math.ceil(legend.length / LEGEND_COLUMNS);
  const cellW = MARGIN.left + PANEL_W + MARGIN.right;
  const width = Math.max(1, panels.length) * cellW;
  const height = MARGIN.top + PANEL_H + MARGIN.bottom + legendRows * LEGEND_ROW + 20;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(options.title)}</text>`);

  panels.forEach((panel, index) => {
    const left = index * cellW + MARGIN.left;
    const top = MARGIN.top;
    const px = (x: number): number => left + (xMax > xMin ? ((Math.log10(x) - xMin) / (xMax - xMin)) * PANEL_W : PANEL_W / 2);
    const py = (y: number): number => top + PANEL_H - ((Math.log10(y) - yMinExp) / (yTop - yMinExp)) * PANEL_H;
    out.push(`<text x="${left + PANEL_W / 2}" y="${top - 12}" text-anchor="middle" font-size="14">${escapeXml(panel.title)}</text>`);
    out.push(`<rect x="${left}" y="${top}" width="${PANEL_W}" height="${PANEL_H}" fill="none" stroke="#444"/>`);
    for (let e = yMinExp; e <= yTop; e++) {
      const y = fmt(py(10 ** e));
      out.push(`<line x1="${left}" y1="${y}" x2="${left + PANEL_W}" y2="${y}" stroke="#ddd"/>`);
      out.push(`<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${decadeLabel(e)}</text>`);
    }
    for (const x of xs) {
      const X = fmt(px(x));
      out.push(`<line x1="${X}" y1="${top}" x2="${X}" y2="${top + PANEL_H}" stroke="#eee"/>`);
      out.push(`<text x="${X}" y="${top + PANEL_H + 16}" text-anchor="middle">${x}</text>`);
    }
    out.push(`<text x="${left + PANEL_W / 2}" y="${top + PANEL_H + 36}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
    const yMid = top + PANEL_H / 2;
    out.push(`<text x="${left - 52}" y="${yMid}" text-anchor="middle" transform="rotate(-90 ${left - 52} ${yMid})">${escapeXml(options.yLabel)}</text>`);
    for (const s of panel.series) {
      const pts = s.points.filter(usable).sort((a, b) => a.x - b.x);
      if (pts.length === 0) continue;
      const dash = s.dash === undefined ? '' : ` stroke-dasharray="${s.dash}"`;
      const coords = pts.map((p) => `${fmt(px(p.x))},${fmt(py(p.y))}`).join(' ');
      out.push(`<polyline points="${coords}" fill="none" stroke="${s.color}" stroke-width="2"${dash}><title>${escapeXml(s.name)}</title></polyline>`);
      for (const p of pts) {
        out.push(`<circle cx="${fmt(px(p.x))}" cy="${fmt(py(p.y))}" r="3" fill="${s.color}"><title>${escapeXml(`${s.name}, c=${p.x}: ${Math.round(p.y)}/s`)}</title></circle>`);
      }
    }
  });

  const legendTop = MARGIN.top + PANEL_H + MARGIN.bottom + 6;
  const columnW = width / LEGEND_COLUMNS;
  legend.forEach((s, i) => {
    const x = (i % LEGEND_COLUMNS) * columnW + 20;
    const y = legendTop + Math.floor(i / LEGEND_COLUMNS) * LEGEND_ROW;
    const dash = s.dash === undefined ? '' : ` stroke-dasharray="${s.dash}"`;
    out.push(`<line x1="${x}" y1="${y}" x2="${x + 30}" y2="${y}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${x + 36}" y="${y}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
