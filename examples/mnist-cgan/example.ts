// mnist-cgan: `gankit train --example mnist-cgan`.
import { conditionalDiscriminator, conditionalGenerator } from '@gankit/architectures';
import { nonSaturating } from '@gankit/losses';
import { MNIST_IMAGE_DEFAULTS, mnistImageExample, type Example } from '@gankit/cli';

/** The mnist-cgan example's settings (the defaults of `gankit train --example mnist-cgan`). */
export const MNIST_CGAN = {
  ...MNIST_IMAGE_DEFAULTS,
  numClasses: 10,
  latentDim: 100,
} as const;

/**
 * mnist-cgan: a class-conditional DCGAN on the `mnist` digits. G gets a learned label embedding
 * concatenated to z (Mirza & Osindero 2014); D is a projection discriminator (Miyato & Koyama
 * 2018). Non-saturating loss, Adam 2e-4 (β₁ 0.5), EMA. Every grid has one row per digit class;
 * besides FID and IS the finish reports label accuracy: how often the digit classifier reads the
 * digit that G was asked for.
 */
export const mnistCgan: Example = mnistImageExample(MNIST_CGAN, {
  name: 'mnist-cgan',
  description: 'class-conditional DCGAN on the mnist digits (embedding G, projection D): grids with a row per class',
  title: 'Conditional DCGAN on MNIST digits',
  numClasses: MNIST_CGAN.numClasses,
  generator: (seed) =>
    conditionalGenerator({ numClasses: MNIST_CGAN.numClasses, conditioning: 'embedding', latentDim: MNIST_CGAN.latentDim, seed }),
  discriminator: (seed) => conditionalDiscriminator({ numClasses: MNIST_CGAN.numClasses, conditioning: 'projection', seed }),
  loss: nonSaturating,
  settings: {
    data: 'mnist (train split, 9,003 digits, labels)',
    architecture: 'conditionalGenerator (embedding) / conditionalDiscriminator (projection)',
    loss: 'non-saturating',
    optimizer: 'adam lr 2e-4 beta1 0.5 (G and D)',
    averaging: 'ema decay 0.999, ramp-up',
  },
});

export default mnistCgan;
