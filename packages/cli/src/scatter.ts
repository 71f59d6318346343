import { PNG } from 'pngjs';

/** A set of 2-D points drawn in one colour. */
export interface PointLayer {
  /** Points as `[x, y]` pairs. */
  readonly points: readonly (readonly number[])[];
  /** RGB colour, 0-255 each. */
  readonly color: readonly [number, number, number];
  /** Square marker size in pixels (default 2). */
  readonly size?: number | undefined;
  /** Opacity 0-1 (default 0.6). */
  readonly alpha?: number | undefined;
}

/** Options of {@link scatterPng}. */
export interface ScatterOptions {
  /** Image width and height in pixels (default 512). */
  readonly size?: number | undefined;
  /** Data range shown on both axes, `[min, max]` (default: fitted to the points with a margin). */
  readonly range?: readonly [number, number] | undefined;
}

/**
 * Renders layers of 2-D points onto a white square PNG with light axes, later layers on top.
 * Returns the encoded PNG bytes.
 */
export function scatterPng(layers: readonly PointLayer[], options: ScatterOptions = {}): Buffer {
  const size = options.size ?? 512;
  let range = options.range;
  if (!range) {
    let m = 1;
    for (const l of layers) for (const p of l.points) m = Math.max(m, Math.abs(p[0]), Math.abs(p[1]));
    range = [-m * 1.15, m * 1.15];
  }
  const [lo, hi] = range;
  const png = new PNG({ width: size, height: size });
  png.data.fill(255);
  const toPx = (v: number) => ((v - lo) / (hi - lo)) * (size - 1);
  const blend = (x: number, y: number, c: readonly number[], a: number) => {
    if (x < 0 || y < 0 || x >= size || y >= size) return;
    const i = (y * size + x) * 4;
    for (let k = 0; k < 3; k++) png.data[i + k] = Math.round(png.data[i + k] * (1 - a) + c[k] * a);
  };
  // axes through the origin
  const ox = Math.round(toPx(0));
  const oy = Math.round(size - 1 - toPx(0));
  for (let t = 0; t < size; t++) {
    blend(ox, t, [200, 200, 200], 1);
    blend(t, oy, [200, 200, 200], 1);
  }
  for (const layer of layers) {
    const s = layer.size ?? 2;
    const a = layer.alpha ?? 0.6;
    for (const p of layer.points) {
      if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) continue;
      const cx = Math.round(toPx(p[0]));
      const cy = Math.round(size - 1 - toPx(p[1]));
      for (let dy = 0; dy < s; dy++) for (let dx = 0; dx < s; dx++) blend(cx + dx - (s >> 1), cy + dy - (s >> 1), layer.color, a);
    }
  }
  return PNG.sync.write(png);
}
