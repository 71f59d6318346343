// mnist-sngan-hinge: `gankit train --example mnist-sngan-hinge`.
import { dcganMnistDiscriminator, dcganMnistGenerator } from '@gankit/architectures';
import { hinge } from '@gankit/losses';
import { spectralNorm } from '@gankit/regularizers';
import { MNIST_IMAGE_DEFAULTS, mnistImageExample, type Example } from '@gankit/cli';

/** The mnist-sngan-hinge example's settings (the defaults of `gankit train --example mnist-sngan-hinge`). */
export const MNIST_SNGAN_HINGE = {
  ...MNIST_IMAGE_DEFAULTS,
  latentDim: 100,
  powerIterations: 1,
  beta2: 0.999,
} as const;

/**
 * mnist-sngan-hinge: spectral normalization (Miyato et al. 2018) on every kernel of the DCGAN-MNIST
 * discriminator (both convolutions and the dense layer, one power iteration per training forward
 * pass) with the hinge loss, Adam 2e-4 (β₁ 0.5), an EMA of G.
 */
export const mnistSnganHinge: Example = mnistImageExample(MNIST_SNGAN_HINGE, {
  name: 'mnist-sngan-hinge',
  description: 'spectral norm on every D layer + hinge loss on the mnist digits, EMA, MNIST FID/IS',
  title: 'Spectrally normalized DCGAN with hinge loss on MNIST digits',
  generator: (seed) => dcganMnistGenerator({ latentDim: MNIST_SNGAN_HINGE.latentDim, seed }),
  discriminator: (seed) =>
    dcganMnistDiscriminator({ seed, weightParametrization: spectralNorm({ powerIterations: MNIST_SNGAN_HINGE.powerIterations, seed }) }),
  loss: hinge,
  settings: {
    data: 'mnist (train split, 9,003 digits)',
    architecture: 'dcganMnistGenerator / dcganMnistDiscriminator with spectral norm on every kernel',
    loss: 'hinge',
    optimizer: 'adam lr 2e-4 beta1 0.5 (G and D)',
    averaging: 'ema decay 0.999, ramp-up',
  },
});

export default mnistSnganHinge;
