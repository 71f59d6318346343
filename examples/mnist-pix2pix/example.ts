// mnist-pix2pix: `gankit train --example mnist-pix2pix`, paired translation of the mnist digits into
// their outlines with pix2pix (U-Net, conditional PatchGAN, L1 with λ = 100).
import * as tf from '@tensorflow/tfjs-core';
import type { JsonValue } from '@gankit/core';
import { pix2pixDiscriminator, unetGenerator } from '@gankit/architectures';
import { PIX2PIX_L1_WEIGHT, l1ReconstructionLoss } from '@gankit/losses';
import { peakSignalToNoiseRatio, structuralSimilarity } from '@gankit/metrics';
import {
  type CustomExample,
  type PairedDigitsSpec,
  type PairedFinishContext,
  type RunOptions,
  type RunResult,
  trainPairedDigits,
  writeHeldOutPicture,
} from '@gankit/cli';

/** The settings of `gankit train --example mnist-pix2pix`. */
export const MNIST_PIX2PIX = {
  steps: 1000,
  batchSize: 16,
  /** Filters of the U-Net's first level (doubled per level: 16, 32; 28 → 14 → 7). */
  generatorFilters: 16,
  /** Filters of the conditional PatchGAN's first conv. */
  discriminatorFilters: 16,
  /** Stride-2 layers of the PatchGAN (a 7×7 map of patch logits, each seeing a 10×10 square of the pair). */
  discriminatorLayers: 2,
  /** λ of the L1 term (pix2pix's 100, eq. 4). */
  l1Weight: PIX2PIX_L1_WEIGHT,
  learningRate: 2e-4,
  beta1: 0.5,
  /** Held-out test digits scored at the end. */
  heldOut: 1000,
  /** Digits in the picture. */
  gridImages: 8,
} as const;

/**
 * The outline of digits `[n, 28, 28, 1]` in [-1, 1]: the pixels a 3×3 dilation adds around the
 * strokes (`dilate(x) − x`, bright just outside each stroke, dark on it and on the background),
 * shifted back to [-1, 1]. The task of mnist-pix2pix: copying the input is far from it.
 */
export function outlineDigits(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.sub(tf.sub(tf.maxPool(x, 3, 1, 'same'), x), 1), -1, 1) as tf.Tensor4D);
}

/** Mean absolute pixel error between two image batches. */
function meanAbsolute(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/**
 * The finish: on the held-out digits, the mean absolute error, PSNR and SSIM to the true outline of
 * G's output against copying the input and against a blank (all-background) image;
 * `translations.png` (rows: input digits, G's outlines, the true outlines).
 */
async function finishPix2pix(ctx: PairedFinishContext) {
  const { inputs, targets, labels } = ctx.heldOut;
  const output = tf.tidy(() => ctx.generator.apply(inputs, { training: false }));
  const blank = tf.fill(targets.shape, -1);
  try {
    const r = (v: number) => Number(v.toFixed(4));
    const score = (images: tf.Tensor) => ({
      l1: r(meanAbsolute(images, targets)),
      psnr: r(peakSignalToNoiseRatio(images, targets).mean),
      ssim: r(structuralSimilarity(images, targets).mean),
    });
    const metrics: { [key: string]: JsonValue } = {
      definition:
        'on the first heldOut digits of the test split (never trained on), against the true outline T(x) = dilate3x3(x) - x: l1 = mean |image - T(x)| over pixels (images in [-1, 1]); psnr = mean 10 log10(2² / MSE) in dB; ssim = mean SSIM (11×11 Gaussian window, σ 1.5); generator = G(x), copy = the input x itself, blank = an all-background image',
      heldOut: labels.length,
      generator: score(output),
      copy: score(inputs),
      blank: score(blank),
    };
    writeHeldOutPicture(ctx, [inputs, output, targets], MNIST_PIX2PIX.gridImages, 'translations.png');
    const g = metrics.generator as ReturnType<typeof score>;
    const c = metrics.copy as ReturnType<typeof score>;
    const b = metrics.blank as ReturnType<typeof score>;
    return {
      files: ['translations.png'],
      metrics,
      summary: `held-out ${labels.length} digits, |G(x) − T(x)| ${g.l1} (PSNR ${g.psnr} dB, SSIM ${g.ssim}); copying x ${c.l1} (${c.psnr} dB, ${c.ssim}); blank ${b.l1} (${b.psnr} dB, ${b.ssim})`,
    };
  } finally {
    tf.dispose([output, blank]);
  }
}

/** The paired-digits spec of mnist-pix2pix. */
function pix2pixSpec(): PairedDigitsSpec {
  const s = MNIST_PIX2PIX;
  return {
    name: 'mnist-pix2pix',
    settings: { ...s, task: 'digit -> outline (dilate3x3(x) - x)' },
    defaults: { steps: s.steps, batchSize: s.batchSize },
    inputShape: [28, 28, 1],
    makeInput: (x) => tf.clone(x),
    makeTarget: outlineDigits,
    generator: (seed) => unetGenerator({ inputShape: [28, 28, 1], filters: s.generatorFilters, seed }),
    discriminator: (seed) =>
      pix2pixDiscriminator({ inputShape: [28, 28, 1], filters: s.discriminatorFilters, layers: s.discriminatorLayers, seed }),
    adversarialWeight: 1,
    generatorTerms: (target, output) => ({ l1: { weight: s.l1Weight, value: l1ReconstructionLoss(target, output) } }),
    learningRate: s.learningRate,
    beta1: s.beta1,
    heldOut: s.heldOut,
    finish: finishPix2pix,
  };
}

/**
 * Trains pix2pix (Isola et al. 2017) from digits to their outlines ({@link outlineDigits}) and
 * writes the run directory (see `trainPairedDigits` of `@gankit/cli`): a `unetGenerator` with
 * skips, a conditional PatchGAN (`pix2pixDiscriminator`) judging (input, output) pairs, the
 * non-saturating adversarial term plus λ = 100 × L1 to the true outline. The finish scores held-out
 * digits against copying the input and writes `translations.png`.
 */
export function trainMnistPix2pix(options: RunOptions): Promise<RunResult> {
  return trainPairedDigits(options, pix2pixSpec());
}

/** `gankit train --example mnist-pix2pix`: digits → outlines with pix2pix. */
export const mnistPix2pix: CustomExample = {
  name: 'mnist-pix2pix',
  description:
    'pix2pix on the mnist digits: a U-Net translates each digit into its outline, against a conditional PatchGAN, with L1 (λ = 100)',
  defaults: { steps: MNIST_PIX2PIX.steps, batchSize: MNIST_PIX2PIX.batchSize },
  train: trainMnistPix2pix,
};

export default mnistPix2pix;
