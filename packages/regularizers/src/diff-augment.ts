import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape, type GanPlugin, type RandomSource, type StepContext } from '@gankit/core';

/** A family of transforms of {@link diffAugment}: `'color'`, `'translation'` or `'cutout'`. */
export type DiffAugmentPolicy = 'color' | 'translation' | 'cutout';

/** Every {@link DiffAugmentPolicy}, in the order DiffAugment's authors apply them. */
export const DIFF_AUGMENT_POLICIES: readonly DiffAugmentPolicy[] = Object.freeze(['color', 'translation', 'cutout'] as const);

/** Options of {@link diffAugment}. */
export interface DiffAugmentOptions {
  /** The transform families, applied in this order (default all three: color, translation, cutout). */
  readonly policy?: readonly DiffAugmentPolicy[] | undefined;
  /** Largest translation, as a fraction of the image's height / width (default 0.125). */
  readonly translationRatio?: number | undefined;
  /** Side of the cut-out rectangle, as a fraction of the image's height / width (default 0.5). */
  readonly cutoutRatio?: number | undefined;
  /** The plugin's name (default `'diff-augment'`); it also names its random streams. */
  readonly name?: string | undefined;
}

/** The DiffAugment plugin (see {@link diffAugment}). */
export interface DiffAugmentPlugin extends GanPlugin {
  /** The plugin's name. */
  readonly name: string;
  /** The transform families, in the order applied. */
  readonly policy: readonly DiffAugmentPolicy[];
  /** Largest translation as a fraction of the image size. */
  readonly translationRatio: number;
  /** Cut-out side as a fraction of the image size. */
  readonly cutoutRatio: number;
  /**
   * Augments an NHWC image batch `[batch, height, width, channels]` (float32) with parameters drawn
   * from `random`, each example its own; differentiable with respect to `x`. The caller owns the
   * result.
   *
   * @throws GankitError (`'shape'`, `'dtype'`) when `x` is not a float32 image batch
   */
  augment(x: tf.Tensor, random: RandomSource): tf.Tensor4D;
  /** {@link DiffAugmentPlugin.augment} of the real or fake batch with the run's random source `s.random`. */
  transformDiscriminatorInput(x: tf.Tensor, s: StepContext, source: 'real' | 'fake'): tf.Tensor;
}

/** The number of pixels `ratio` of `size` rounds to (half up, as DiffAugment's reference code). */
function fraction(size: number, ratio: number): number {
  return Math.floor(size * ratio + 0.5);
}

/**
 * Per-example random brightness (+U(−0.5, 0.5)), saturation (×U(0, 2) around each pixel's channel
 * mean) and contrast (×U(0.5, 1.5) around the image's mean), in that order. Each factor is `[b,1,1,1]`.
 * @internal
 */
export function colorTransform(x: tf.Tensor4D, brightness: tf.Tensor, saturation: tf.Tensor, contrast: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => {
    const bright = tf.add(x, brightness);
    const pixelMean = tf.mean(bright, 3, true);
    const saturated = tf.add(tf.mul(tf.sub(bright, pixelMean), saturation), pixelMean);
    const imageMean = tf.mean(saturated, [1, 2, 3], true);
    return tf.add(tf.mul(tf.sub(saturated, imageMean), contrast), imageMean) as tf.Tensor4D;
  });
}

/**
 * One-hot shift matrices `[b, n, n]`: row `i` of example `k` picks element `i − shifts[k]`, or
 * nothing where that falls outside `0 .. n-1` (zero padding). Multiplying by it moves content by
 * `shifts[k]` exactly and is differentiable (its gradient moves it back).
 */
function shiftMatrices(n: number, shifts: readonly number[]): tf.Tensor3D {
  const m = new Float32Array(shifts.length * n * n);
  shifts.forEach((shift, k) => {
    for (let i = 0; i < n; i++) {
      const from = i - shift;
      if (from >= 0 && from < n) m[(k * n + i) * n + from] = 1;
    }
  });
  return tf.tensor3d(m, [shifts.length, n, n]);
}

/**
 * Moves the content of each image `k` by `shifts[k] = [down, right]` pixels (negative: up, left),
 * filling with zeros: `out[k, i, j] = x[k, i − down, j − right]`. Differentiable with respect to `x`.
 * @internal
 */
export function translateImages(x: tf.Tensor4D, shifts: readonly (readonly [number, number])[]): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  return tf.tidy(() => {
    let y: tf.Tensor = x;
    if (shifts.some(([down]) => down !== 0)) {
      const rows = tf.matMul(
        shiftMatrices(
          h,
          shifts.map(([down]) => down),
        ),
        tf.reshape(y, [b, h, w * c]),
      );
      y = tf.reshape(rows, [b, h, w, c]);
    }
    if (shifts.some(([, right]) => right !== 0)) {
      const byColumn = tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [b, w, h * c]);
      const moved = tf.matMul(
        shiftMatrices(
          w,
          shifts.map(([, right]) => right),
        ),
        byColumn,
      );
      y = tf.transpose(tf.reshape(moved, [b, w, h, c]), [0, 2, 1, 3]);
    }
    return (y === x ? tf.clone(x) : y) as tf.Tensor4D;
  });
}

/**
 * A mask `[b, h, w, 1]` of ones with one zero rectangle per example: rows `top .. top+height-1` and
 * columns `left .. left+width-1` of box `k` (clipped to the image).
 * @internal
 */
export function cutoutMask(
  h: number,
  w: number,
  boxes: readonly { top: number; left: number; height: number; width: number }[],
): tf.Tensor4D {
  const m = new Float32Array(boxes.length * h * w).fill(1);
  boxes.forEach(({ top, left, height, width }, k) => {
    for (let i = Math.max(0, top); i < Math.min(h, top + height); i++) {
      for (let j = Math.max(0, left); j < Math.min(w, left + width); j++) m[(k * h + i) * w + j] = 0;
    }
  });
  return tf.tensor4d(m, [boxes.length, h, w, 1]);
}

function checkPolicy(policy: readonly DiffAugmentPolicy[], name: string): readonly DiffAugmentPolicy[] {
  if (!Array.isArray(policy) || policy.length === 0) {
    throw new GankitError('config', `${name}: policy must list at least one of ${DIFF_AUGMENT_POLICIES.join(', ')}`);
  }
  policy.forEach((p, i) => {
    if (!DIFF_AUGMENT_POLICIES.includes(p)) {
      throw new GankitError('config', `${name}: unknown policy '${String(p)}'; expected one of ${DIFF_AUGMENT_POLICIES.join(', ')}`);
    }
    if (policy.indexOf(p) !== i) throw new GankitError('config', `${name}: policy lists '${p}' twice`);
  });
  return Object.freeze([...policy]);
}

function checkRatio(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new GankitError('config', `${what} must be a number in [0, 1], got ${String(value)}`);
  }
  return value;
}

/**
 * DiffAugment (Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN Training"):
 * the same family of random, differentiable transforms is applied to the real and the fake images
 * the discriminator sees, in its updates and the generator's (a `transformDiscriminatorInput`
 * plugin, API version 3), each batch and each example with parameters of its own. D never sees an
 * unaugmented image, so it overfits a small data set less, while the generator is trained through
 * the transforms and still learns the unaugmented distribution.
 *
 * - `'color'`: brightness + U(−0.5, 0.5); saturation × U(0, 2) around each pixel's channel mean;
 *   contrast × U(0.5, 1.5) around the image's mean.
 * - `'translation'`: an integer shift in each direction, uniform in ±round(ratio·size), zero padded.
 * - `'cutout'`: a zeroed rectangle of round(ratio·height) × round(ratio·width) at a uniform
 *   position (clipped at the border), as a multiplicative mask.
 *
 * Inputs are NHWC image batches `[batch, height, width, channels]`; any other shape is refused with
 * a `GankitError` naming it. Draws come from the run's seeded `s.random`, so runs repeat bit for
 * bit and resume exactly.
 *
 * @example
 * ```ts
 * plugins: [diffAugment({ policy: ['color', 'translation', 'cutout'] })]
 * ```
 * @throws GankitError (`'config'`) for an empty, unknown or repeated policy, or a ratio outside [0, 1]
 */
export function diffAugment(options: DiffAugmentOptions = {}): DiffAugmentPlugin {
  const name = options.name ?? 'diff-augment';
  const policy = checkPolicy(options.policy ?? DIFF_AUGMENT_POLICIES, name);
  const translationRatio = checkRatio(options.translationRatio ?? 0.125, `${name}: translationRatio`);
  const cutoutRatio = checkRatio(options.cutoutRatio ?? 0.5, `${name}: cutoutRatio`);

  const augmentBatch = (x: tf.Tensor, random: RandomSource, what: string): tf.Tensor4D => {
    if (!(x instanceof tf.Tensor)) throw new GankitError('argument', `${name}: ${what} must be a tensor`);
    if (x.rank !== 4 || x.shape.some((d) => d < 1)) {
      throw new GankitError(
        'shape',
        `${name}: DiffAugment works on image batches [batch, height, width, channels], but ${what} has shape ${formatShape(x.shape)}`,
      );
    }
    if (x.dtype !== 'float32') throw new GankitError('dtype', `${name}: ${what} must be float32, got ${x.dtype}`);
    const [b, h, w] = x.shape as [number, number, number, number];
    return tf.tidy(() => {
      let y = x as tf.Tensor4D;
      for (const p of policy) {
        if (p === 'color') {
          const brightness = random.uniform([b, 1, 1, 1], -0.5, 0.5, `${name}:brightness`);
          const saturation = random.uniform([b, 1, 1, 1], 0, 2, `${name}:saturation`);
          const contrast = random.uniform([b, 1, 1, 1], 0.5, 1.5, `${name}:contrast`);
          y = colorTransform(y, brightness, saturation, contrast);
        } else if (p === 'translation') {
          const [maxDown, maxRight] = [fraction(h, translationRatio), fraction(w, translationRatio)];
          const next = random.floats(`${name}:translation`);
          const shifts = Array.from(
            { length: b },
            () => [Math.floor(next() * (2 * maxDown + 1)) - maxDown, Math.floor(next() * (2 * maxRight + 1)) - maxRight] as const,
          );
          y = translateImages(y, shifts);
        } else {
          const [height, width] = [fraction(h, cutoutRatio), fraction(w, cutoutRatio)];
          const next = random.floats(`${name}:cutout`);
          // The centre is uniform over the image (one more position when the side is even).
          const boxes = Array.from({ length: b }, () => ({
            top: Math.floor(next() * (h + 1 - (height % 2))) - Math.floor(height / 2),
            left: Math.floor(next() * (w + 1 - (width % 2))) - Math.floor(width / 2),
            height,
            width,
          }));
          y = tf.mul(y, cutoutMask(h, w, boxes));
        }
      }
      return y;
    });
  };

  return {
    name,
    apiVersion: 3,
    policy,
    translationRatio,
    cutoutRatio,
    augment: (x, random) => augmentBatch(x, random, 'the batch'),
    transformDiscriminatorInput: (x, s, source) => augmentBatch(x, s.random, `the ${source} batch`),
  };
}
