// InfoGAN's networks (Chen et al. 2016, appendix C.1): a generator of noise and codes, and a
// discriminator whose body is shared by the real/fake head and the Q head.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';
import type { WeightParametrizationFactory } from '@gankit/core';
import { graphNetwork } from '../graph';
import type { GraphNetwork } from '../graph';
import { normal } from '../initializers';
import { checkPositiveInt } from '../layer';
import { leakyRelu } from '../layers/activations';
import { batchNorm } from '../layers/batch-norm';
import { dense } from '../layers/dense';
import { sequential } from '../sequential';
import type { SequentialNetwork } from '../sequential';
import { dcganDiscriminatorFeatures, dcganGeneratorLayers, dcganLayout } from './dcgan';

/** Configuration of {@link infoganGenerator}. */
export interface InfoganGeneratorConfig {
  /** Length of the incompressible noise z (default 62, the paper's MNIST setting). */
  readonly noiseDim?: number | undefined;
  /** Values of the categorical code (default 10); 0 for none. */
  readonly numCategories?: number | undefined;
  /** Number of continuous codes (default 2); 0 for none. */
  readonly numContinuous?: number | undefined;
  /** Units of the first dense layer (default 1024, the paper's). */
  readonly hiddenUnits?: number | undefined;
  /** Filters of the last hidden transposed convolution; each earlier one has twice as many (default 64). */
  readonly baseFilters?: number | undefined;
  /** Shape of a generated image (default `[28, 28, 1]`). */
  readonly imageShape?: readonly [number, number, number] | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'generator'`). */
  readonly name?: string | undefined;
}

/** Configuration of {@link infoganDiscriminator}. */
export interface InfoganDiscriminatorConfig {
  /** Values of the categorical code Q predicts (default 10); 0 for none. */
  readonly numCategories?: number | undefined;
  /** Number of continuous codes Q predicts (default 2); 0 for none. */
  readonly numContinuous?: number | undefined;
  /**
   * `'fixed'` (default): Q outputs the means of the continuous codes only; `'learned'`: Q also
   * outputs `log σ` of each (a factored Gaussian with learned variance).
   */
  readonly continuousStd?: 'fixed' | 'learned' | undefined;
  /** Units of the shared dense layer of the body (default 1024, the paper's). */
  readonly hiddenUnits?: number | undefined;
  /** Units of the Q head's hidden layer (default 128, the paper's). */
  readonly qHiddenUnits?: number | undefined;
  /** Filters of the first conv layer; each later one has twice as many (default 64). */
  readonly baseFilters?: number | undefined;
  /** Shape of an input image (default `[28, 28, 1]`). */
  readonly imageShape?: readonly [number, number, number] | undefined;
  /** Batch norm in the body (after every layer but the first) and the Q head (default `true`). */
  readonly batchNorm?: boolean | undefined;
  /** Reparametrizes every kernel (e.g. spectral normalization from `@gankit/regularizers`). */
  readonly weightParametrization?: WeightParametrizationFactory | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'discriminator'`). */
  readonly name?: string | undefined;
}

function checkCount(value: number | undefined, fallback: number, what: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0) throw new GankitError('config', `${what} must be an integer >= 0, got ${String(v)}`);
  return v;
}

/**
 * InfoGAN's MNIST generator (Chen et al. 2016, table 1): input `[noiseDim + numCategories +
 * numContinuous]` (the noise z, the one-hot categorical code and the continuous codes, in that
 * order, as `infoganLatent` of `@gankit/trainer` draws them), then a dense layer of `hiddenUnits`
 * with batch norm and ReLU, and the DCGAN generator of {@link dcganGenerator} (dense to
 * `7×7×2·baseFilters` with batch norm and ReLU, stride-2 transposed convolutions, tanh).
 * With the defaults: FC1024-BN-ReLU, FC 7×7×128-BN-ReLU, deconv 64 4×4 s2 BN ReLU, deconv 1 4×4 s2.
 * Output `[batch, ...imageShape]` in (−1, 1).
 */
export function infoganGenerator(config: InfoganGeneratorConfig = {}): SequentialNetwork {
  const what = 'infoganGenerator';
  const noiseDim = checkCount(config.noiseDim, 62, `${what}: noiseDim`);
  const inputDim =
    noiseDim +
    checkCount(config.numCategories, 10, `${what}: numCategories`) +
    checkCount(config.numContinuous, 2, `${what}: numContinuous`);
  if (inputDim === 0)
    throw new GankitError('config', `${what}: noiseDim, numCategories and numContinuous are all 0; the generator has no input`);
  const hidden = checkPositiveInt(config.hiddenUnits ?? 1024, `${what}: hiddenUnits`);
  const base = checkPositiveInt(config.baseFilters ?? 64, `${what}: baseFilters`);
  const { start, steps, channels } = dcganLayout(config.imageShape ?? [28, 28, 1], what);
  return sequential({
    name: config.name ?? 'generator',
    inputShape: [inputDim],
    seed: config.seed,
    layers: dcganGeneratorLayers(start, steps, channels, base, { hiddenUnits: hidden }),
  });
}

/**
 * InfoGAN's MNIST discriminator with its Q head (Chen et al. 2016, table 1): a body shared by both
 * heads — stride-2 convolutions (kernel 4; `baseFilters`, twice that, ...) with leaky ReLU 0.2, then
 * a dense layer of `hiddenUnits` with leaky ReLU (batch norm after every layer but the first) — a
 * real/fake head (one logit) and a Q head (a dense layer of `qHiddenUnits` with batch norm and leaky
 * ReLU, then the code parameters). Sharing the body makes Q nearly free: the mutual-information
 * term costs one small head, as in the paper.
 *
 * `apply` returns **one tensor `[batch, 1 + K + C]`** (`[batch, 1 + K + 2C]` with
 * `continuousStd: 'learned'`): column 0 the real/fake logit, then the `K` logits of the categorical
 * code, the means of the `C` continuous codes, and (learned σ) their `log σ`. Give the adversarial
 * loss column 0 only (the trainer's `adversarialOutput`); the `infogan` plugin of `@gankit/trainer`
 * reads the rest. The endpoint `'features'` returns the body's output.
 */
export function infoganDiscriminator(config: InfoganDiscriminatorConfig = {}): GraphNetwork {
  const what = 'infoganDiscriminator';
  const numCategories = checkCount(config.numCategories, 10, `${what}: numCategories`);
  const numContinuous = checkCount(config.numContinuous, 2, `${what}: numContinuous`);
  const std = config.continuousStd ?? 'fixed';
  if (std !== 'fixed' && std !== 'learned') {
    throw new GankitError('config', `${what}: continuousStd must be 'fixed' or 'learned', got ${JSON.stringify(std)}`);
  }
  const qUnits = numCategories + numContinuous * (std === 'learned' ? 2 : 1);
  if (qUnits === 0) throw new GankitError('config', `${what}: numCategories and numContinuous are both 0; Q has nothing to predict`);
  const hidden = checkPositiveInt(config.hiddenUnits ?? 1024, `${what}: hiddenUnits`);
  const qHidden = checkPositiveInt(config.qHiddenUnits ?? 128, `${what}: qHiddenUnits`);
  const base = checkPositiveInt(config.baseFilters ?? 64, `${what}: baseFilters`);
  const imageShape = config.imageShape ?? [28, 28, 1];
  const { steps } = dcganLayout(imageShape, what);
  const norm = config.batchNorm ?? true;
  const wp = config.weightParametrization;
  const init = normal(0, 0.02);
  const denseBlock = (units: number) => [
    dense({ units, useBias: !norm, kernelInitializer: init, weightParametrization: wp }),
    ...(norm ? [batchNorm()] : []),
    leakyRelu({ alpha: 0.2 }),
  ];
  return graphNetwork({
    name: config.name ?? 'discriminator',
    inputShape: [...imageShape],
    seed: config.seed,
    build: (b) => {
      const body = b.chain(dcganDiscriminatorFeatures(steps, base, norm, wp, { hiddenUnits: hidden }), imageShape, 'body');
      const adversarial = b.layer(dense({ units: 1, kernelInitializer: init, weightParametrization: wp }), body.outputShape, 'adversarial');
      const q = b.chain(
        [...denseBlock(qHidden), dense({ units: qUnits, kernelInitializer: init, weightParametrization: wp })],
        body.outputShape,
        'q',
      );
      return {
        outputShape: [1 + qUnits],
        forward: (x, options) => {
          const h = body.apply(x, options);
          return tf.concat([adversarial.apply(h, options), q.apply(h, options)], 1);
        },
        endpoints: { features: { outputShape: body.outputShape, forward: (x, options) => body.apply(x, options) } },
      };
    },
  });
}
