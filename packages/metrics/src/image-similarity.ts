// Full-reference image quality: PSNR and SSIM (Wang et al. 2004), in float64 plain TypeScript, for
// paired translation and super-resolution, where each output has a true target.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';

/** Options of {@link structuralSimilarity} and {@link peakSignalToNoiseRatio}. */
export interface ImageSimilarityOptions {
  /** L, the dynamic range of the pixel values (default 2, for images in [-1, 1]; 1 for [0, 1], 255 for bytes). */
  readonly dataRange?: number | undefined;
}

/** Options of {@link structuralSimilarity}. */
export interface StructuralSimilarityOptions extends ImageSimilarityOptions {
  /** Side of the square Gaussian window (default 11, as Wang et al.); at most the image's smaller side. */
  readonly windowSize?: number | undefined;
  /** σ of the Gaussian window (default 1.5). */
  readonly sigma?: number | undefined;
  /** K₁ of C₁ = (K₁L)² (default 0.01). */
  readonly k1?: number | undefined;
  /** K₂ of C₂ = (K₂L)² (default 0.03). */
  readonly k2?: number | undefined;
}

/** A score per image pair and their mean. */
export interface PairedImageScore {
  /** The mean over the image pairs. */
  readonly mean: number;
  /** One score per image pair, in batch order. */
  readonly perImage: number[];
}

function checkPair(a: tf.Tensor, b: tf.Tensor, what: string): { data: [Float32Array, Float32Array]; shape: number[] } {
  for (const [name, t] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (!(t instanceof tf.Tensor) || t.rank !== 4)
      throw new GankitError(
        'shape',
        `${what}: ${name} must be an image batch [n, h, w, c], got ${t instanceof tf.Tensor ? formatShape(t.shape) : String(t)}`,
      );
  }
  if (!tf.util.arraysEqual(a.shape, b.shape))
    throw new GankitError('shape', `${what}: a ${formatShape(a.shape)} and b ${formatShape(b.shape)} must have the same shape`);
  const da = a.dataSync() as Float32Array;
  const db = b.dataSync() as Float32Array;
  for (const [name, d] of [
    ['a', da],
    ['b', db],
  ] as const) {
    for (let i = 0; i < d.length; i++)
      if (!Number.isFinite(d[i])) throw new GankitError('value', `${what}: ${name} holds a non-finite value (${d[i]}) at index ${i}`);
  }
  return { data: [da, db], shape: a.shape };
}

function dataRangeOf(options: ImageSimilarityOptions, what: string): number {
  const L = options.dataRange ?? 2;
  if (typeof L !== 'number' || !(L > 0) || !Number.isFinite(L))
    throw new GankitError('config', `${what}: dataRange must be a positive number, got ${String(L)}`);
  return L;
}

/**
 * The peak signal-to-noise ratio of each image pair, `10·log₁₀(L² / MSE)` in decibels (L the
 * dynamic range), and its mean over the pairs. Identical images give `Infinity`.
 *
 * @param a - images `[n, h, w, c]` (e.g. the outputs)
 * @param b - images of the same shape (e.g. the targets)
 */
export function peakSignalToNoiseRatio(a: tf.Tensor, b: tf.Tensor, options: ImageSimilarityOptions = {}): PairedImageScore {
  const what = 'peakSignalToNoiseRatio';
  const L = dataRangeOf(options, what);
  const { data, shape } = checkPair(a, b, what);
  const per = shape[1] * shape[2] * shape[3];
  const perImage: number[] = [];
  for (let e = 0; e < shape[0]; e++) {
    let sum = 0;
    for (let i = e * per; i < (e + 1) * per; i++) sum += (data[0][i] - data[1][i]) ** 2;
    perImage.push(10 * Math.log10((L * L) / (sum / per)));
  }
  return { mean: perImage.reduce((s, v) => s + v, 0) / perImage.length, perImage };
}

/** The normalised 1-D Gaussian weights of a window of `size` taps. */
function gaussianWeights(size: number, sigma: number): number[] {
  const c = (size - 1) / 2;
  const g = Array.from({ length: size }, (_, i) => Math.exp(-((i - c) ** 2) / (2 * sigma * sigma)));
  const s = g.reduce((x, y) => x + y, 0);
  return g.map((v) => v / s);
}

/**
 * The structural similarity index SSIM (Wang et al. 2004, eqs. 13–16) of each image pair and its
 * mean: at every position of a Gaussian window (11×11, σ = 1.5) lying wholly inside the image
 * ("valid" positions), with the window's weighted means μ, variances σ² and covariance σ_ab,
 * `SSIM = (2μ_aμ_b + C₁)(2σ_ab + C₂) / ((μ_a² + μ_b² + C₁)(σ_a² + σ_b² + C₂))`,
 * `C₁ = (K₁L)²`, `C₂ = (K₂L)²`; averaged over the positions and the channels of an image. 1 means
 * identical images. (The weighted statistics are those of the paper, without the N/(N−1) sample
 * correction some libraries apply.)
 *
 * @param a - images `[n, h, w, c]` (e.g. the outputs)
 * @param b - images of the same shape (e.g. the targets)
 */
export function structuralSimilarity(a: tf.Tensor, b: tf.Tensor, options: StructuralSimilarityOptions = {}): PairedImageScore {
  const what = 'structuralSimilarity';
  const L = dataRangeOf(options, what);
  const { data, shape } = checkPair(a, b, what);
  const [n, h, w, c] = shape;
  const size = options.windowSize ?? 11;
  if (!Number.isInteger(size) || size < 1 || size > Math.min(h, w))
    throw new GankitError(
      'config',
      `${what}: windowSize must be an integer from 1 to the image's smaller side ${Math.min(h, w)}, got ${String(size)}`,
    );
  const sigma = options.sigma ?? 1.5;
  if (typeof sigma !== 'number' || !(sigma > 0) || !Number.isFinite(sigma))
    throw new GankitError('config', `${what}: sigma must be a positive number, got ${String(sigma)}`);
  const k1 = options.k1 ?? 0.01;
  const k2 = options.k2 ?? 0.03;
  for (const [name, k] of [
    ['k1', k1],
    ['k2', k2],
  ] as const)
    if (typeof k !== 'number' || !(k > 0) || !Number.isFinite(k))
      throw new GankitError('config', `${what}: ${name} must be a positive number, got ${String(k)}`);
  const C1 = (k1 * L) ** 2;
  const C2 = (k2 * L) ** 2;
  const g = gaussianWeights(size, sigma);
  const perImage: number[] = [];
  const [da, db] = data;
  for (let e = 0; e < n; e++) {
    let total = 0;
    let count = 0;
    for (let ch = 0; ch < c; ch++) {
      const at = (y: number, x: number) => ((e * h + y) * w + x) * c + ch;
      for (let y0 = 0; y0 + size <= h; y0++) {
        for (let x0 = 0; x0 + size <= w; x0++) {
          let ma = 0;
          let mb = 0;
          let saa = 0;
          let sbb = 0;
          let sab = 0;
          for (let i = 0; i < size; i++) {
            for (let j = 0; j < size; j++) {
              const wt = g[i] * g[j];
              const va = da[at(y0 + i, x0 + j)];
              const vb = db[at(y0 + i, x0 + j)];
              ma += wt * va;
              mb += wt * vb;
              saa += wt * va * va;
              sbb += wt * vb * vb;
              sab += wt * va * vb;
            }
          }
          const varA = saa - ma * ma;
          const varB = sbb - mb * mb;
          const cov = sab - ma * mb;
          total += ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (varA + varB + C2));
          count++;
        }
      }
    }
    perImage.push(total / count);
  }
  return { mean: perImage.reduce((s, v) => s + v, 0) / perImage.length, perImage };
}
