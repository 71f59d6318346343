import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type LossPair } from '@gankit/core';
import { checkOutput, checkPair } from './validate';

/**
 * The relativistic differences `r̃ = r − mean(f)` and
 * `f̃ = f − mean(r)`. Call inside `tf.tidy`.
 */
function relativisticDifferences(realOutput: tf.Tensor, fakeOutput: tf.Tensor): [tf.Tensor, tf.Tensor] {
  return [tf.sub(realOutput, tf.mean(fakeOutput)), tf.sub(fakeOutput, tf.mean(realOutput))];
}

/** Checks both outputs; `realOutput` is required. */
function checkBoth(realOutput: tf.Tensor | undefined, fakeOutput: tf.Tensor, fn: string): asserts realOutput is tf.Tensor {
  checkOutput(fakeOutput, 'fakeOutput', fn);
  if (realOutput === undefined) {
    throw new GankitError(
      'argument',
      `${fn}: realOutput is required; relativistic losses compare fakes with real data ` + '(the loss pair has generatorUsesReal: true)',
    );
  }
  checkOutput(realOutput, 'realOutput', fn);
  checkPair(realOutput, fakeOutput, fn);
}

/**
 * Relativistic average discriminator loss (RaGAN, Jolicoeur-Martineau 2018), standard form, from
 * the critic's raw outputs `r = C(x)` and `f = C(G(z))`: with `r̃ = r − mean(f)` and
 * `f̃ = f − mean(r)`, `E[softplus(−r̃)] + E[softplus(f̃)]`, i.e. `−E[log σ(r̃)] − E[log(1 − σ(f̃))]`.
 *
 * @param realOutput - C's outputs on real data, `[batch, ...]`, float32
 * @param fakeOutput - C's outputs on generated data, same rank and trailing dimensions
 * @returns the scalar that D minimises
 */
export function relativisticAverageDiscriminatorLoss(realOutput: tf.Tensor, fakeOutput: tf.Tensor): tf.Scalar {
  checkBoth(realOutput, fakeOutput, 'relativisticAverageDiscriminatorLoss');
  return tf.tidy(() => {
    const [rt, ft] = relativisticDifferences(realOutput, fakeOutput);
    return tf.add(tf.mean(tf.softplus(tf.neg(rt))), tf.mean(tf.softplus(ft)));
  }) as tf.Scalar;
}

/**
 * Relativistic average generator loss, standard form: the discriminator loss with the roles of
 * real and fake swapped, `E[softplus(−f̃)] + E[softplus(r̃)]`. Needs D's output on real data;
 * its gradient reaches G through both terms.
 *
 * @param fakeOutput - C's outputs on generated data, `[batch, ...]`, float32
 * @param realOutput - C's outputs on real data, same rank and trailing dimensions (required)
 * @returns the scalar that G minimises
 */
export function relativisticAverageGeneratorLoss(fakeOutput: tf.Tensor, realOutput: tf.Tensor): tf.Scalar {
  checkBoth(realOutput, fakeOutput, 'relativisticAverageGeneratorLoss');
  return tf.tidy(() => {
    const [rt, ft] = relativisticDifferences(realOutput, fakeOutput);
    return tf.add(tf.mean(tf.softplus(tf.neg(ft))), tf.mean(tf.softplus(rt)));
  }) as tf.Scalar;
}

/**
 * Relativistic average hinge discriminator loss: `E[relu(1 − r̃)] + E[relu(1 + f̃)]` with
 * `r̃ = r − mean(f)`, `f̃ = f − mean(r)`.
 *
 * @param realOutput - C's outputs on real data, `[batch, ...]`, float32
 * @param fakeOutput - C's outputs on generated data, same rank and trailing dimensions
 * @returns the scalar that D minimises
 */
export function relativisticAverageHingeDiscriminatorLoss(realOutput: tf.Tensor, fakeOutput: tf.Tensor): tf.Scalar {
  checkBoth(realOutput, fakeOutput, 'relativisticAverageHingeDiscriminatorLoss');
  return tf.tidy(() => {
    const [rt, ft] = relativisticDifferences(realOutput, fakeOutput);
    const one = tf.scalar(1);
    return tf.add(tf.mean(tf.relu(tf.sub(one, rt))), tf.mean(tf.relu(tf.add(one, ft))));
  }) as tf.Scalar;
}

/**
 * Relativistic average hinge generator loss: `E[relu(1 − f̃)] + E[relu(1 + r̃)]`.
 *
 * @param fakeOutput - C's outputs on generated data, `[batch, ...]`, float32
 * @param realOutput - C's outputs on real data, same rank and trailing dimensions (required)
 * @returns the scalar that G minimises
 */
export function relativisticAverageHingeGeneratorLoss(fakeOutput: tf.Tensor, realOutput: tf.Tensor): tf.Scalar {
  checkBoth(realOutput, fakeOutput, 'relativisticAverageHingeGeneratorLoss');
  return tf.tidy(() => {
    const [rt, ft] = relativisticDifferences(realOutput, fakeOutput);
    const one = tf.scalar(1);
    return tf.add(tf.mean(tf.relu(tf.sub(one, ft))), tf.mean(tf.relu(tf.add(one, rt))));
  }) as tf.Scalar;
}

/**
 * The relativistic average loss pair (standard form), `generatorUsesReal: true`.
 * `probabilistic` is `false`: `σ(C(x))` alone is not a probability here; the relativistic
 * discriminator's probability is `σ(C(x) − mean C(G(z)))`.
 */
export const relativisticAverage: LossPair = Object.freeze({
  name: 'relativistic-average',
  probabilistic: false,
  generatorUsesReal: true,
  discriminator: (realOutput: tf.Tensor, fakeOutput: tf.Tensor) => relativisticAverageDiscriminatorLoss(realOutput, fakeOutput),
  generator: (fakeOutput: tf.Tensor, realOutput?: tf.Tensor) => relativisticAverageGeneratorLoss(fakeOutput, realOutput as tf.Tensor),
});

/** The relativistic average hinge loss pair, `generatorUsesReal: true`, `probabilistic: false`. */
export const relativisticAverageHinge: LossPair = Object.freeze({
  name: 'relativistic-average-hinge',
  probabilistic: false,
  generatorUsesReal: true,
  discriminator: (realOutput: tf.Tensor, fakeOutput: tf.Tensor) => relativisticAverageHingeDiscriminatorLoss(realOutput, fakeOutput),
  generator: (fakeOutput: tf.Tensor, realOutput?: tf.Tensor) => relativisticAverageHingeGeneratorLoss(fakeOutput, realOutput as tf.Tensor),
});
