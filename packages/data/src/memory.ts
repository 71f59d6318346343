import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { Batch, DataSource, JsonValue, RandomSource } from '@gankit/core';
import { EpochOrder } from './order';
import type { EpochState } from './order';

/**
 * The range raw values come from, for {@link scaleToMinusOneOne}: `'byte'` is [0, 255], `'unit'`
 * is [0, 1], or an explicit `[min, max]`.
 */
export type ValueRange = 'byte' | 'unit' | readonly [number, number];

function rangeOf(from: ValueRange): [number, number] {
  if (from === 'byte') return [0, 255];
  if (from === 'unit') return [0, 1];
  if (Array.isArray(from) && from.length === 2 && Number.isFinite(from[0]) && Number.isFinite(from[1]) && from[1] > from[0]) {
    return [from[0], from[1]];
  }
  throw new GankitError(
    'data',
    `scaleToMinusOneOne: range must be 'byte', 'unit' or [min, max] with min < max, got ${JSON.stringify(from)}`,
  );
}

/**
 * Maps values linearly from a range (default [0, 255]) onto [-1, 1], the range of a tanh generator.
 * An array gives a new Float32Array; a tensor gives a new float32 tensor (the input is not disposed).
 *
 * @example
 * ```ts
 * scaleToMinusOneOne(new Uint8Array([0, 255]));         // Float32Array [-1, 1]
 * scaleToMinusOneOne([0, 0.5, 1], 'unit');              // Float32Array [-1, 0, 1]
 * ```
 */
export function scaleToMinusOneOne(values: tf.Tensor, from?: ValueRange): tf.Tensor;
export function scaleToMinusOneOne(values: ArrayLike<number>, from?: ValueRange): Float32Array;
export function scaleToMinusOneOne(values: tf.Tensor | ArrayLike<number>, from: ValueRange = 'byte'): tf.Tensor | Float32Array {
  const [lo, hi] = rangeOf(from);
  const a = 2 / (hi - lo);
  const b = -1 - lo * a;
  if (values instanceof tf.Tensor) {
    return tf.tidy(() => tf.add(tf.mul(tf.cast(values, 'float32'), a), b));
  }
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] * a + b;
  return out;
}

/**
 * Maps values in [-1, 1] to bytes in [0, 255] (rounded, clamped): the inverse of
 * `scaleToMinusOneOne(x, 'byte')`, for writing generated images.
 */
export function minusOneOneToBytes(values: ArrayLike<number>): Uint8ClampedArray {
  const out = new Uint8ClampedArray(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round((values[i] + 1) * 127.5);
  return out;
}

/** Options of {@link tensorDataset}. */
export interface TensorDatasetOptions {
  /**
   * All examples, `[size, ...shape]` flattened in row-major order, or a tensor whose first axis is
   * the example axis. A Float32Array is kept (not copied) when no scaling is asked for; a tensor is
   * read once and not disposed.
   */
  x: Float32Array | tf.Tensor | ArrayLike<number>;
  /** Shape of one example; may be left out when `x` is a tensor (its shape without the first axis). */
  shape?: readonly number[] | undefined;
  /** One integer class label per example, in `[0, numClasses)`, for conditional models. */
  labels?: Int32Array | ArrayLike<number> | tf.Tensor | undefined;
  /** Number of classes; defaults to the largest label + 1. */
  numClasses?: number | undefined;
  /** Name for logs and errors. Default `'tensors'`. */
  name?: string | undefined;
  /** Reshuffle the examples every epoch (seeded by the RandomSource given to `nextBatch`). Default `true`. */
  shuffle?: boolean | undefined;
  /** Rescale `x` onto [-1, 1] from this range first (`'byte'` = [0, 255], `'unit'` = [0, 1]). Default: no scaling. */
  scale?: ValueRange | undefined;
}

/**
 * A finite data set held in memory as one Float32Array: reshuffled every epoch from the given
 * `RandomSource`, batches that wrap across epochs, optional int32 labels, and a
 * {@link InMemoryDataset.state | state} from which a restored data set continues in the exact same order.
 */
export class InMemoryDataset implements DataSource {
  /** Name for logs and errors. */
  readonly name: string;
  /** Shape of one example. */
  readonly sampleShape: readonly number[];
  /** Number of examples. */
  readonly size: number;
  /** Number of classes when the data set has labels. */
  readonly numClasses?: number | undefined;
  /** All examples, `[size, ...sampleShape]` in row-major order (do not modify). */
  readonly data: Float32Array;
  /** The labels, one per example, when the data set has them (do not modify). */
  readonly labels?: Int32Array | undefined;
  private readonly exampleSize: number;
  private readonly order: EpochOrder;

  /** @param options - see {@link TensorDatasetOptions}. */
  constructor(options: TensorDatasetOptions) {
    const name = options.name ?? 'tensors';
    this.name = name;
    let shape = options.shape;
    let raw: ArrayLike<number>;
    if (options.x instanceof tf.Tensor) {
      const t = options.x;
      if (t.rank < 1) throw new GankitError('data', `${name}: x must have an example axis, got a scalar`);
      if (!shape) shape = t.shape.slice(1);
      raw = t.dataSync() as ArrayLike<number>;
    } else {
      raw = options.x;
      if (!shape) throw new GankitError('data', `${name}: \`shape\` (the shape of one example) is required when x is an array`);
    }
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new GankitError('data', `${name}: example shape must be positive integers, got ${JSON.stringify(shape)}`);
    }
    const exampleSize = shape.reduce((p, d) => p * d, 1);
    if (raw.length === 0) throw new GankitError('data', `${name}: the data set is empty (x has 0 values)`);
    if (raw.length % exampleSize !== 0) {
      throw new GankitError(
        'data',
        `${name}: x has ${raw.length} values, not a multiple of the example shape ${formatShape(shape)} (${exampleSize} values each)`,
      );
    }
    const size = raw.length / exampleSize;
    let data: Float32Array;
    if (options.scale !== undefined) data = scaleToMinusOneOne(raw, options.scale);
    else data = raw instanceof Float32Array ? raw : Float32Array.from(raw);
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        throw new GankitError('data', `${name}: x holds a non-finite value (${data[i]}) in example ${Math.floor(i / exampleSize)}`);
      }
    }
    this.sampleShape = [...shape];
    this.exampleSize = exampleSize;
    this.size = size;
    this.data = data;
    if (options.labels !== undefined) {
      const { labels, numClasses } = checkLabels(name, options.labels, size, options.numClasses);
      this.labels = labels;
      this.numClasses = numClasses;
    } else if (options.numClasses !== undefined) {
      throw new GankitError('data', `${name}: numClasses is ${options.numClasses} but no labels were given`);
    }
    this.order = new EpochOrder(size, options.shuffle ?? true, name);
  }

  /** The current epoch, counted from 0. */
  get epoch(): number {
    return this.order.epoch;
  }

  /** The next `batchSize` examples in this epoch's order (wrapping into the next epoch). */
  nextBatch(batchSize: number, random: RandomSource): Batch {
    return this.batchAt(this.order.next(batchSize, random));
  }

  /** The examples at the given indices, as a batch (does not move the position). */
  batchAt(indices: ArrayLike<number>): Batch {
    const n = indices.length;
    if (n === 0) throw new GankitError('data', `${this.name}: batchAt needs at least one index`);
    const e = this.exampleSize;
    const out = new Float32Array(n * e);
    const lab = this.labels ? new Int32Array(n) : null;
    for (let i = 0; i < n; i++) {
      const k = indices[i];
      if (!Number.isInteger(k) || k < 0 || k >= this.size) {
        throw new GankitError('data', `${this.name}: index ${k} is out of range [0, ${this.size})`);
      }
      out.set(this.data.subarray(k * e, (k + 1) * e), i * e);
      if (lab) lab[i] = this.labels![k];
    }
    const x = tf.tensor(out, [n, ...this.sampleShape], 'float32');
    return lab ? { x, labels: tf.tensor1d(lab, 'int32') } : { x };
  }

  /** `{epoch, position, seed}`: where the order stands, for checkpoints. */
  state(): EpochState {
    return this.order.state();
  }

  /** Restores a state saved by {@link InMemoryDataset.state}; the next batches repeat the saved run's. */
  loadState(state: JsonValue): void {
    this.order.loadState(state);
  }
}

/** Validates labels: one integer per example, in `[0, numClasses)`. */
export function checkLabels(
  name: string,
  input: Int32Array | ArrayLike<number> | tf.Tensor,
  size: number,
  numClasses?: number,
): { labels: Int32Array; numClasses: number } {
  const raw = input instanceof tf.Tensor ? (input.dataSync() as ArrayLike<number>) : input;
  if (input instanceof tf.Tensor && input.rank !== 1) {
    throw new GankitError('data', `${name}: labels must be a 1-D tensor, got shape ${formatShape(input.shape)}`);
  }
  if (raw.length !== size) {
    throw new GankitError('data', `${name}: got ${raw.length} labels for ${size} examples; expected one label per example`);
  }
  if (numClasses !== undefined && (!Number.isInteger(numClasses) || numClasses <= 0)) {
    throw new GankitError('data', `${name}: numClasses must be a positive integer, got ${numClasses}`);
  }
  const labels = new Int32Array(size);
  let max = 0;
  for (let i = 0; i < size; i++) {
    const v = raw[i];
    if (!Number.isInteger(v) || v < 0 || (numClasses !== undefined && v >= numClasses)) {
      const range = numClasses !== undefined ? `[0, ${numClasses})` : 'the non-negative integers';
      throw new GankitError('data', `${name}: label ${i} is ${v}, outside ${range}`);
    }
    labels[i] = v;
    if (v > max) max = v;
  }
  return { labels, numClasses: numClasses ?? max + 1 };
}

/**
 * An in-memory data set from arrays or tensors.
 *
 * @example
 * ```ts
 * const ds = tensorDataset({ x: pixels, shape: [28, 28, 1], labels, scale: 'byte', name: 'digits' });
 * const { x, labels: y } = ds.nextBatch(64, new RandomSource(0)); // x: [64, 28, 28, 1] in [-1, 1]
 * ```
 */
export function tensorDataset(options: TensorDatasetOptions): InMemoryDataset {
  return new InMemoryDataset(options);
}
