// mnist-sngan-hinge: `gankit train --example mnist-sngan-hinge`.
import { dcganDiscriminator, dcganGenerator } from '@gankit/architectures';
import { hinge } from '@gankit/losses';
import { spectralNorm } from '@gankit/regularizers';
import { MNIST_DENSE_LAYOUT, MNIST_IMAGE_DEFAULTS, mnistImageExample, type Example } from '@gankit/cli';

/** The mnist-sngan-hinge example's settings (the defaults of `gankit train --example mnist-sngan-hinge`). */
export const MNIST_SNGAN_HINGE = {
  ...MNIST_IMAGE_DEFAULTS,
  latentDim: 100,
  /** mnist-dcgan's networks (InfoGAN's MNIST layout: a dense layer of 1,024 in G and D) and learning rates (G 1e-3, D 2e-4). */
  ...MNIST_DENSE_LAYOUT,
  steps: 1200,
  powerIterations: 1,
  beta2: 0.999,
} as const;

/**
 * mnist-sngan-hinge: spectral normalization (Miyato et al. 2018) on every kernel of the
 * discriminator (both convolutions and both dense layers, one power iteration per training forward
 * pass) with the hinge loss, on mnist-dcgan's networks (`dcganGenerator` / `dcganDiscriminator`
 * with `hiddenUnits`; D keeps its batch norm), Adam 1e-3 for G and 2e-4 for D (β₁ 0.5), an EMA of G.
 */
export const mnistSnganHinge: Example = mnistImageExample(MNIST_SNGAN_HINGE, {
  name: 'mnist-sngan-hinge',
  description: 'spectral norm on every D layer + hinge loss on the mnist digits, EMA, MNIST FID/IS',
  title: 'Spectrally normalized DCGAN with hinge loss on MNIST digits',
  parallelism: 'threads',
  generator: (seed) =>
    dcganGenerator({
      imageShape: [28, 28, 1],
      latentDim: MNIST_SNGAN_HINGE.latentDim,
      hiddenUnits: MNIST_SNGAN_HINGE.hiddenUnits,
      baseFilters: MNIST_SNGAN_HINGE.generatorFilters,
      seed,
    }),
  discriminator: (seed) =>
    dcganDiscriminator({
      imageShape: [28, 28, 1],
      hiddenUnits: MNIST_SNGAN_HINGE.hiddenUnits,
      baseFilters: MNIST_SNGAN_HINGE.discriminatorFilters,
      batchNorm: true,
      seed,
      weightParametrization: spectralNorm({ powerIterations: MNIST_SNGAN_HINGE.powerIterations, seed }),
    }),
  loss: hinge,
  settings: {
    data: 'mnist (train split, 9,003 digits)',
    architecture:
      'dcganGenerator / dcganDiscriminator, hiddenUnits 1024, baseFilters 32 (InfoGAN MNIST layout), spectral norm on every D kernel, batch norm kept in D',
    loss: 'hinge',
    optimizer: 'adam lr 1e-3 (G) / 2e-4 (D), beta1 0.5',
    averaging: 'ema decay 0.999, ramp-up',
  },
});

export default mnistSnganHinge;
