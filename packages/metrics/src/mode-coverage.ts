import { GankitError } from '@gankit/core';
import { assertFinite, toMatrix, type Rows } from './matrix';

/** Options of {@link modeCoverage}. */
export interface ModeCoverageOptions {
  /**
   * A point is high quality when its distance to the nearest mode is at most `threshold · std`.
   * Default 3 (three standard deviations, as in the unrolled-GAN, VEEGAN and PacGAN papers).
   */
  threshold?: number | undefined;
  /** A mode is captured when at least this many high-quality points are assigned to it. Default 1. */
  minPoints?: number | undefined;
  /** Row length of `points` when they are given as a bare typed array; defaults to the modes' dimension. */
  dim?: number | undefined;
}

/** The result of {@link modeCoverage}. */
export interface ModeCoverageResult {
  /** Number of modes with at least `minPoints` high-quality points assigned to them. */
  modesCaptured: number;
  /** Number of modes (the length of `modes`). */
  numModes: number;
  /** Fraction of all points that are high quality (within `threshold · std` of their nearest mode). */
  highQualityFraction: number;
  /** For each mode, in the order given, the number of high-quality points assigned to it. */
  pointsPerMode: number[];
  /** Number of points evaluated. */
  numPoints: number;
}

/**
 * Mode coverage of generated samples from a known Gaussian mixture (the ring-of-8 and 5×5-grid
 * benchmarks), as defined by Metz et al. 2017 (Unrolled GANs), Srivastava et al. 2017 (VEEGAN)
 * and Lin et al. 2018 (PacGAN):
 *
 * 1. every point is assigned to its nearest mode in Euclidean distance (ties go to the mode
 *    listed first);
 * 2. a point is *high quality* when that distance is at most `threshold · std`
 *    (`threshold` = 3 by default; the comparison is inclusive); a point with a non-finite
 *    coordinate is never high quality;
 * 3. a mode is *captured* when at least `minPoints` (default 1) high-quality points are assigned
 *    to it.
 *
 * Low-quality points are assigned to no mode: `pointsPerMode` sums to the number of high-quality
 * points, and `highQualityFraction` is that number divided by `numPoints`.
 *
 * @param points - generated points, one per row: `number[][]`, a `tf.Tensor2D` `[n, d]` (not
 *   disposed), `{ data, dim }` or a bare row-major typed array (row length = `options.dim` or the
 *   modes' dimension)
 * @param modes - the mixture's component means, one row each, all of dimension `d`
 * @param std - the standard deviation of each mixture component (a positive number)
 * @param options - `threshold` and `minPoints`
 * @throws GankitError when there are no points or modes, the dimensions differ, a mode is not
 *   finite, or `std`, `threshold` or `minPoints` is out of range
 *
 * @example
 * ```ts
 * const modes = ringModes(8, 2);
 * const r = modeCoverage(samples, modes, 0.02); // samples: number[][] or a Tensor2D
 * console.log(`${r.modesCaptured}/${r.numModes} modes, ${(100 * r.highQualityFraction).toFixed(1)}% high quality`);
 * ```
 */
export function modeCoverage(points: Rows, modes: number[][], std: number, options: ModeCoverageOptions = {}): ModeCoverageResult {
  const { threshold = 3, minPoints = 1 } = options;
  if (!(typeof std === 'number' && Number.isFinite(std) && std > 0)) {
    throw new GankitError('value', `modeCoverage: std must be a positive finite number, got ${std}`);
  }
  if (!(typeof threshold === 'number' && Number.isFinite(threshold) && threshold > 0)) {
    throw new GankitError('value', `modeCoverage: threshold must be a positive finite number, got ${threshold}`);
  }
  if (!Number.isInteger(minPoints) || minPoints < 1) {
    throw new GankitError('value', `modeCoverage: minPoints must be an integer >= 1, got ${minPoints}`);
  }
  if (!Array.isArray(modes) || modes.length === 0) {
    throw new GankitError('shape', 'modeCoverage: modes must be a non-empty array of mode centres (number[][])');
  }
  const m = toMatrix(modes, 'modeCoverage (modes)');
  if (m.cols === 0) throw new GankitError('shape', 'modeCoverage: modes have dimension 0');
  assertFinite(m.data, 'modeCoverage (modes)', m.cols);
  const p = toMatrix(points, 'modeCoverage (points)', options.dim ?? m.cols);
  if (p.rows === 0) throw new GankitError('shape', 'modeCoverage: no points to evaluate');
  if (p.cols !== m.cols) {
    throw new GankitError('shape', `modeCoverage: points have dimension ${p.cols} but modes have dimension ${m.cols}`);
  }

  const d = m.cols;
  const k = m.rows;
  const radius = threshold * std;
  const radius2 = radius * radius;
  const counts = new Array<number>(k).fill(0);
  let highQuality = 0;
  for (let i = 0; i < p.rows; i++) {
    const off = i * d;
    let best = -1;
    let bestDist = Infinity;
    for (let j = 0; j < k; j++) {
      const moff = j * d;
      let s = 0;
      for (let c = 0; c < d; c++) {
        const diff = p.data[off + c] - m.data[moff + c];
        s += diff * diff;
      }
      if (s < bestDist) {
        bestDist = s;
        best = j;
      }
    }
    // NaN distances never compare below Infinity, so a non-finite point keeps best = -1.
    if (best >= 0 && bestDist <= radius2) {
      counts[best]++;
      highQuality++;
    }
  }
  let captured = 0;
  for (const c of counts) if (c >= minPoints) captured++;
  return {
    modesCaptured: captured,
    numModes: k,
    highQualityFraction: highQuality / p.rows,
    pointsPerMode: counts,
    numPoints: p.rows,
  };
}

/**
 * Centres of `k` modes evenly spaced on a circle of the given radius around the origin, the first
 * at angle 0 (`[radius, 0]`), going counter-clockwise. `ringModes(8, 2)` is the classic ring of 8.
 *
 * @param k - number of modes (a positive integer)
 * @param radius - the circle's radius (a positive finite number)
 */
export function ringModes(k: number, radius: number): number[][] {
  if (!Number.isInteger(k) || k < 1) throw new GankitError('value', `ringModes: k must be a positive integer, got ${k}`);
  if (!(Number.isFinite(radius) && radius > 0)) {
    throw new GankitError('value', `ringModes: radius must be a positive finite number, got ${radius}`);
  }
  const out: number[][] = [];
  for (let i = 0; i < k; i++) {
    const a = (2 * Math.PI * i) / k;
    out.push([radius * Math.cos(a), radius * Math.sin(a)]);
  }
  return out;
}

/**
 * Centres of a `side × side` square grid of modes with the given spacing, centred on the origin,
 * in row-major order (x varies fastest). `gridModes(5, 2)` is the classic 5×5 grid with
 * coordinates in {-4, -2, 0, 2, 4}.
 *
 * @param side - modes per side (a positive integer)
 * @param spacing - distance between neighbouring modes (a positive finite number)
 */
export function gridModes(side: number, spacing: number): number[][] {
  if (!Number.isInteger(side) || side < 1) {
    throw new GankitError('value', `gridModes: side must be a positive integer, got ${side}`);
  }
  if (!(Number.isFinite(spacing) && spacing > 0)) {
    throw new GankitError('value', `gridModes: spacing must be a positive finite number, got ${spacing}`);
  }
  const half = (side - 1) / 2;
  const out: number[][] = [];
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) out.push([(c - half) * spacing, (r - half) * spacing]);
  }
  return out;
}
