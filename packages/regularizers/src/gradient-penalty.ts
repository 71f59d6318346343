import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { GanPlugin, StepContext } from '@gankit/core';
import { checkBatch, checkNonNegative, inputGradientSquaredNorms } from './input-gradients';

/** Where and how {@link gradientPenalty} penalises the critic's gradient norm. */
export type GradientPenaltyVariant = 'two-sided' | 'one-sided' | 'dragan';

/** Options of {@link gradientPenalty}. */
export interface GradientPenaltyOptions {
  /** Weight λ of the penalty (default 10). */
  readonly lambda?: number | undefined;
  /**
   * - `'two-sided'` (default, WGAN-GP): `λ·E[(‖∇D(x̂)‖ − target)²]` at random interpolates
   *   `x̂ = ε·x + (1 − ε)·G(z)` of real and fake examples, `ε ~ U[0, 1]` per example.
   * - `'one-sided'`: `λ·E[max(0, ‖∇D(x̂)‖ − target)²]` at the same points: only gradients
   *   steeper than `target` are penalised.
   * - `'dragan'` (Kodali et al. 2017): the two-sided penalty at perturbed real examples
   *   `x + 0.5·std(x)·u`, `u ~ U[0, 1]` per element, `std(x)` the standard deviation of the whole
   *   real batch.
   */
  readonly variant?: GradientPenaltyVariant | undefined;
  /** The gradient norm aimed at (default 1; 0 gives a zero-centred penalty). */
  readonly target?: number | undefined;
  /**
   * Added to the squared norm inside the square root, `‖∇‖ = sqrt(Σ g² + epsilon)`, so that the
   * penalty's gradient stays finite where the input gradient is exactly zero (default 1e-12: it
   * changes ‖∇‖ by far less than float32 resolves for any norm above 1e-6).
   */
  readonly epsilon?: number | undefined;
  /** The plugin's name (default `'gradient-penalty'`). */
  readonly name?: string | undefined;
}

/** The gradient penalty plugin (see {@link gradientPenalty}). */
export interface GradientPenaltyPlugin extends GanPlugin {
  /** The plugin's name. */
  readonly name: string;
  /** The penalty's weight λ. */
  readonly lambda: number;
  /** The variant in use. */
  readonly variant: GradientPenaltyVariant;
  /** The penalty term `{ penalty }` added to the discriminator's loss. */
  discriminatorLoss(s: StepContext): Record<string, tf.Scalar>;
  /** The points where the penalty is evaluated this update (interpolates or perturbed reals). */
  penaltyPoints(s: StepContext): tf.Tensor;
}

const VARIANTS: readonly GradientPenaltyVariant[] = ['two-sided', 'one-sided', 'dragan'];

/**
 * The gradient penalty of WGAN-GP (Gulrajani et al. 2017), its one-sided form, or DRAGAN's
 * (Kodali et al. 2017), as a plugin that adds `{ penalty }` to the discriminator's loss.
 *
 * The per-example gradient `∇ₓD(x̂)` comes from `tf.grad` inside the discriminator's gradient
 * scope, so the term is differentiated through it (second-order gradients): the conv layers'
 * gradients and leaky ReLU must have gradients of their own, which
 * `ensureGradients()` from `@gankit/core` registers (called here). The random
 * draws come from the step's seeded `random` source. Per-example norms assume a critic that does
 * not mix examples (no batch norm; use layer norm or none, as the paper advises).
 *
 * @example
 * ```ts
 * const trainer = new Trainer({ loss: wasserstein(), plugins: [gradientPenalty({ lambda: 10 })], ... });
 * ```
 */
export function gradientPenalty(options: GradientPenaltyOptions = {}): GradientPenaltyPlugin {
  const name = options.name ?? 'gradient-penalty';
  const lambda = checkNonNegative(options.lambda ?? 10, `${name}: lambda`);
  const target = checkNonNegative(options.target ?? 1, `${name}: target`);
  const epsilon = checkNonNegative(options.epsilon ?? 1e-12, `${name}: epsilon`);
  const variant = options.variant ?? 'two-sided';
  if (!VARIANTS.includes(variant)) {
    throw new GankitError('config', `${name}: variant must be one of ${VARIANTS.join(', ')}, got '${String(variant)}'`);
  }

  const penaltyPoints = (s: StepContext): tf.Tensor =>
    tf.tidy(() => {
      const x = s.batch.x;
      checkBatch(x, `${name}: the real batch`);
      const unitShape = [x.shape[0], ...x.shape.slice(1).map(() => 1)];
      if (variant === 'dragan') {
        const { variance } = tf.moments(x);
        const noise = s.random.uniform([...x.shape], 0, 1, `${name}/perturbation`);
        return tf.add(x, tf.mul(tf.mul(tf.sqrt(variance), 0.5), noise));
      }
      const fake = s.fake();
      if (fake.shape.length !== x.shape.length || fake.shape.some((d, i) => d !== x.shape[i])) {
        throw new GankitError(
          'shape',
          `${name}: fake batch ${formatShape(fake.shape)} and real batch ${formatShape(x.shape)} must have the same shape`,
        );
      }
      const eps = s.random.uniform(unitShape, 0, 1, `${name}/interpolation`);
      // ε·x + (1 − ε)·G(z), written as G(z) + ε·(x − G(z)).
      return tf.add(fake, tf.mul(eps, tf.sub(x, fake)));
    });

  return {
    name,
    // Reads StepContext.adversarial (version 2).
    apiVersion: 2,
    lambda,
    variant,
    penaltyPoints,
    discriminatorLoss(s: StepContext): Record<string, tf.Scalar> {
      const penalty = tf.tidy(() => {
        const points = penaltyPoints(s);
        const norms = tf.sqrt(tf.add(inputGradientSquaredNorms(s, points), epsilon));
        const gap = tf.sub(norms, target);
        const perExample = variant === 'one-sided' ? tf.square(tf.relu(gap)) : tf.square(gap);
        return tf.mul(tf.mean(perExample), lambda) as tf.Scalar;
      });
      return { penalty };
    },
  };
}
