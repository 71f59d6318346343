import * as tf from '@tensorflow/tfjs-core';

/** The serialisable state of a {@link RandomSource}: its seed and how many draws it has made. */
export interface RandomState {
  /** The run seed the source was made with. */
  readonly seed: number;
  /** Number of draws made so far; each draw's own seed is derived from (seed, counter, stream). */
  readonly counter: number;
}

const MASK32 = 0xffffffff;

/** A 32-bit integer hash (murmur3's finaliser): mixes every input bit into every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a string stream name to 32 bits (FNV-1a). */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Derives a non-zero 32-bit seed from a run seed, a draw counter and a stream name.
 * Non-zero because tfjs treats a seed of 0 as "no seed".
 */
export function deriveSeed(seed: number, counter: number, stream = ''): number {
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  h = fmix32(h ^ (counter >>> 0));
  h = fmix32(h ^ Math.floor(counter / 2 ** 32));
  h = fmix32(h ^ hashString(stream));
  return h === 0 ? 1 : h;
}

/**
 * A seeded, checkpointable random source: every draw's seed is derived from (run seed, draw counter,
 * stream name), so a run with a given seed repeats bit for bit on the same backend, and restoring
 * {@link RandomSource.state} resumes the exact sequence.
 *
 * tfjs's own random ops treat seed 0 as "no seed" and return the same values for the same seed on
 * every call; this class avoids both traps.
 *
 * @example
 * ```ts
 * const rng = new RandomSource(42);
 * const z = rng.normal([64, 100]); // a fresh draw each call
 * ```
 */
export class RandomSource {
  private seedValue: number;
  private counterValue: number;

  /** @param seed - any finite number; it is reduced to 32 bits. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`RandomSource: seed must be a finite number, got ${seed}`);
    this.seedValue = Math.floor(Math.abs(seed)) % 2 ** 32;
    this.counterValue = 0;
  }

  /** The run seed. */
  get seed(): number {
    return this.seedValue;
  }

  /** Draws made so far. */
  get counter(): number {
    return this.counterValue;
  }

  /** The next draw's 32-bit seed; advances the counter. */
  nextSeed(stream = ''): number {
    const s = deriveSeed(this.seedValue, this.counterValue, stream);
    this.counterValue++;
    return s;
  }

  /** A float32 tensor of standard normal (or `N(mean, std²)`) values. */
  normal(shape: number[], mean = 0, std = 1, stream = 'normal'): tf.Tensor {
    return tf.randomNormal(shape, mean, std, 'float32', this.nextSeed(stream));
  }

  /** A float32 tensor of values uniform in `[min, max)`. */
  uniform(shape: number[], min = 0, max = 1, stream = 'uniform'): tf.Tensor {
    return tf.randomUniform(shape, min, max, 'float32', this.nextSeed(stream));
  }

  /** A JavaScript generator of uniform floats in [0, 1) seeded from this source (mulberry32). */
  floats(stream = 'floats'): () => number {
    let a = this.nextSeed(stream);
    return () => {
      a = (a + 0x6d2b79f5) & MASK32;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** A uniformly random permutation of `0 .. n-1` (Fisher-Yates on a seeded generator). */
  permutation(n: number, stream = 'permutation'): Int32Array {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`RandomSource.permutation: n must be a non-negative integer, got ${n}`);
    const next = this.floats(stream);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** A child source for a separate purpose (e.g. weight initialisation), independent of this one's counter. */
  fork(stream: string): RandomSource {
    return new RandomSource(deriveSeed(this.seedValue, 0xffffffff, `fork:${stream}`));
  }

  /** The state to save in a checkpoint. */
  state(): RandomState {
    return { seed: this.seedValue, counter: this.counterValue };
  }

  /** Restores a state saved by {@link RandomSource.state}. */
  loadState(state: RandomState): void {
    if (!state || !Number.isInteger(state.seed) || !Number.isInteger(state.counter) || state.counter < 0) {
      throw new RangeError(`RandomSource.loadState: expected {seed, counter} non-negative integers, got ${JSON.stringify(state)}`);
    }
    this.seedValue = state.seed >>> 0;
    this.counterValue = state.counter;
  }
}
