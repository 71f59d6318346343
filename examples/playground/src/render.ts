import { GRID_LINES, GRID_POINTS, SURFACE_RES, VIEW } from './session';

/** Maps data coordinates in [-VIEW, VIEW]² to canvas pixels (y up). */
export function toCanvas(canvas: HTMLCanvasElement, x: number, y: number): [number, number] {
  return [((x + VIEW) / (2 * VIEW)) * canvas.width, ((VIEW - y) / (2 * VIEW)) * canvas.height];
}

/** Maps a canvas pixel back to data coordinates. */
export function fromCanvas(canvas: HTMLCanvasElement, px: number, py: number): [number, number] {
  return [(px / canvas.width) * 2 * VIEW - VIEW, VIEW - (py / canvas.height) * 2 * VIEW];
}

// Colour map of the decision surface: low D ("fake") dark navy → high D ("real") teal.
const STOPS: [number, number, number][] = [
  [14, 17, 36],
  [38, 52, 110],
  [46, 120, 150],
  [88, 210, 178],
];

function colour(t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(u));
  const f = u - i;
  const a = STOPS[i];
  const b = STOPS[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** Colour bands of the heat map: contour-like steps read better than a smooth ramp. */
const LEVELS = 14;

/**
 * Paints D's values on the grid (row 0 at the top), interpolated bilinearly to every pixel and
 * banded into {@link LEVELS} levels. Probabilities are shown as they are; critic values are
 * scaled to their range over the view.
 */
export function drawSurface(ctx: CanvasRenderingContext2D, values: Float32Array, probabilistic: boolean): void {
  let lo = 0;
  let hi = 1;
  if (!probabilistic) {
    lo = Infinity;
    hi = -Infinity;
    for (const v of values) {
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!(hi > lo)) {
      lo -= 1;
      hi += 1;
    }
  }
  const palette = Array.from({ length: LEVELS }, (_, i) => colour((i + 0.5) / LEVELS));
  const { width, height } = ctx.canvas;
  const img = ctx.createImageData(width, height);
  const n = SURFACE_RES;
  // Grid point (r, c) sits at pixel (c·(width−1)/(n−1), r·(height−1)/(n−1)).
  for (let py = 0; py < height; py++) {
    const gy = (py * (n - 1)) / (height - 1);
    const r0 = Math.min(n - 2, Math.floor(gy));
    const fy = gy - r0;
    for (let px = 0; px < width; px++) {
      const gx = (px * (n - 1)) / (width - 1);
      const c0 = Math.min(n - 2, Math.floor(gx));
      const fx = gx - c0;
      const i = r0 * n + c0;
      const v = (1 - fy) * ((1 - fx) * values[i] + fx * values[i + 1]) + fy * ((1 - fx) * values[i + n] + fx * values[i + n + 1]);
      const t = (v - lo) / (hi - lo);
      const level = Number.isFinite(t) ? Math.min(LEVELS - 1, Math.max(0, Math.floor(t * LEVELS))) : 0;
      const [cr, cg, cb] = palette[level];
      const o = 4 * (py * width + px);
      img.data[o] = cr;
      img.data[o + 1] = cg;
      img.data[o + 2] = cb;
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

/** Fills the canvas with the empty background. */
export function clear(ctx: CanvasRenderingContext2D): void {
  ctx.fillStyle = '#0b0e15';
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
}

/** Light axes through the origin. */
export function drawAxes(ctx: CanvasRenderingContext2D): void {
  const c = ctx.canvas;
  const [ox, oy] = toCanvas(c, 0, 0);
  ctx.strokeStyle = 'rgba(255,255,255,0.08)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, oy + 0.5);
  ctx.lineTo(c.width, oy + 0.5);
  ctx.moveTo(ox + 0.5, 0);
  ctx.lineTo(ox + 0.5, c.height);
  ctx.stroke();
}

/** Points from a flat [x0, y0, x1, y1, ...] array. */
export function drawPoints(ctx: CanvasRenderingContext2D, flat: ArrayLike<number>, fill: string, size: number): void {
  ctx.fillStyle = fill;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    if (!Number.isFinite(flat[i]) || !Number.isFinite(flat[i + 1])) continue;
    const [px, py] = toCanvas(ctx.canvas, flat[i], flat[i + 1]);
    // Whole pixels: crisp squares, and a screenshot that compresses well.
    ctx.fillRect(Math.round(px - size / 2), Math.round(py - size / 2), size, size);
  }
}

/** Circles around the mixture's centres (radius 3σ: the "high quality" zone). */
export function drawModes(ctx: CanvasRenderingContext2D, modes: readonly (readonly number[])[], std: number): void {
  const r = Math.max(2.5, ((3 * std) / (2 * VIEW)) * ctx.canvas.width);
  ctx.strokeStyle = 'rgba(255,255,255,0.55)';
  ctx.lineWidth = 1;
  for (const m of modes) {
    const [px, py] = toCanvas(ctx.canvas, m[0], m[1]);
    ctx.beginPath();
    ctx.arc(px, py, r, 0, 2 * Math.PI);
    ctx.stroke();
  }
}

/** G's image of the latent grid: rows (z₂ fixed) in orange, columns (z₁ fixed) in blue. */
export function drawTransport(ctx: CanvasRenderingContext2D, flat: Float32Array): void {
  const c = ctx.canvas;
  ctx.lineWidth = 1;
  for (let line = 0; line < 2 * GRID_LINES; line++) {
    const rows = line < GRID_LINES;
    const t = (line % GRID_LINES) / (GRID_LINES - 1);
    // Opaque colours in a few steps: the picture reads the same and compresses far better.
    const q = Math.round(t * 4) / 4;
    ctx.strokeStyle = rows
      ? `rgb(255, ${Math.round(120 + 90 * q)}, ${Math.round(40 + 40 * q)})`
      : `rgb(${Math.round(70 + 60 * q)}, ${Math.round(150 + 60 * q)}, 255)`;
    ctx.beginPath();
    let pen = false;
    for (let p = 0; p < GRID_POINTS; p++) {
      const i = 2 * (line * GRID_POINTS + p);
      const x = flat[i];
      const y = flat[i + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      const [px, py] = toCanvas(c, x, y);
      if (pen) ctx.lineTo(px, py);
      else ctx.moveTo(px, py);
      pen = true;
    }
    ctx.stroke();
  }
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[i];
}

/** Bucket means of a series, at most `n` of them. */
function downsample(values: readonly number[], n: number): number[] {
  if (values.length <= n) return [...values];
  const out: number[] = [];
  for (let b = 0; b < n; b++) {
    const lo = Math.floor((b * values.length) / n);
    const hi = Math.floor(((b + 1) * values.length) / n);
    let s = 0;
    let k = 0;
    for (let i = lo; i < hi; i++)
      if (Number.isFinite(values[i])) {
        s += values[i];
        k++;
      }
    out.push(k ? s / k : NaN);
  }
  return out;
}

/** Loss curves over all steps so far (bucket means), y range from the 1st to 99th percentile. */
export function drawLosses(ctx: CanvasRenderingContext2D, series: { values: readonly number[]; colour: string }[], steps: number): void {
  const c = ctx.canvas;
  clear(ctx);
  const pad = { l: 48, r: 10, t: 10, b: 20 };
  const w = c.width - pad.l - pad.r;
  const h = c.height - pad.t - pad.b;
  const curves = series.map((s) => ({ ...s, points: downsample(s.values, w) }));
  const all = curves
    .flatMap((s) => s.points)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#8a93a8';
  if (!all.length) {
    ctx.fillText('losses appear here once training runs', pad.l, pad.t + h / 2);
    return;
  }
  let lo = quantile(all, 0.01);
  let hi = quantile(all, 0.99);
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const margin = 0.08 * (hi - lo);
  lo -= margin;
  hi += margin;
  const y = (v: number) => pad.t + h - ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * h;
  ctx.strokeStyle = 'rgba(255,255,255,0.1)';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const v of [lo, (lo + hi) / 2, hi]) {
    ctx.moveTo(pad.l, Math.round(y(v)) + 0.5);
    ctx.lineTo(pad.l + w, Math.round(y(v)) + 0.5);
    ctx.fillText(v.toFixed(2), 4, y(v) + 4);
  }
  if (lo < 0 && hi > 0) {
    ctx.moveTo(pad.l, Math.round(y(0)) + 0.5);
    ctx.lineTo(pad.l + w, Math.round(y(0)) + 0.5);
  }
  ctx.stroke();
  ctx.fillText('0', pad.l, c.height - 5);
  const label = `step ${steps}`;
  ctx.fillText(label, pad.l + w - ctx.measureText(label).width, c.height - 5);
  for (const s of curves) {
    ctx.strokeStyle = s.colour;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let pen = false;
    s.points.forEach((v, i) => {
      if (!Number.isFinite(v)) {
        pen = false;
        return;
      }
      const px = pad.l + (s.points.length > 1 ? (i / (s.points.length - 1)) * w : 0);
      if (pen) ctx.lineTo(px, y(v));
      else ctx.moveTo(px, y(v));
      pen = true;
    });
    ctx.stroke();
  }
}
