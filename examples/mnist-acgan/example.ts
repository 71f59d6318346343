// mnist-acgan: `gankit train --example mnist-acgan`.
import type * as tf from '@tensorflow/tfjs-core';
import { acganDiscriminator, conditionalGenerator } from '@gankit/architectures';
import { nonSaturating } from '@gankit/losses';
import { acgan, acganAdversarialOutput } from '@gankit/trainer';
import { MNIST_DENSE_LAYOUT, MNIST_IMAGE_DEFAULTS, mnistImageExample, type Example, type ExampleSetup } from '@gankit/cli';

/** The mnist-acgan example's settings (the defaults of `gankit train --example mnist-acgan`). */
export const MNIST_ACGAN = {
  ...MNIST_IMAGE_DEFAULTS,
  numClasses: 10,
  latentDim: 100,
  /** InfoGAN's MNIST layout (a dense layer of 1,024 in G and D) and learning rates (G 1e-3, D 2e-4). */
  ...MNIST_DENSE_LAYOUT,
  steps: 1500,
  classWeight: 1,
} as const;

/** The trainer options an ACGAN setup adds to {@link ExampleSetup} (passed on to `Trainer` by `runTraining`). */
export interface AcganSetup extends ExampleSetup {
  /** Picks column 0 (the real/fake logit) of D's `[batch, 1 + K]` output for the adversarial loss. */
  readonly adversarialOutput: (output: tf.Tensor) => tf.Tensor;
  /** G's labels are drawn uniformly over the classes, as in the paper. */
  readonly fakeLabels: 'uniform';
}

const base = mnistImageExample(MNIST_ACGAN, {
  name: 'mnist-acgan',
  description: 'AC-GAN on the mnist digits (embedding G, D with real/fake and class heads): grids with a row per class',
  title: 'AC-GAN on MNIST digits',
  parallelism: 'threads',
  numClasses: MNIST_ACGAN.numClasses,
  generator: (seed) =>
    conditionalGenerator({
      numClasses: MNIST_ACGAN.numClasses,
      conditioning: 'embedding',
      latentDim: MNIST_ACGAN.latentDim,
      hiddenUnits: MNIST_ACGAN.hiddenUnits,
      baseFilters: MNIST_ACGAN.generatorFilters,
      seed,
    }),
  discriminator: (seed) =>
    acganDiscriminator({
      numClasses: MNIST_ACGAN.numClasses,
      hiddenUnits: MNIST_ACGAN.hiddenUnits,
      baseFilters: MNIST_ACGAN.discriminatorFilters,
      seed,
    }),
  loss: nonSaturating,
  plugins: () => [acgan({ weight: MNIST_ACGAN.classWeight })],
  settings: {
    data: 'mnist (train split, 9,003 digits, labels)',
    architecture:
      'conditionalGenerator (embedding) / acganDiscriminator (real/fake logit + 10 class logits), hiddenUnits 1024, baseFilters 32 (InfoGAN MNIST layout)',
    loss: 'non-saturating on column 0 + acgan class cross-entropy (weight 1) for both players',
    fakeLabels: 'uniform',
    optimizer: 'adam lr 1e-3 (G) / 2e-4 (D), beta1 0.5',
    averaging: 'ema decay 0.999, ramp-up',
  },
});

/**
 * mnist-acgan: an auxiliary-classifier GAN (Odena et al. 2017) on the `mnist` digits. G is the
 * class-conditional DCGAN generator (label embedding concatenated to z); D takes no label and
 * outputs `[batch, 1 + 10]`: a real/fake logit (the non-saturating loss sees only this column,
 * through the trainer's `adversarialOutput`) and class logits, on which the `acgan` plugin adds the
 * class cross-entropy of real and fake images to D's loss and of fake images to G's. G's labels are
 * drawn uniformly (`fakeLabels: 'uniform'`). Both networks in InfoGAN's MNIST layout (a dense layer
 * of 1024 in each; the heads read D's 1024 dense features). Adam 1e-3 for G and 2e-4 for D (β₁ 0.5), EMA. Outputs as mnist-cgan: grids
 * with a row per class, FID and IS, and the label accuracy of the generated digits by the digit
 * classifier.
 */
export const mnistAcgan: Example = {
  ...base,
  setup(options): AcganSetup {
    return { ...base.setup(options), adversarialOutput: acganAdversarialOutput, fakeLabels: 'uniform' };
  },
};

export default mnistAcgan;
