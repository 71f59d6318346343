// mnist-cgan: `gankit train --example mnist-cgan`.
import { conditionalDiscriminator, conditionalGenerator } from '@gankit/architectures';
import { nonSaturating } from '@gankit/losses';
import { MNIST_DENSE_LAYOUT, MNIST_IMAGE_DEFAULTS, mnistImageExample, type Example } from '@gankit/cli';

/** The mnist-cgan example's settings (the defaults of `gankit train --example mnist-cgan`). */
export const MNIST_CGAN = {
  ...MNIST_IMAGE_DEFAULTS,
  numClasses: 10,
  latentDim: 100,
  /** InfoGAN's MNIST layout (a dense layer of 1,024 in G and D) and learning rates (G 1e-3, D 2e-4). */
  ...MNIST_DENSE_LAYOUT,
  steps: 1500,
} as const;

/**
 * mnist-cgan: a class-conditional DCGAN on the `mnist` digits, in InfoGAN's MNIST layout (a dense
 * layer of 1024 in each network). G gets a learned label embedding concatenated to z (Mirza &
 * Osindero 2014); D is a projection discriminator (Miyato & Koyama 2018) on its 1024 dense
 * features. Non-saturating loss, Adam 1e-3 for G and 2e-4 for D (β₁ 0.5), EMA. Every grid has one row per digit class;
 * besides FID and IS the finish reports label accuracy: how often the digit classifier reads the
 * digit that G was asked for.
 */
export const mnistCgan: Example = mnistImageExample(MNIST_CGAN, {
  name: 'mnist-cgan',
  description: 'class-conditional DCGAN on the mnist digits (embedding G, projection D): grids with a row per class',
  title: 'Conditional DCGAN on MNIST digits',
  parallelism: 'threads',
  numClasses: MNIST_CGAN.numClasses,
  generator: (seed) =>
    conditionalGenerator({
      numClasses: MNIST_CGAN.numClasses,
      conditioning: 'embedding',
      latentDim: MNIST_CGAN.latentDim,
      hiddenUnits: MNIST_CGAN.hiddenUnits,
      baseFilters: MNIST_CGAN.generatorFilters,
      seed,
    }),
  discriminator: (seed) =>
    conditionalDiscriminator({
      numClasses: MNIST_CGAN.numClasses,
      conditioning: 'projection',
      hiddenUnits: MNIST_CGAN.hiddenUnits,
      baseFilters: MNIST_CGAN.discriminatorFilters,
      seed,
    }),
  loss: nonSaturating,
  settings: {
    data: 'mnist (train split, 9,003 digits, labels)',
    architecture:
      'conditionalGenerator (embedding) / conditionalDiscriminator (projection), hiddenUnits 1024, baseFilters 32 (InfoGAN MNIST layout)',
    loss: 'non-saturating',
    optimizer: 'adam lr 1e-3 (G) / 2e-4 (D), beta1 0.5',
    averaging: 'ema decay 0.999, ramp-up',
  },
});

export default mnistCgan;
