import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type GanPlugin, type StepContext } from '@gankit/core';
import { checkBatch, checkNonNegative } from './input-gradients';

/** Options of {@link instanceNoise}. */
export interface InstanceNoiseOptions {
  /** Standard deviation σ of the Gaussian noise at step 0 (default 0.1; 0 turns the plugin off). */
  readonly std?: number | undefined;
  /**
   * Linear annealing: σ falls from `std` at step 0 to 0 at step `steps` and stays 0 after
   * (`σ(t) = std·max(0, 1 − t/steps)`). Default: no annealing, σ = `std` throughout.
   */
  readonly anneal?: { readonly steps: number } | undefined;
  /** The plugin's name (default `'instance-noise'`); it also names its random streams. */
  readonly name?: string | undefined;
}

/** The instance-noise plugin (see {@link instanceNoise}). */
export interface InstanceNoisePlugin extends GanPlugin {
  /** The plugin's name. */
  readonly name: string;
  /** σ at step 0. */
  readonly std: number;
  /** The iterations over which σ falls to 0, or `undefined` when σ is constant. */
  readonly annealSteps: number | undefined;
  /** σ at iteration `step` (counted from 0). */
  stdAt(step: number): number;
  /** Returns `x + N(0, σ²)` (σ = {@link InstanceNoisePlugin.stdAt} of `s.step`), or `x` itself when σ is 0. */
  transformDiscriminatorInput(x: tf.Tensor, s: StepContext, source: 'real' | 'fake'): tf.Tensor;
}

/**
 * Instance noise (Sønderby et al. 2016; Arjovsky & Bottou 2017): adds independent Gaussian noise
 * `N(0, σ²)` to every value of the real and the fake batch the discriminator sees in the
 * adversarial terms, in the discriminator's and the generator's updates (a
 * `transformDiscriminatorInput` plugin, API version 3). Blurring both distributions makes their
 * supports overlap, so D cannot separate them perfectly and its gradients stay informative; the
 * noise is usually annealed to 0 as training goes on (`anneal: { steps }`).
 *
 * The noise is drawn from the run's seeded random source (`s.random`, one draw per batch), so runs
 * repeat bit for bit and resume exactly; adding it is differentiable, so the generator is trained
 * through it. It does not apply to `s.discriminate` (what R1 and the gradient penalty use).
 *
 * @example
 * ```ts
 * plugins: [instanceNoise({ std: 0.1, anneal: { steps: 5000 } })]
 * ```
 * @throws GankitError (`'config'`) when `std` is negative or not finite, or `anneal.steps` is not
 * an integer >= 1
 */
export function instanceNoise(options: InstanceNoiseOptions = {}): InstanceNoisePlugin {
  const name = options.name ?? 'instance-noise';
  const std = checkNonNegative(options.std ?? 0.1, `${name}: std`);
  const annealSteps = options.anneal === undefined ? undefined : options.anneal.steps;
  if (annealSteps !== undefined && (!Number.isInteger(annealSteps) || annealSteps < 1)) {
    throw new GankitError('config', `${name}: anneal.steps must be an integer >= 1, got ${String(annealSteps)}`);
  }
  const stdAt = (step: number): number => (annealSteps === undefined ? std : std * Math.max(0, 1 - step / annealSteps));
  return {
    name,
    apiVersion: 3,
    std,
    annealSteps,
    stdAt,
    transformDiscriminatorInput(x: tf.Tensor, s: StepContext, source: 'real' | 'fake'): tf.Tensor {
      checkBatch(x, `${name}: the ${source} batch`);
      const sigma = stdAt(s.step);
      if (sigma === 0) return x;
      return tf.tidy(() => tf.add(x, s.random.normal(x.shape, 0, sigma, `${name}:${source}`)));
    },
  };
}
