import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape, type RandomSource } from '@gankit/core';

/**
 * A random, differentiable augmentation of an image batch: `augment(x, random)` returns a new
 * `[batch, height, width, channels]` batch with parameters drawn from `random`, each example its
 * own. The caller owns the result.
 */
export type ImageAugment = (x: tf.Tensor, random: RandomSource) => tf.Tensor4D;

/** Options of {@link affineAugment}: the largest value of each random transform. */
export interface AffineAugmentOptions {
  /** Largest rotation, in degrees, either way (default 15). */
  readonly rotation?: number | undefined;
  /** Largest horizontal shear factor (x moves by shear · y), either way (default 0.2). */
  readonly shear?: number | undefined;
  /** Largest change of scale, either way: the scale is uniform in [1 − scale, 1 + scale] (default 0.1). */
  readonly scale?: number | undefined;
  /**
   * Largest shift in each direction, in the coordinates where the image spans [−1, 1] (default
   * 0.1: 5 % of the width, about 1.4 pixels of a 28-pixel digit).
   */
  readonly shift?: number | undefined;
  /** The value of pixels that sample outside the image (default −1: the background of images in [−1, 1]). */
  readonly fill?: number | undefined;
  /** Name of its random stream (default `'affine-augment'`). */
  readonly name?: string | undefined;
}

/**
 * Resamples images `x` `[batch, h, w, c]` bilinearly on the affine grids `theta` `[batch, 2, 3]`:
 * output pixel (i, j) reads `x` at θ·(u_j, v_i, 1)ᵀ, with u and v the column and row coordinates
 * scaled to [−1, 1] (u = −1 at the first column's centre, +1 at the last's), the sampling grid of
 * a spatial transformer (Jaderberg et al. 2015). Points outside the image take `fill` (default 0).
 * Differentiable in `x` and in `theta`; the bilinear weights are written as a floor and its
 * fractional part, so the gradient in `theta` is the neighbours' difference also where every sample
 * falls on a pixel (the identity). Each output pixel gathers its four neighbours: O(h·w·c) per
 * example.
 *
 * @example
 * ```ts
 * // 90° counter-clockwise: output (u, v) reads the input at (−v, u).
 * const rotated = affineSample(images, tf.tensor3d([[[0, -1, 0], [1, 0, 0]]]), -1);
 * ```
 * @throws GankitError (`'shape'`) when `x` is not `[batch, h, w, c]` with h, w ≥ 2, or `theta` is not `[batch, 2, 3]`
 */
export function affineSample(x: tf.Tensor4D, theta: tf.Tensor3D, fill = 0): tf.Tensor4D {
  if (!(x instanceof tf.Tensor) || x.rank !== 4 || x.shape[1] < 2 || x.shape[2] < 2)
    throw new GankitError(
      'shape',
      `affineSample: x must be [batch, h, w, c] with h, w >= 2, got ${x instanceof tf.Tensor ? formatShape(x.shape) : typeof x}`,
    );
  const [b, h, w, c] = x.shape;
  if (!(theta instanceof tf.Tensor) || theta.rank !== 3 || theta.shape[0] !== b || theta.shape[1] !== 2 || theta.shape[2] !== 3)
    throw new GankitError(
      'shape',
      `affineSample: theta must be [${b}, 2, 3] for ${b} images, got ${theta instanceof tf.Tensor ? formatShape(theta.shape) : typeof theta}`,
    );
  if (!Number.isFinite(fill)) throw new GankitError('config', `affineSample: fill must be a finite number, got ${String(fill)}`);
  return tf.tidy(() => {
    // Output pixel coordinates in [-1, 1], one row (u, v, 1) per output pixel, row-major.
    const coords = new Float32Array(h * w * 3);
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const p = (i * w + j) * 3;
        coords[p] = (2 * j) / (w - 1) - 1;
        coords[p + 1] = (2 * i) / (h - 1) - 1;
        coords[p + 2] = 1;
      }
    }
    const grid = tf.tensor2d(coords, [h * w, 3]);
    // Source positions [b, hw, 2] = grid · θᵀ, then in pixel units, flattened to [b·hw].
    const src = tf.matMul(tf.tile(tf.expandDims(grid, 0), [b, 1, 1]), theta, false, true);
    const [su, sv] = tf.split(src, 2, 2);
    const col = tf.reshape(tf.mul(tf.add(su, 1), (w - 1) / 2), [-1]);
    const row = tf.reshape(tf.mul(tf.add(sv, 1), (h - 1) / 2), [-1]);
    // floor(s) carries no gradient; the fractional parts f carry it to theta.
    const col0 = tf.floor(col);
    const row0 = tf.floor(row);
    const fc = tf.sub(col, col0);
    const fr = tf.sub(row, row0);
    // The four corners' rows of the flattened batch [b·h·w, c] (corner-major: all (0, 0) corners,
    // then (0, 1), (1, 0), (1, 1)) and whether each lies inside its image (else its value is
    // fill's), from the floors' values: they carry no gradient. This reads the floors back
    // synchronously (cheap on wasm and cpu; a stall on a GPU backend). Computing the indices with
    // tensor ops instead needs them kept off the gradient tape (tfjs has no stopGradient); left
    // for when a GPU backend trains with it.
    const [r0, c0] = [row0.dataSync(), col0.dataSync()];
    const n = b * h * w;
    const index = new Int32Array(4 * n);
    const inside = new Float32Array(4 * n);
    for (let p = 0; p < n; p++) {
      const start = p - (p % (h * w));
      for (let k = 0; k < 4; k++) {
        const r = r0[p] + (k >> 1);
        const q = c0[p] + (k & 1);
        if (r >= 0 && r <= h - 1 && q >= 0 && q <= w - 1) {
          inside[k * n + p] = 1;
          index[k * n + p] = start + r * w + q;
        }
      }
    }
    // Bilinear weights of the corners, [4·n], zero outside the image.
    const weights = tf.mul(
      tf.concat([tf.mul(tf.sub(1, fr), tf.sub(1, fc)), tf.mul(tf.sub(1, fr), fc), tf.mul(fr, tf.sub(1, fc)), tf.mul(fr, fc)]),
      tf.tensor1d(inside),
    );
    const values = tf.mul(gatherRows(tf.reshape(x, [n, c]), tf.tensor1d(index, 'int32')), tf.expandDims(weights, 1));
    let out: tf.Tensor = tf.sum(tf.reshape(values, [4, n, c]), 0); // [n, c]
    if (fill !== 0) {
      const coverage = tf.sum(tf.reshape(weights, [4, n]), 0); // 1 inside the image
      out = tf.add(out, tf.expandDims(tf.mul(tf.sub(1, coverage), fill), 1));
    }
    return tf.reshape(out, [b, h, w, c]) as tf.Tensor4D;
  });
}

/**
 * Rows `index` of `x` `[n, c]`, with a gradient that adds each row's upstream gradient back into
 * the row it came from (a scatter that sums repeated indices), written with `scatterND` because
 * the wasm backend lacks the `unsortedSegmentSum` kernel of `gather`'s own gradient.
 */
function gatherRows(x: tf.Tensor, index: tf.Tensor1D): tf.Tensor {
  const shape = x.shape;
  const gather = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [rows, save] = args as [tf.Tensor, tf.GradSaveFunc];
    // Kept for the backward pass, which runs after the forward pass's tidy has freed its tensors.
    save([index]);
    return {
      value: tf.gather(rows, index),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.scatterND(tf.expandDims(saved[0], 1), dy, shape),
    };
  });
  return gather(x);
}

function bound(value: number, what: string, max = Number.POSITIVE_INFINITY): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max)
    throw new GankitError('config', `affineAugment: ${what} must be a number in [0, ${max}], got ${String(value)}`);
  return value;
}

/**
 * A random affine augmentation of image batches ({@link ImageAugment}): each example is rotated by
 * an angle uniform in ±`rotation` degrees, sheared horizontally by a factor uniform in ±`shear`,
 * scaled by a factor uniform in 1 ± `scale` and shifted by up to ±`shift` in each direction, and
 * resampled bilinearly ({@link affineSample}; outside the image: `fill`). Its output is
 * differentiable with respect to the images, so a generator can be trained through it. The five
 * numbers of an example are drawn in the order rotation, shear, scale, horizontal and vertical
 * shift, from one stream of `random` per call.
 *
 * What it is for: a term that should not depend on small changes of pose. InfoGAN's `infogan`
 * plugin (`@gankit/trainer`) takes it as `categoricalAugment`, so that Q reads the categorical code
 * from warped fakes and the code cannot come to mean slant or size instead of the kind of digit.
 *
 * @example
 * ```ts
 * const warp = affineAugment({ rotation: 15, shear: 0.2, scale: 0.1, shift: 0.1, fill: -1 });
 * const warped = warp(images, new RandomSource(0));
 * ```
 * @throws GankitError (`'config'`) for a negative or non-finite bound, a rotation over 180° or a scale of 1 or more
 */
export function affineAugment(options: AffineAugmentOptions = {}): ImageAugment {
  const rotation = (bound(options.rotation ?? 15, 'rotation', 180) * Math.PI) / 180;
  const shear = bound(options.shear ?? 0.2, 'shear');
  const scale = bound(options.scale ?? 0.1, 'scale', 0.99);
  const shift = bound(options.shift ?? 0.1, 'shift');
  const fill = options.fill ?? -1;
  if (!Number.isFinite(fill)) throw new GankitError('config', `affineAugment: fill must be a finite number, got ${String(fill)}`);
  const stream = options.name ?? 'affine-augment';
  return (x, random) => {
    if (!(x instanceof tf.Tensor) || x.rank !== 4)
      throw new GankitError(
        'shape',
        `affineAugment: expected an image batch [batch, height, width, channels], got ${x instanceof tf.Tensor ? formatShape(x.shape) : typeof x}`,
      );
    if (x.dtype !== 'float32') throw new GankitError('dtype', `affineAugment: the images must be float32, got ${x.dtype}`);
    const n = x.shape[0];
    const next = random.floats(stream);
    const uniform = (max: number) => (2 * next() - 1) * max;
    const theta = new Float32Array(n * 6);
    for (let i = 0; i < n; i++) {
      const a = uniform(rotation);
      const sh = uniform(shear);
      const s = 1 + uniform(scale);
      const tx = uniform(shift);
      const ty = uniform(shift);
      const [cos, sin] = [Math.cos(a), Math.sin(a)];
      // s · R(a) · [[1, sh], [0, 1]], then the shift.
      theta.set([s * cos, s * (cos * sh - sin), tx, s * sin, s * (sin * sh + cos), ty], i * 6);
    }
    return tf.tidy(() => affineSample(x as tf.Tensor4D, tf.tensor3d(theta, [n, 2, 3]), fill));
  };
}
