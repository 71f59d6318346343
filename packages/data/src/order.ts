import { GankitError, RandomSource } from '@gankit/core';
import type { JsonValue } from '@gankit/core';

/**
 * Where a finite data set stands in its order: the epoch (counted from 0), the number of examples of
 * that epoch already served, and the seed of the epoch's permutation (`null` before the first batch,
 * or when the data set is not shuffled). Saved in checkpoints for an exact resume. (A type alias, not
 * an interface, so that it is assignable to `JsonValue`.)
 */
export type EpochState = {
  /** The current epoch, counted from 0. */
  readonly epoch: number;
  /** Examples of the current epoch already served (0 .. size). */
  readonly position: number;
  /** Seed of the current epoch's permutation; `null` when unshuffled or before the first batch. */
  readonly seed: number | null;
};

/**
 * The example order of a finite data set: a fresh seeded permutation every epoch, batches that wrap
 * from one epoch into the next, and a state from which the exact order continues.
 */
export class EpochOrder {
  private epochValue = 0;
  private positionValue = 0;
  private seedValue: number | null = null;
  private order: Int32Array | null = null;

  /**
   * @param size - number of examples (positive)
   * @param shuffle - reshuffle every epoch (else the natural order 0 .. size-1)
   * @param name - the data set's name, for errors and the random stream
   */
  constructor(
    readonly size: number,
    readonly shuffle: boolean,
    readonly name: string,
  ) {
    if (!Number.isInteger(size) || size <= 0) throw new GankitError('data', `${name}: the data set is empty (0 examples)`);
  }

  /** The current epoch, counted from 0. */
  get epoch(): number {
    return this.epochValue;
  }

  /** Examples of the current epoch already served. */
  get position(): number {
    return this.positionValue;
  }

  private startEpoch(random: RandomSource | null): void {
    if (this.shuffle) {
      if (!random) throw new GankitError('data', `${this.name}: a RandomSource is needed to shuffle`);
      this.seedValue = random.nextSeed(`data:${this.name}:epoch`);
      this.order = new RandomSource(this.seedValue).permutation(this.size);
    } else {
      this.seedValue = null;
      this.order = null;
    }
  }

  /**
   * The indices of the next `batchSize` examples. When the current epoch runs out, the batch is
   * completed from the next epoch's (fresh) permutation.
   */
  next(batchSize: number, random: RandomSource): Int32Array {
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new GankitError('data', `${this.name}: batch size must be a positive integer, got ${batchSize}`);
    }
    if (batchSize > this.size) {
      throw new GankitError(
        'data',
        `${this.name}: batch size ${batchSize} is larger than the data set (${this.size} examples); use a batch of at most ${this.size}`,
      );
    }
    const out = new Int32Array(batchSize);
    let filled = 0;
    while (filled < batchSize) {
      if (this.positionValue === this.size) {
        this.epochValue++;
        this.positionValue = 0;
        this.startEpoch(random);
      } else if (this.shuffle && this.order === null) {
        this.startEpoch(random);
      }
      const take = Math.min(batchSize - filled, this.size - this.positionValue);
      for (let i = 0; i < take; i++) {
        const p = this.positionValue + i;
        out[filled + i] = this.order ? this.order[p] : p;
      }
      filled += take;
      this.positionValue += take;
    }
    return out;
  }

  /** The position to save in a checkpoint. */
  state(): EpochState {
    return { epoch: this.epochValue, position: this.positionValue, seed: this.seedValue };
  }

  /** Restores a position saved by {@link EpochOrder.state}. */
  loadState(state: JsonValue): void {
    const s = state as Partial<Record<keyof EpochState, unknown>> | null;
    const ok =
      s !== null &&
      typeof s === 'object' &&
      Number.isInteger(s.epoch) &&
      (s.epoch as number) >= 0 &&
      Number.isInteger(s.position) &&
      (s.position as number) >= 0 &&
      (s.position as number) <= this.size &&
      (s.seed === null || (Number.isInteger(s.seed) && (s.seed as number) >= 0));
    if (!ok) {
      throw new GankitError(
        'data',
        `${this.name}: expected a state {epoch, position (0..${this.size}), seed (integer or null)}, got ${JSON.stringify(state)}`,
      );
    }
    if (this.shuffle && s!.seed === null && (s!.position as number) > 0) {
      throw new GankitError('data', `${this.name}: a shuffled data set's state needs the permutation seed, got ${JSON.stringify(state)}`);
    }
    this.epochValue = s!.epoch as number;
    this.positionValue = s!.position as number;
    this.seedValue = this.shuffle ? (s!.seed as number | null) : null;
    this.order = this.seedValue !== null ? new RandomSource(this.seedValue).permutation(this.size) : null;
  }
}
