// AC-GAN (Odena et al. 2017): the auxiliary classifier loss as a plugin.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape, type GanPlugin, type StepContext } from '@gankit/core';
import { acganClassLoss } from '@gankit/losses';

/**
 * Column 0 of an ACGAN discriminator's output `[batch, 1+K]`: the real/fake logit `[batch, 1]`.
 * Pass it as the trainer's `adversarialOutput` (the layout of `acganDiscriminator` in
 * `@gankit/architectures`).
 */
export function acganAdversarialOutput(output: tf.Tensor): tf.Tensor {
  checkAcganOutput(output, 'acganAdversarialOutput');
  return tf.slice(output, [0, 0], [-1, 1]);
}

/** Columns 1.. of an ACGAN discriminator's output `[batch, 1+K]`: the class logits `[batch, K]`. */
export function acganClassLogits(output: tf.Tensor): tf.Tensor {
  checkAcganOutput(output, 'acganClassLogits');
  return tf.slice(output, [0, 1], [-1, -1]);
}

function checkAcganOutput(output: tf.Tensor, fn: string): void {
  if (!(output instanceof tf.Tensor) || output.rank !== 2 || (output.shape[1] ?? 0) < 2) {
    const got = output instanceof tf.Tensor ? formatShape(output.shape) : typeof output;
    throw new GankitError('shape', `${fn}: expected an ACGAN discriminator output [batch, 1+numClasses] with numClasses >= 1, got ${got}`);
  }
}

/** Options of {@link acgan}. */
export interface AcganOptions {
  /** Weight of the class loss in both players' losses (default 1, as in the paper). */
  readonly weight?: number | undefined;
  /** Picks the class logits `[batch, K]` from D's output (default {@link acganClassLogits}: columns 1..). */
  readonly classLogits?: ((output: tf.Tensor) => tf.Tensor) | undefined;
  /** Plugin name (default `'acgan'`); its log terms are `<name>/real`, `<name>/fake` (D) and `<name>/class` (G). */
  readonly name?: string | undefined;
}

/**
 * The auxiliary classifier of AC-GAN (Odena et al. 2017): D predicts each example's class besides
 * real/fake, and both players minimise the class cross-entropy `L_C` (the paper: D maximises
 * `L_S + L_C`, G maximises `L_C − L_S`). D's loss gains `weight · (CE(real, real labels) + CE(fake,
 * fake labels))`, G's gains `weight · CE(fake, fake labels)`.
 *
 * Use it with a conditional trainer (a data set with classes; G gets labels, the ACGAN
 * discriminator ignores them) whose `adversarialOutput` is {@link acganAdversarialOutput}, so that
 * the adversarial loss sees column 0 only. `fakeLabels: 'uniform'` draws G's labels uniformly as the
 * paper does; the default reuses the real batch's labels. The labels of the fakes are read from
 * `StepContext.fakeLabels`.
 *
 * Why a plugin and not a trainer option: the class term is an extra loss term of each player,
 * which is exactly what the plugin loss hooks add, with its own log terms; the trainer only needs to
 * know which part of D's output the adversarial loss sees (`adversarialOutput`). The terms reuse
 * the step's forward passes (`realOutput()`, `fakeOutput()`), so D runs no extra time.
 *
 * @example
 * ```ts
 * const trainer = new Trainer({ generator, discriminator: acganDiscriminator({ numClasses: 10 }),
 *   loss: nonSaturating, data: mnist, adversarialOutput: acganAdversarialOutput,
 *   fakeLabels: 'uniform', plugins: [acgan()] });
 * ```
 */
export function acgan(options: AcganOptions = {}): GanPlugin {
  const weight = options.weight ?? 1;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
    throw new GankitError('config', `acgan: weight must be a finite number >= 0, got ${String(weight)}`);
  }
  const classLogits = options.classLogits ?? acganClassLogits;
  const name = options.name ?? 'acgan';
  const labelsOf = (s: StepContext) => {
    const real = s.batch.labels;
    const fake = s.fakeLabels;
    if (!real || !fake) {
      throw new GankitError(
        'config',
        `acgan needs labelled real and fake batches (a conditional trainer on a data set with classes), but the ${s.phase} step has ${real ? '' : 'no real labels'}${!real && !fake ? ' and ' : ''}${fake ? '' : 'no fake labels'}`,
      );
    }
    return { real, fake };
  };
  return {
    name,
    // Reads StepContext.fakeLabels (version 2).
    apiVersion: 2,
    discriminatorLoss(s) {
      const { real, fake } = labelsOf(s);
      return {
        real: tf.mul(weight, acganClassLoss(classLogits(s.realOutput()), real)) as tf.Scalar,
        fake: tf.mul(weight, acganClassLoss(classLogits(s.fakeOutput()), fake)) as tf.Scalar,
      };
    },
    generatorLoss(s) {
      const { fake } = labelsOf(s);
      return { class: tf.mul(weight, acganClassLoss(classLogits(s.fakeOutput()), fake)) as tf.Scalar };
    },
  };
}
