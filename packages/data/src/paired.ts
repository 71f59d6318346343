// Paired examples (input, target) for paired image-to-image translation (pix2pix, Isola et al.
// 2017) and super-resolution (SRGAN, Ledig et al. 2017): two aligned data sources over one order.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';
import type { Batch, DataSource, JsonValue, RandomSource } from '@gankit/core';
import { scaleToMinusOneOne } from './memory';
import type { ValueRange } from './memory';
import { EpochOrder } from './order';

/** Options of {@link pairedDataset}. */
export interface PairedDatasetOptions {
  /** The inputs, `[size, ...inputShape]` flattened in row-major order. */
  readonly inputs: Float32Array | ArrayLike<number>;
  /** Shape of one input (e.g. `[7, 7, 1]`). */
  readonly inputShape: readonly number[];
  /** The targets, `[size, ...targetShape]`, in the inputs' order (target i belongs to input i). */
  readonly targets: Float32Array | ArrayLike<number>;
  /** Shape of one target (e.g. `[28, 28, 1]`). */
  readonly targetShape: readonly number[];
  /** Rescale both onto [-1, 1] from this range first (`'byte'`, `'unit'` or `[min, max]`). Default: no scaling. */
  readonly scale?: ValueRange | undefined;
  /** Reshuffle the pairs every epoch (default `true`). */
  readonly shuffle?: boolean | undefined;
  /** Name for logs and errors (default `'pairs'`); the views are `<name>/inputs` and `<name>/targets`. */
  readonly name?: string | undefined;
}

/** One draw of pairs: an input batch and the aligned target batch. The caller disposes both. */
export interface PairBatch {
  /** Inputs `[n, ...inputShape]`. */
  readonly input: tf.Tensor;
  /** Targets `[n, ...targetShape]`, target i belonging to input i. */
  readonly target: tf.Tensor;
}

function checkShape(shape: readonly number[], what: string): number {
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new GankitError('data', `${what} must be a list of positive integers, got ${JSON.stringify(shape)}`);
  }
  return shape.reduce((p, d) => p * d, 1);
}

/**
 * Aligned pairs held in memory, served as `DataSource` views (of `@gankit/core`) over **one** order
 * ({@link PairedDataset.inputs}, {@link PairedDataset.targets} and {@link PairedDataset.packed}):
 * a game draws every data set once per update, and the first view drawn takes the next pairs of
 * the shared order while the others, drawn after it, return their halves of the same pairs. So a
 * game that declares `data: { input: pairs.inputs, target: pairs.targets }` and lets a generator
 * take `{ kind: 'data', data: 'input' }` (as CycleGAN's generators take the other domain) trains on
 * aligned pairs: the discriminator's real batch is the targets of the very inputs G translated. A
 * view drawn fewer times than another, or with another batch size, gives a clear error instead of
 * misaligned pairs. Each view's `state` is the shared order's, for checkpoints.
 */
export class PairedDataset {
  /** Name for logs and errors. */
  readonly name: string;
  /** Number of pairs. */
  readonly size: number;
  /** Shape of one input. */
  readonly inputShape: readonly number[];
  /** Shape of one target. */
  readonly targetShape: readonly number[];
  /** All inputs, `[size, ...inputShape]` (do not modify). */
  readonly inputData: Float32Array;
  /** All targets, `[size, ...targetShape]` (do not modify). */
  readonly targetData: Float32Array;
  /** The inputs as a data source (see the class description). */
  readonly inputs: DataSource;
  /** The targets as a data source, aligned with {@link PairedDataset.inputs}. */
  readonly targets: DataSource;
  private readonly order: EpochOrder;
  /** The pairs last drawn from the order, and which draw they were. */
  private drawn: { indices: Int32Array; generation: number } | null = null;
  /** The draw each view last served. */
  private readonly served = new Map<string, number>();
  private packedView: DataSource | null = null;

  /** @param options - see {@link PairedDatasetOptions} */
  constructor(options: PairedDatasetOptions) {
    const name = options.name ?? 'pairs';
    this.name = name;
    const inSize = checkShape(options.inputShape, `${name}: inputShape`);
    const outSize = checkShape(options.targetShape, `${name}: targetShape`);
    const toArray = (v: Float32Array | ArrayLike<number>) =>
      options.scale !== undefined ? scaleToMinusOneOne(v, options.scale) : v instanceof Float32Array ? v : Float32Array.from(v);
    this.inputData = toArray(options.inputs);
    this.targetData = toArray(options.targets);
    for (const [what, data, per] of [
      ['inputs', this.inputData, inSize],
      ['targets', this.targetData, outSize],
    ] as const) {
      if (data.length === 0 || data.length % per !== 0)
        throw new GankitError('data', `${name}: ${what} hold ${data.length} values, not a whole number of examples of ${per}`);
      for (let i = 0; i < data.length; i++) {
        if (!Number.isFinite(data[i]))
          throw new GankitError('data', `${name}: ${what} hold a non-finite value (${data[i]}) in example ${Math.floor(i / per)}`);
      }
    }
    const count = this.inputData.length / inSize;
    const targetCount = this.targetData.length / outSize;
    if (count !== targetCount)
      throw new GankitError('data', `${name}: ${count} inputs but ${targetCount} targets; every input needs exactly one target`);
    this.size = count;
    this.inputShape = [...options.inputShape];
    this.targetShape = [...options.targetShape];
    this.order = new EpochOrder(count, options.shuffle ?? true, name);
    this.inputs = this.view('inputs', this.inputShape, this.inputData, inSize);
    this.targets = this.view('targets', this.targetShape, this.targetData, outSize);
  }

  /**
   * The pairs packed as a conditional discriminator judges them, `[H, W, c' + c]`: each target's
   * channels followed by its input's, the input upsampled by nearest neighbour to the target's size
   * (the layout of `packPair` of `@gankit/architectures`, pix2pix's D(x, y)). A third view over the
   * same order: a pix2pix game's discriminator draws real pairs from it while the generator takes
   * {@link PairedDataset.inputs}. Needs image shapes `[h, w, c]` with the target a whole multiple of
   * the input in height and width.
   */
  get packed(): DataSource {
    if (this.packedView) return this.packedView;
    const [h, w, c] = this.inputShape;
    const [H, W, t] = this.targetShape;
    const k = H / h;
    if (this.inputShape.length !== 3 || this.targetShape.length !== 3 || !Number.isInteger(k) || W / w !== k) {
      throw new GankitError(
        'data',
        `${this.name}: packed pairs need images [h, w, c] with the target a whole multiple of the input, got ${JSON.stringify(this.inputShape)} and ${JSON.stringify(this.targetShape)}`,
      );
    }
    const per = H * W * (t + c);
    const packed = new Float32Array(this.size * per);
    for (let e = 0; e < this.size; e++) {
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const o = e * per + (y * W + x) * (t + c);
          packed.set(this.targetData.subarray(e * H * W * t + (y * W + x) * t, e * H * W * t + (y * W + x + 1) * t), o);
          const src = e * h * w * c + (Math.floor(y / k) * w + Math.floor(x / k)) * c;
          packed.set(this.inputData.subarray(src, src + c), o + t);
        }
      }
    }
    this.packedView = this.view('packed', [H, W, t + c], packed, per);
    return this.packedView;
  }

  /** The pairs at the given indices (does not move the order). */
  batchAt(indices: ArrayLike<number>): PairBatch {
    const n = indices.length;
    if (n === 0) throw new GankitError('data', `${this.name}: batchAt needs at least one index`);
    for (let i = 0; i < n; i++) {
      const k = indices[i];
      if (!Number.isInteger(k) || k < 0 || k >= this.size)
        throw new GankitError('data', `${this.name}: index ${k} is out of range [0, ${this.size})`);
    }
    return {
      input: gather(this.inputData, indices, this.inputShape),
      target: gather(this.targetData, indices, this.targetShape),
    };
  }

  private indicesFor(view: string, batchSize: number, random: RandomSource): Int32Array {
    const last = this.served.get(view);
    const current = this.drawn;
    if (current && last !== undefined && last < current.generation - 1) {
      throw new GankitError(
        'data',
        `${this.name}: the ${view} were drawn fewer times than another view; draw every view in use once per batch (all in the game's data) to keep the pairs aligned`,
      );
    }
    if (current && last !== current.generation) {
      if (current.indices.length !== batchSize) {
        throw new GankitError(
          'data',
          `${this.name}: the ${view} were asked for ${batchSize} examples but another view drew ${current.indices.length}; draw every view with the same batch size`,
        );
      }
      this.served.set(view, current.generation);
      return current.indices;
    }
    // This view has had the current pairs (or none were drawn yet): the next pairs of the order.
    this.drawn = { indices: this.order.next(batchSize, random), generation: (current?.generation ?? 0) + 1 };
    this.served.set(view, this.drawn.generation);
    return this.drawn.indices;
  }

  private view(which: string, shape: readonly number[], data: Float32Array, per: number): DataSource {
    const self = this;
    return {
      name: `${this.name}/${which}`,
      sampleShape: shape,
      size: this.size,
      nextBatch(batchSize: number, random: RandomSource): Batch {
        const idx = self.indicesFor(which, batchSize, random);
        return { x: gather(data, idx, shape, per) };
      },
      state(): JsonValue {
        return self.order.state();
      },
      loadState(state: JsonValue): void {
        self.order.loadState(state);
        self.drawn = null;
        self.served.clear();
      },
    };
  }
}

function gather(
  data: Float32Array,
  indices: ArrayLike<number>,
  shape: readonly number[],
  per = shape.reduce((p, d) => p * d, 1),
): tf.Tensor {
  const out = new Float32Array(indices.length * per);
  for (let i = 0; i < indices.length; i++) out.set(data.subarray(indices[i] * per, (indices[i] + 1) * per), i * per);
  return tf.tensor(out, [indices.length, ...shape], 'float32');
}

/**
 * Paired examples in memory: see {@link PairedDataset}.
 *
 * @example
 * ```ts
 * const pairs = pairedDataset({ inputs: small, inputShape: [7, 7, 1], targets: digits, targetShape: [28, 28, 1], scale: 'byte' });
 * const game = { ..., data: { input: pairs.inputs, target: pairs.targets } };
 * ```
 */
export function pairedDataset(options: PairedDatasetOptions): PairedDataset {
  return new PairedDataset(options);
}
