import type { WeightParametrizationFactory } from '@gankit/core';
import { normal } from '../initializers';
import { checkPositiveInt } from '../layer';
import { leakyRelu, relu, tanh } from '../layers/activations';
import { batchNorm } from '../layers/batch-norm';
import { conv2d } from '../layers/conv2d';
import { conv2dTranspose } from '../layers/conv2d-transpose';
import { dense } from '../layers/dense';
import { flatten, reshape } from '../layers/shape-layers';
import { sequential } from '../sequential';
import type { SequentialNetwork } from '../sequential';

/** Configuration of {@link dcganMnistGenerator}. */
export interface DcganMnistGeneratorConfig {
  /** Length of the latent vector z (default 100). */
  readonly latentDim?: number | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'generator'`). */
  readonly name?: string | undefined;
}

/** Configuration of {@link dcganMnistDiscriminator}. */
export interface DcganMnistDiscriminatorConfig {
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'discriminator'`). */
  readonly name?: string | undefined;
  /** Reparametrizes every kernel (e.g. spectral normalization from `@gankit/regularizers`). */
  readonly weightParametrization?: WeightParametrizationFactory | undefined;
}

/**
 * The DCGAN generator for 28×28×1 images (gankit's benchmark model), exactly:
 * dense `latentDim → 7·7·128` (no bias), batch norm, ReLU, reshape to 7×7×128,
 * conv2dTranspose 128 → 64 (kernel 4, stride 2, 'same', no bias), batch norm, ReLU,
 * conv2dTranspose 64 → 1 (kernel 4, stride 2, 'same', with bias), tanh.
 * Kernels are drawn from N(0, 0.02) (Radford et al., 2015). Maps `[n, latentDim]` to
 * `[n, 28, 28, 1]` in (-1, 1); 771,969 trainable parameters for `latentDim = 100`.
 */
export function dcganMnistGenerator(config: DcganMnistGeneratorConfig = {}): SequentialNetwork {
  const latentDim = checkPositiveInt(config.latentDim ?? 100, 'dcganMnistGenerator: latentDim');
  const init = normal(0, 0.02);
  return sequential({
    name: config.name ?? 'generator',
    inputShape: [latentDim],
    seed: config.seed,
    layers: [
      dense({ units: 7 * 7 * 128, useBias: false, kernelInitializer: init }),
      batchNorm(),
      relu(),
      reshape({ targetShape: [7, 7, 128] }),
      conv2dTranspose({ filters: 64, kernelSize: 4, strides: 2, padding: 'same', useBias: false, kernelInitializer: init }),
      batchNorm(),
      relu(),
      conv2dTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: init }),
      tanh(),
    ],
  });
}

/**
 * The DCGAN discriminator for 28×28×1 images (gankit's benchmark model), exactly:
 * conv2d 1 → 64 (kernel 4, stride 2, 'same'), leaky ReLU 0.2, conv2d 64 → 128 (kernel 4,
 * stride 2, 'same'), leaky ReLU 0.2, flatten, dense 6272 → 1 (all with biases). Kernels are drawn
 * from N(0, 0.02). Maps `[n, 28, 28, 1]` to one logit per example `[n, 1]`; 138,561 trainable
 * parameters.
 */
export function dcganMnistDiscriminator(config: DcganMnistDiscriminatorConfig = {}): SequentialNetwork {
  const init = normal(0, 0.02);
  const wp = config.weightParametrization;
  return sequential({
    name: config.name ?? 'discriminator',
    inputShape: [28, 28, 1],
    seed: config.seed,
    layers: [
      conv2d({ filters: 64, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: init, weightParametrization: wp }),
      leakyRelu({ alpha: 0.2 }),
      conv2d({ filters: 128, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: init, weightParametrization: wp }),
      leakyRelu({ alpha: 0.2 }),
      flatten(),
      dense({ units: 1, kernelInitializer: init, weightParametrization: wp }),
    ],
  });
}
