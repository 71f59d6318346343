import { GankitError } from '@gankit/core';
import { crc32 } from './crc';
import { escapeXml } from './escape';

/** One line of a chart: a name for the legend and `[step, value]` points. */
export interface ChartSeries {
  /** Shown in the legend (escaped). */
  readonly name: string;
  /** `[x, y]` pairs in drawing order; a non-finite y (or y <= 0 on a log axis) breaks the line. */
  readonly points: readonly (readonly [number, number])[];
}

/** Options of {@link lineChartSvg}. */
export interface LineChartOptions {
  /** Title above the plot (escaped). */
  readonly title?: string | undefined;
  /** Width in pixels (default 640). */
  readonly width?: number | undefined;
  /** Height in pixels (default 320). */
  readonly height?: number | undefined;
  /** Logarithmic y axis (default false); values <= 0 are left out. */
  readonly logY?: boolean | undefined;
  /** Label under the x axis (default `'step'`). */
  readonly xLabel?: string | undefined;
  /** Label beside the y axis (default none). */
  readonly yLabel?: string | undefined;
  /**
   * Longest line drawn (default 1000 points): a longer series is cut into that many consecutive
   * buckets and each bucket drawn as its mean, which also smooths noisy GAN losses.
   */
  readonly maxPoints?: number | undefined;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Formats a tick label compactly: `15000` → `15k`, `0.00012` → `1.2e-4`, no float noise. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a < 1e-3) {
    const [m, e] = v.toExponential(1).split('e');
    return `${+m}e${+e}`;
  }
  return String(+v.toPrecision(4));
}

/** About `count` round tick values (1, 2 or 5 × 10^k apart) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(+t.toPrecision(12));
  return ticks;
}

function downsample(points: readonly (readonly [number, number])[], max: number): [number, number][] {
  if (points.length <= max) return points.map((p) => [p[0], p[1]]);
  const size = Math.ceil(points.length / max);
  const out: [number, number][] = [];
  for (let i = 0; i < points.length; i += size) {
    let sx = 0;
    let sy = 0;
    let k = 0;
    let nonFinite = false;
    for (let j = i; j < Math.min(points.length, i + size); j++) {
      const [x, y] = points[j];
      if (!Number.isFinite(y)) nonFinite = true;
      else if (Number.isFinite(x)) {
        sx += x;
        sy += y;
        k++;
      }
    }
    // A bucket holding a NaN/Infinity keeps the gap visible.
    if (k > 0) out.push([sx / k, sy / k]);
    if (nonFinite) out.push([NaN, NaN]);
  }
  return out;
}

function r2(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/**
 * Draws line series as a self-contained SVG string (no library): axes with round ticks and grid
 * lines, an optional log y axis, one `<path>` per series in its own colour, and a legend. Every
 * piece of text is escaped, so series names and titles may hold any characters.
 *
 * @example
 * ```ts
 * const svg = lineChartSvg(
 *   [{ name: 'D loss', points: [[1, 1.38], [2, 1.2]] }, { name: 'G loss', points: [[1, 0.69], [2, 0.9]] }],
 *   { title: 'Losses' },
 * );
 * ```
 */
export function lineChartSvg(series: readonly ChartSeries[], options: LineChartOptions = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 320;
  const maxPoints = options.maxPoints ?? 1000;
  const logY = options.logY ?? false;
  if (!(width >= 200 && height >= 120) || !Number.isFinite(width) || !Number.isFinite(height)) {
    throw new GankitError('config', `lineChartSvg: width and height must be at least 200 × 120, got ${width} × ${height}`);
  }
  if (!Number.isInteger(maxPoints) || maxPoints < 2)
    throw new GankitError('config', `lineChartSvg: maxPoints must be an integer >= 2, got ${maxPoints}`);
  if (!Array.isArray(series)) throw new GankitError('argument', 'lineChartSvg needs an array of { name, points }');
  const fy = (y: number) => (logY ? (y > 0 ? Math.log10(y) : NaN) : y);
  const lines = series.map((s, i) => {
    if (!s || typeof s.name !== 'string' || !Array.isArray(s.points)) {
      throw new GankitError('argument', `lineChartSvg: series ${i} must be { name: string, points: [x, y][] }`);
    }
    return downsample(s.points, maxPoints).map(([x, y]) => [x, fy(y)] as [number, number]);
  });

  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const l of lines) {
    for (const [x, y] of l) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  const hasData = x0 <= x1;
  if (!hasData) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) {
    const d = Math.abs(y0) * 0.1 || 1;
    [y0, y1] = [y0 - d, y1 + d];
  } else {
    const d = (y1 - y0) * 0.05;
    [y0, y1] = [y0 - d, y1 + d];
  }

  const legendWidth = series.length > 0 ? 150 : 0;
  const left = 64;
  const right = 16 + legendWidth;
  const top = options.title ? 34 : 14;
  const bottom = 44;
  const pw = width - left - right;
  const ph = height - top - bottom;
  const sx = (x: number) => left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => top + ph - ((y - y0) / (y1 - y0)) * ph;

  const out: string[] = [];
  const title = options.title ?? 'chart';
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<title>${escapeXml(title)}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  if (options.title)
    out.push(
      `<text x="${r2(left + pw / 2)}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`,
    );

  // Grid lines and ticks.
  const xTicks = niceTicks(x0, x1, Math.max(2, Math.floor(pw / 80)));
  let yTicks: { v: number; label: string }[];
  if (logY && Math.floor(y1) - Math.ceil(y0) >= 1) {
    const step = Math.max(1, Math.ceil((Math.floor(y1) - Math.ceil(y0) + 1) / 8));
    yTicks = [];
    for (let e = Math.ceil(y0); e <= Math.floor(y1); e += step) yTicks.push({ v: e, label: formatTick(10 ** e) });
  } else if (logY) {
    yTicks = niceTicks(10 ** y0, 10 ** y1, 4)
      .filter((t) => t > 0)
      .map((t) => ({ v: Math.log10(t), label: formatTick(t) }));
  } else {
    yTicks = niceTicks(y0, y1, Math.max(2, Math.floor(ph / 50))).map((t) => ({ v: t, label: formatTick(t) }));
  }
  for (const t of xTicks) {
    if (t < x0 || t > x1) continue;
    const x = r2(sx(t));
    out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${r2(top + ph)}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${x}" y1="${r2(top + ph)}" x2="${x}" y2="${r2(top + ph + 4)}" stroke="#333333"/>`);
    out.push(`<text x="${x}" y="${r2(top + ph + 16)}" text-anchor="middle">${escapeXml(formatTick(t))}</text>`);
  }
  for (const t of yTicks) {
    if (t.v < y0 || t.v > y1) continue;
    const y = r2(sy(t.v));
    out.push(`<line x1="${left}" y1="${y}" x2="${r2(left + pw)}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${left - 4}" y1="${y}" x2="${left}" y2="${y}" stroke="#333333"/>`);
    out.push(`<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(t.label)}</text>`);
  }
  // Axes.
  out.push(`<line x1="${left}" y1="${r2(top + ph)}" x2="${r2(left + pw)}" y2="${r2(top + ph)}" stroke="#333333"/>`);
  out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${r2(top + ph)}" stroke="#333333"/>`);
  out.push(`<text x="${r2(left + pw / 2)}" y="${height - 8}" text-anchor="middle">${escapeXml(options.xLabel ?? 'step')}</text>`);
  if (options.yLabel) {
    out.push(
      `<text transform="translate(14 ${r2(top + ph / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}${logY ? ' (log)' : ''}</text>`,
    );
  }
  if (!hasData) out.push(`<text x="${r2(left + pw / 2)}" y="${r2(top + ph / 2)}" text-anchor="middle" fill="#888888">no data</text>`);

  // Lines, clipped to the plot area. The clip id is a hash of the drawing, so the same chart
  // gives the same SVG and different charts on one page do not share an id.
  const paths = lines.map((l) => {
    let d = '';
    let pen = false;
    for (const [x, y] of l) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${r2(sx(x))} ${r2(sy(y))}`;
      pen = true;
    }
    return d;
  });
  const clip = `clip-${crc32(new TextEncoder().encode([width, height, title, ...series.map((s) => s.name), ...paths].join('|'))).toString(16)}`;
  out.push(`<clipPath id="${clip}"><rect x="${left}" y="${top}" width="${r2(pw)}" height="${r2(ph)}"/></clipPath>`);
  paths.forEach((d, i) => {
    const color = PALETTE[i % PALETTE.length];
    out.push(
      `<path class="series" d="${d}" fill="none" stroke="${color}" stroke-width="1.5" stroke-linejoin="round" clip-path="url(#${clip})"><title>${escapeXml(series[i].name)}</title></path>`,
    );
  });

  // Legend.
  series.forEach((s, i) => {
    const x = width - legendWidth;
    const y = top + 8 + i * 16;
    const color = PALETTE[i % PALETTE.length];
    out.push(`<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${color}" stroke-width="3"/>`);
    out.push(`<text x="${x + 24}" y="${y}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
