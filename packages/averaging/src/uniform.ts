import type { JsonValue } from '@gankit/core';
import { WeightAverager } from './averager';
import type { AveragingOptions, AveragingPlugin } from './averager';

class UniformAverage extends WeightAverager {
  protected readonly kind = 'uniform';

  constructor(options: AveragingOptions) {
    super('uniform-average', options);
  }

  protected liveWeight(step: number, updatesSoFar: number): number | null {
    if (step < this.startStep) return 1;
    // Running mean: θ̂_k = θ̂_{k-1} + (θ_k − θ̂_{k-1}) / k.
    return 1 / (updatesSoFar + 1);
  }

  protected settings(): Record<string, JsonValue> {
    return { startStep: this.startStep };
  }
}

/**
 * The uniform (Polyak) average of a network's weights: from `startStep` on, the average after the
 * N-th generator update is the arithmetic mean `θ̂ = (θ_n + … + θ_N) / (N − n + 1)` of the weights
 * after each generator update since `startStep`, kept as a running mean
 * `θ̂_k = θ̂_{k−1} + (θ_k − θ̂_{k−1}) / k`. Before `startStep` the average tracks the live weights
 * exactly. Non-trainable variables are copied, not averaged. Runs at order 100.
 *
 * @example
 * ```ts
 * const avg = uniformAverage({ startStep: 5000 });
 * ```
 */
export function uniformAverage(options: AveragingOptions = {}): AveragingPlugin {
  return new UniformAverage(options);
}
