import * as tf from '@tensorflow/tfjs-core';
import type { GanPlugin, StepContext } from '@gankit/core';
import { checkBatch, checkNonNegative, inputGradientSquaredNorms } from './input-gradients';

/** Options of {@link r1} and {@link r2}. */
export interface GradientRegularizerOptions {
  /** Weight γ of the penalty `γ/2·E‖∇D‖²` (default 10). */
  readonly gamma?: number | undefined;
  /** The plugin's name (default `'r1'` or `'r2'`). */
  readonly name?: string | undefined;
}

/** The R1 or R2 plugin (see {@link r1}, {@link r2}). */
export interface GradientRegularizerPlugin extends GanPlugin {
  /** The plugin's name. */
  readonly name: string;
  /** The penalty's weight γ. */
  readonly gamma: number;
  /** The term `{ penalty }` added to the discriminator's loss. */
  discriminatorLoss(s: StepContext): Record<string, tf.Scalar>;
}

function zeroCentred(defaultName: string, on: 'real' | 'fake', options: GradientRegularizerOptions): GradientRegularizerPlugin {
  const name = options.name ?? defaultName;
  const gamma = checkNonNegative(options.gamma ?? 10, `${name}: gamma`);
  return {
    name,
    // Reads StepContext.adversarial and fakeLabels (version 2).
    apiVersion: 2,
    gamma,
    discriminatorLoss(s: StepContext): Record<string, tf.Scalar> {
      const penalty = tf.tidy(() => {
        const x = on === 'real' ? s.batch.x : s.fake();
        checkBatch(x, `${name}: the ${on} batch`);
        // R2 differentiates D on the fakes with the labels they were generated for.
        const labels = on === 'fake' ? s.fakeLabels : undefined;
        return tf.mul(tf.mean(inputGradientSquaredNorms(s, x, labels)), gamma / 2) as tf.Scalar;
      });
      return { penalty };
    },
  };
}

/**
 * The R1 regularizer (Mescheder et al. 2018): `γ/2·E‖∇ₓD(x)‖²` over the real batch, added to the
 * discriminator's loss as `{ penalty }`. It penalises D's gradient on the data and keeps the
 * training dynamics near the equilibrium stable. Differentiated through `tf.grad`
 * (second-order gradients); `ensureGradients()` from `@gankit/core` is called.
 *
 * @example
 * ```ts
 * plugins: [r1({ gamma: 10 })]
 * ```
 */
export function r1(options: GradientRegularizerOptions = {}): GradientRegularizerPlugin {
  return zeroCentred('r1', 'real', options);
}

/**
 * The R2 regularizer (Mescheder et al. 2018): `γ/2·E‖∇ₓD(x)‖²` over the generated batch `G(z)`
 * (a constant in the discriminator update), added to the discriminator's loss as `{ penalty }`.
 * In a conditional run D is given the fakes' own labels (`s.fakeLabels`).
 */
export function r2(options: GradientRegularizerOptions = {}): GradientRegularizerPlugin {
  return zeroCentred('r2', 'fake', options);
}
