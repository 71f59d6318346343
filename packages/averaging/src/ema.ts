import { GankitError } from '@gankit/core';
import type { JsonValue } from '@gankit/core';
import { WeightAverager, checkNonNegativeInt } from './averager';
import type { AveragingOptions, AveragingPlugin } from './averager';

/** Options of {@link ema}. */
export interface EmaOptions extends AveragingOptions {
  /** The decay β in `θ̂ ← β·θ̂ + (1 − β)·θ`, in [0, 1) (default 0.999). */
  readonly decay?: number | undefined;
  /** Average every `updateEvery`-th iteration from `startStep` on (default 1: every iteration). */
  readonly updateEvery?: number | undefined;
  /**
   * Ramps the decay up over the first averaging updates:
   * `β_t = min(decay, (1 + t) / (r + t))`, where `t` counts the averaging updates made before this
   * one (0 at the first) and `r` is the given number, or 10 for `true` (TensorFlow's
   * `ExponentialMovingAverage` with `num_updates`). `false` (the default) uses `decay` throughout.
   * The ramp reaches `decay` only after `(decay·r − 1)/(1 − decay)` updates (8,990 for 0.999 and
   * r = 10), so in shorter runs a larger `decay` changes nothing: after 1,500 updates `β_t` is
   * 0.994 for any `decay` ≥ 0.995, an average over roughly the last 170 updates.
   */
  readonly rampUp?: boolean | number | undefined;
}

/** An exponential moving average of a network's weights, as a plugin (see {@link ema}). */
export interface EmaPlugin extends AveragingPlugin {
  /** The configured decay β. */
  readonly decay: number;
  /** The decay the next averaging update will use (after any ramp-up). */
  currentDecay(): number;
}

class Ema extends WeightAverager implements EmaPlugin {
  protected readonly kind = 'ema';
  readonly decay: number;
  private readonly updateEvery: number;
  private readonly rampUp: number | null;

  constructor(options: EmaOptions) {
    super('ema', options);
    this.decay = options.decay ?? 0.999;
    if (!(Number.isFinite(this.decay) && this.decay >= 0 && this.decay < 1)) {
      throw new GankitError('config', `${this.name}: decay must be in [0, 1), got ${options.decay}`);
    }
    this.updateEvery = checkNonNegativeInt(options.updateEvery ?? 1, `${this.name}: updateEvery`);
    if (this.updateEvery < 1) throw new GankitError('config', `${this.name}: updateEvery must be at least 1, got ${this.updateEvery}`);
    const r = options.rampUp;
    if (r === true) this.rampUp = 10;
    else if (r == null || r === false) this.rampUp = null;
    else {
      if (!(Number.isFinite(r) && r >= 1))
        throw new GankitError('config', `${this.name}: rampUp must be a boolean or a number >= 1, got ${r}`);
      this.rampUp = r;
    }
  }

  currentDecay(): number {
    return this.decayAt(this.updates);
  }

  private decayAt(t: number): number {
    return this.rampUp == null ? this.decay : Math.min(this.decay, (1 + t) / (this.rampUp + t));
  }

  protected liveWeight(step: number, updatesSoFar: number): number | null {
    if (step < this.startStep) return 1;
    if ((step - this.startStep) % this.updateEvery !== 0) return null;
    return 1 - this.decayAt(updatesSoFar);
  }

  protected settings(): Record<string, JsonValue> {
    return { decay: this.decay, startStep: this.startStep, updateEvery: this.updateEvery, rampUp: this.rampUp };
  }
}

/**
 * Exponential moving average (EMA) of the generator's weights (Yazıcı et al. 2019; Karras et al.):
 * after each generator update, `θ̂ ← β·θ̂ + (1 − β)·θ` for every trainable variable. Sample and
 * evaluate with the average through {@link AveragingPlugin.withAveragedWeights}; training itself
 * keeps using the live weights.
 *
 * - The average starts as a copy of the network at `setup` (or at the first update).
 * - Before `startStep` the average tracks the live weights exactly (it is a copy after every
 *   generator update), so the first averaging update at `startStep` starts from the weights of the
 *   previous update.
 * - From `startStep` on, it averages every `updateEvery`-th iteration and leaves the copy alone
 *   in between.
 * - Non-trainable variables (batch-norm moving statistics, spectral-norm vectors) are copied,
 *   not averaged, at every update.
 * - Runs at order 100, after regularizers.
 *
 * @example
 * ```ts
 * const avg = ema({ decay: 0.999, rampUp: true });
 * const trainer = new Trainer({ ..., plugins: [avg] });
 * // later:
 * const images = avg.withAveragedWeights(generator, () => generator.apply(z, { training: false }));
 * ```
 */
export function ema(options: EmaOptions = {}): EmaPlugin {
  return new Ema(options);
}
