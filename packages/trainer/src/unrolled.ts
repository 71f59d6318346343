// Unrolled GAN (Metz et al. 2017), first-order variant, as a plugin.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, networkVariables, type GanPlugin, type StepContext } from '@gankit/core';

/** Options of {@link unrolled}. */
export interface UnrolledOptions {
  /** Look-ahead discriminator steps k before each generator update (default 5; 0 turns it off). */
  readonly steps?: number | undefined;
  /**
   * Learning rate of the look-ahead steps (default 1e-2). With `optimizer: 'sgd'` it scales the
   * gradient; with `'adam'` it is the step size per coordinate.
   */
  readonly learningRate?: number | undefined;
  /**
   * Rule of the look-ahead steps (default `'adam'`): `'adam'` is Adam (β₁ = 0.5, β₂ = 0.999) started
   * from zero moments at every unrolling, so its step size does not depend on the scale of D's
   * gradients; `'sgd'` is plain gradient descent.
   */
  readonly optimizer?: 'adam' | 'sgd' | undefined;
  /** Plugin name (default `'unrolled'`). */
  readonly name?: string | undefined;
}

/** The plugin made by {@link unrolled}. */
export interface UnrolledPlugin extends GanPlugin {
  /** Look-ahead discriminator steps per generator update. */
  readonly steps: number;
  /** Learning rate of the look-ahead steps. */
  readonly learningRate: number;
  /** Rule of the look-ahead steps. */
  readonly optimizer: 'adam' | 'sgd';
}

/**
 * Unrolled GAN (Metz et al. 2017) against mode collapse: the generator's update looks ahead
 * through k discriminator updates. Before each generator update (`beforeGeneratorStep`) the plugin
 * copies every variable of D (weights, batch-norm statistics, spectral-norm vectors), takes k
 * discriminator steps on the adversarial loss, and the generator's loss (its plugin terms
 * included) is computed against this unrolled D; after the update (`afterGeneratorStep`) every
 * variable of D is put back bit for bit as it was after D's own update, so the discriminator's
 * training is unchanged. (One consequence: D's non-trainable state does not see the generator
 * phase's forward pass, which in a plain run advances spectral norm's power iteration and
 * batch-norm statistics once more.)
 *
 * Simplifications, documented:
 * - First order: gradients are not propagated through the unrolled steps (the paper's full
 *   variant differentiates through them; it also describes this cheaper one, which treats the
 *   unrolled D as a constant for G's gradient). G's update follows `∂f(θ_G, θ_D^K)/∂θ_G`.
 * - The look-ahead steps use a fresh optimizer (Adam from zero moments by default, or plain SGD),
 *   not a copy of D's optimizer state, and only the adversarial loss (`StepContext.loss`), not other
 *   plugins' discriminator terms.
 * - They reuse the generator phase's real batch (the last discriminator batch of the iteration)
 *   and its latent batch `z` and labels, as the paper's reference code does; G's fakes for them are
 *   made once, in training mode, with G's non-trainable state (batch-norm statistics) restored
 *   afterwards so G changes only through its own update.
 *
 * Its order is −1000 by default so that it restores D before other plugins' `afterGeneratorStep`.
 * It has no state to checkpoint: D is restored within each iteration.
 *
 * @example
 * ```ts
 * const trainer = new Trainer({ generator, discriminator, loss: nonSaturating, data, plugins: [unrolled({ steps: 5 })] });
 * ```
 */
export function unrolled(options: UnrolledOptions = {}): UnrolledPlugin {
  const steps = options.steps ?? 5;
  if (!Number.isInteger(steps) || steps < 0)
    throw new GankitError('config', `unrolled: steps must be a non-negative integer, got ${String(steps)}`);
  const learningRate = options.learningRate ?? 1e-2;
  if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate <= 0) {
    throw new GankitError('config', `unrolled: learningRate must be a positive finite number, got ${String(learningRate)}`);
  }
  const optimizer = options.optimizer ?? 'adam';
  if (optimizer !== 'adam' && optimizer !== 'sgd')
    throw new GankitError('config', `unrolled: optimizer must be 'adam' or 'sgd', got ${JSON.stringify(optimizer)}`);
  const name = options.name ?? 'unrolled';
  // The copy of D's variables while it is unrolled (kept across the generator update).
  let saved: { vars: tf.Variable[]; values: tf.Tensor[] } | null = null;
  const drop = () => {
    if (saved) tf.dispose(saved.values);
    saved = null;
  };
  const beta1 = 0.5;
  const beta2 = 0.999;
  const eps = 1e-8;

  const unroll = (s: StepContext) => {
    const loss = s.loss;
    const adversarial = s.adversarial.bind(s);
    const d = s.discriminator;
    const g = s.generator;
    const dVars = [...d.trainableVariables];
    // G's fakes for the look-ahead, in training mode; its non-trainable state is put back.
    const gState = g.nonTrainableVariables.map((v) => tf.clone(v));
    const fake = g.apply(s.z, { training: true, labels: s.fakeLabels });
    g.nonTrainableVariables.forEach((v, i) => v.assign(gState[i]));
    const m: tf.Tensor[] = optimizer === 'adam' ? dVars.map((v) => tf.zerosLike(v as tf.Tensor)) : [];
    const v2: tf.Tensor[] = optimizer === 'adam' ? dVars.map((v) => tf.zerosLike(v as tf.Tensor)) : [];
    for (let t = 1; t <= steps; t++) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          const real = adversarial(s.discriminate(s.batch.x));
          const fk = adversarial(s.discriminate(fake, s.fakeLabels));
          return loss.discriminator(real, fk);
        }, dVars);
        dVars.forEach((v, i) => {
          const grad = grads[v.name];
          if (!grad) return;
          if (optimizer === 'sgd') {
            v.assign(tf.sub(v, tf.mul(learningRate, grad)));
            return;
          }
          const mi = tf.keep(tf.add(tf.mul(beta1, m[i]), tf.mul(1 - beta1, grad)));
          const vi = tf.keep(tf.add(tf.mul(beta2, v2[i]), tf.mul(1 - beta2, tf.square(grad))));
          m[i].dispose();
          v2[i].dispose();
          m[i] = mi;
          v2[i] = vi;
          const mHat = tf.div(mi, 1 - beta1 ** t);
          const vHat = tf.div(vi, 1 - beta2 ** t);
          v.assign(tf.sub(v, tf.mul(learningRate, tf.div(mHat, tf.add(tf.sqrt(vHat), eps)))));
        });
      });
    }
    tf.dispose([...m, ...v2, ...gState, fake]);
  };

  return {
    name,
    apiVersion: 2,
    order: -1000,
    steps,
    learningRate,
    optimizer,
    beforeGeneratorStep(s) {
      drop(); // a copy left by a failed update (its afterGeneratorStep did not run)
      if (steps === 0) return;
      const vars = networkVariables(s.discriminator);
      saved = { vars, values: vars.map((v) => tf.keep(tf.clone(v))) };
      unroll(s);
    },
    afterGeneratorStep() {
      if (!saved) return;
      const { vars, values } = saved;
      vars.forEach((v, i) => v.assign(values[i]));
      drop();
    },
    dispose: drop,
  };
}
