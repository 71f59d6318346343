// mnist-superres and mnist-superres-l1: `gankit train --example mnist-superres`, 7×7 → 28×28
// super-resolution of the mnist digits (SRGAN's content and adversarial terms, or L1 alone).
import * as tf from '@tensorflow/tfjs-core';
import type { JsonValue } from '@gankit/core';
import { pix2pixDiscriminator, unetGenerator } from '@gankit/architectures';
import { contentLoss, l1ReconstructionLoss } from '@gankit/losses';
import { type DigitClassifier, digitClassifier, peakSignalToNoiseRatio, structuralSimilarity } from '@gankit/metrics';
import {
  type CustomExample,
  type PairedDigitsSpec,
  type PairedFinishContext,
  type RunOptions,
  type RunResult,
  trainPairedDigits,
  writeHeldOutPicture,
} from '@gankit/cli';

/** The settings of `gankit train --example mnist-superres` (and `mnist-superres-l1`). */
export const MNIST_SUPERRES = {
  steps: 1000,
  batchSize: 16,
  /** The input: each digit mean-pooled over 4×4 blocks, 28×28 → 7×7. */
  factor: 4,
  /** Filters of the U-Net's first level (doubled per level: 16, 32; 28 → 14 → 7). */
  generatorFilters: 16,
  /** Filters of the conditional PatchGAN's first conv. */
  discriminatorFilters: 16,
  /** Stride-2 layers of the PatchGAN (a 7×7 map of patch logits). */
  discriminatorLayers: 2,
  /** Weight of the content loss on the digit classifier's 128-d features (SRGAN eq. 5). */
  contentWeight: 1,
  /** Weight of the adversarial term (SRGAN's 10⁻³, eq. 3). */
  adversarialWeight: 1e-3,
  /**
   * Weight of a pixel L1 term beside the content loss in mnist-superres. The classifier's features
   * do not constrain the background, which the content loss alone leaves grey; SRGAN starts from a
   * generator trained on the pixel MSE (SRResNet-MSE), ESRGAN keeps a pixel L1 term at 10⁻² beside
   * its perceptual loss. Here the small L1 term plays that part.
   */
  pixelWeight: 0.1,
  /** Weight of the pixel L1 term of mnist-superres-l1. */
  l1Weight: 1,
  learningRate: 2e-4,
  beta1: 0.5,
  /** Held-out test digits scored at the end. */
  heldOut: 1000,
  /** Digits in the picture. */
  gridImages: 8,
} as const;

/** Mean-pools digits `[n, 28, 28, 1]` over `factor`×`factor` blocks: the low-resolution input. */
export function downsampleDigits(x: tf.Tensor4D, factor: number = MNIST_SUPERRES.factor): tf.Tensor4D {
  return tf.tidy(() => tf.avgPool(x, factor, factor, 'valid'));
}

/** Keys' cubic convolution kernel (a = −0.5), the weights of bicubic interpolation. */
function cubic(t: number): number {
  const a = -0.5;
  const x = Math.abs(t);
  if (x <= 1) return (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1;
  if (x < 2) return a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a;
  return 0;
}

/** The `[n·factor, n]` matrix of bicubic interpolation along one axis (half-pixel centres, edges clamped). */
function bicubicMatrix(n: number, factor: number): tf.Tensor2D {
  const N = n * factor;
  const m = new Float32Array(N * n);
  for (let i = 0; i < N; i++) {
    const src = (i + 0.5) / factor - 0.5;
    const base = Math.floor(src);
    for (let k = base - 1; k <= base + 2; k++) m[i * n + Math.min(n - 1, Math.max(0, k))] += cubic(src - k);
  }
  return tf.tensor2d(m, [N, n]);
}

/**
 * Bicubic upsampling (Keys 1981, a = −0.5, the kernel of common image libraries; half-pixel
 * centres, edges clamped) of square one-channel images `[n, h, h, 1]` by a whole `factor`, clipped
 * to [-1, 1]: the classical baseline of super-resolution.
 */
export function bicubicUpsample(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  const [n, h, w] = x.shape;
  return tf.tidy(() => {
    const m = bicubicMatrix(h, factor);
    const rows = tf.matMul(tf.tile(tf.expandDims(m, 0), [n, 1, 1]), tf.reshape(x, [n, h, w]));
    const both = tf.matMul(rows, tf.tile(tf.expandDims(bicubicMatrix(w, factor), 0), [n, 1, 1]), false, true);
    return tf.clipByValue(tf.reshape(both, [n, h * factor, w * factor, 1]), -1, 1) as tf.Tensor4D;
  });
}

/** Classifier accuracy on images `[n, 28, 28, 1]` against their labels. */
function accuracy(clf: DigitClassifier, images: tf.Tensor, labels: Int32Array): number {
  const predicted = tf.tidy(() => tf.argMax(clf.logits(images), 1).dataSync());
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hits++;
  return hits / labels.length;
}

/** PSNR (dB), SSIM against the targets and the classifier's accuracy, rounded. */
function scores(clf: DigitClassifier, images: tf.Tensor, ctx: PairedFinishContext) {
  const r = (v: number) => Number(v.toFixed(4));
  return {
    psnr: r(peakSignalToNoiseRatio(images, ctx.heldOut.targets).mean),
    ssim: r(structuralSimilarity(images, ctx.heldOut.targets).mean),
    accuracy: r(accuracy(clf, images, ctx.heldOut.labels)),
  };
}

/**
 * The finish of both examples: on the held-out digits, PSNR, SSIM and the classifier's accuracy of
 * the generator's outputs, of nearest and of bicubic upsampling (and the accuracy on the true
 * digits); `superres.png` (rows: the 7×7 input shown by nearest upsampling, bicubic, G's output,
 * the true digit).
 */
async function finishSuperres(clf: DigitClassifier, ctx: PairedFinishContext, name: string) {
  const s = MNIST_SUPERRES;
  const { inputs, targets, labels } = ctx.heldOut;
  const output = tf.tidy(() => ctx.generator.apply(inputs, { training: false }));
  const nearest = tf.tidy(() => tf.image.resizeNearestNeighbor(inputs, [28, 28]));
  const bicubic = bicubicUpsample(inputs, s.factor);
  try {
    const metrics: { [key: string]: JsonValue } = {
      definition:
        "on the first heldOut digits of the test split (never trained on): psnr = mean over digits of 10 log10(2² / MSE) in dB (pixels in [-1, 1]); ssim = mean SSIM (11×11 Gaussian window, σ 1.5, valid positions); accuracy = the @gankit/metrics digit classifier's accuracy on the images against the digits' labels",
      heldOut: labels.length,
      generator: scores(clf, output, ctx),
      nearest: scores(clf, nearest, ctx),
      bicubic: scores(clf, bicubic, ctx),
      targetAccuracy: Number(accuracy(clf, targets, labels).toFixed(4)),
    };
    writeHeldOutPicture(ctx, [nearest, bicubic, output, targets], s.gridImages, 'superres.png');
    const g = metrics.generator as ReturnType<typeof scores>;
    const b = metrics.bicubic as ReturnType<typeof scores>;
    const nn = metrics.nearest as ReturnType<typeof scores>;
    return {
      files: ['superres.png'],
      metrics,
      summary: `held-out ${labels.length} digits: ${name} PSNR ${g.psnr} dB SSIM ${g.ssim} accuracy ${g.accuracy}; bicubic ${b.psnr} dB ${b.ssim} ${b.accuracy}; nearest ${nn.psnr} dB ${nn.ssim} ${nn.accuracy}; true digits ${metrics.targetAccuracy}`,
    };
  } finally {
    tf.dispose([output, nearest, bicubic]);
  }
}

/** The two variants: SRGAN (content on the classifier's features + a small pixel L1 term + adversarial) or L1 alone. */
export type SuperresVariant = 'srgan' | 'l1';

/** The paired-digits spec of a variant, with the classifier whose features the content loss compares. */
function superresSpec(variant: SuperresVariant, clf: DigitClassifier): PairedDigitsSpec {
  const s = MNIST_SUPERRES;
  const name = variant === 'srgan' ? 'mnist-superres' : 'mnist-superres-l1';
  const size = 28 / s.factor;
  return {
    name,
    settings: { ...s, variant },
    defaults: { steps: s.steps, batchSize: s.batchSize },
    inputShape: [size, size, 1],
    makeInput: (x) => downsampleDigits(x, s.factor),
    makeTarget: (x) => tf.clone(x),
    generator: (seed) => unetGenerator({ inputShape: [size, size, 1], outputShape: [28, 28, 1], filters: s.generatorFilters, seed }),
    discriminator: (seed) =>
      pix2pixDiscriminator({
        inputShape: [size, size, 1],
        imageShape: [28, 28, 1],
        filters: s.discriminatorFilters,
        layers: s.discriminatorLayers,
        seed,
      }),
    adversarialWeight: variant === 'srgan' ? s.adversarialWeight : 0,
    generatorTerms: (target, output) =>
      variant === 'srgan'
        ? {
            content: { weight: s.contentWeight, value: contentLoss(clf.features, target, output) },
            l1: { weight: s.pixelWeight, value: l1ReconstructionLoss(target, output) },
          }
        : { l1: { weight: s.l1Weight, value: l1ReconstructionLoss(target, output) } },
    learningRate: s.learningRate,
    beta1: s.beta1,
    heldOut: s.heldOut,
    finish: (ctx) => finishSuperres(clf, ctx, name),
  };
}

/**
 * Trains 7×7 → 28×28 super-resolution of the mnist digits and writes the run directory (see
 * `trainPairedDigits` of `@gankit/cli`): a `unetGenerator` from the mean-pooled digit to the
 * digit; `'srgan'` (Ledig et al. 2017): the content loss on the shipped digit classifier's
 * features plus 0.1 × the pixel L1 loss (`pixelWeight`, which keeps the background dark) plus 10⁻³ ×
 * the adversarial term against a conditional PatchGAN; `'l1'`: the pixel L1
 * loss alone (no discriminator). The finish scores the held-out digits against nearest and bicubic
 * upsampling (PSNR, SSIM, classifier accuracy) and writes `superres.png`.
 */
export async function trainMnistSuperres(options: RunOptions, variant: SuperresVariant = 'srgan'): Promise<RunResult> {
  const clf = digitClassifier();
  try {
    return await trainPairedDigits(options, superresSpec(variant, clf));
  } finally {
    clf.dispose();
  }
}

/** `gankit train --example mnist-superres`: SRGAN's content + adversarial terms, 7×7 → 28×28 digits. */
export const mnistSuperres: CustomExample = {
  name: 'mnist-superres',
  description:
    "SRGAN-style 7×7 → 28×28 super-resolution of the mnist digits: a U-Net, content loss on the digit classifier's features + 0.1 × pixel L1 + 10⁻³ × adversarial term; PSNR/SSIM against bicubic",
  defaults: { steps: MNIST_SUPERRES.steps, batchSize: MNIST_SUPERRES.batchSize },
  train: (options) => trainMnistSuperres(options, 'srgan'),
};

/** `gankit train --example mnist-superres-l1`: the same U-Net trained on the pixel L1 loss alone (the control). */
export const mnistSuperresL1: CustomExample = {
  name: 'mnist-superres-l1',
  description: 'mnist-superres with the pixel L1 loss alone (no content or adversarial term): the control',
  defaults: { steps: MNIST_SUPERRES.steps, batchSize: MNIST_SUPERRES.batchSize },
  train: (options) => trainMnistSuperres(options, 'l1'),
};

export default [mnistSuperres, mnistSuperresL1];
