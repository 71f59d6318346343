import { GankitError } from '@gankit/core';
import type { WeightParametrizationFactory } from '@gankit/core';
import type { Initializer } from '../initializers';
import { checkPositiveInt } from '../layer';
import type { LayerSpec } from '../layer';
import { activation } from '../layers/activations';
import { dense } from '../layers/dense';
import { sequential } from '../sequential';
import type { SequentialNetwork } from '../sequential';

/** Hidden-layer activations of the MLP builders. */
export type MlpActivation = 'relu' | 'leakyRelu' | 'tanh';

/** Settings shared by {@link mlpGenerator} and {@link mlpDiscriminator}. */
export interface MlpCommonConfig {
  /** Widths of the hidden layers (default `[128, 128]`). */
  readonly hidden?: readonly number[] | undefined;
  /** Slope of leaky ReLU for negative inputs (default 0.2). */
  readonly leakyAlpha?: number | undefined;
  /** Initialiser of every kernel (default Glorot uniform). */
  readonly kernelInitializer?: Initializer | undefined;
  /** Reparametrizes every kernel (e.g. spectral normalization). */
  readonly weightParametrization?: WeightParametrizationFactory | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
}

/** Configuration of {@link mlpGenerator}. */
export interface MlpGeneratorConfig extends MlpCommonConfig {
  /** Length of the latent vector z. */
  readonly latentDim: number;
  /** Length of a generated sample (2 for the 2-D toy data sets). */
  readonly outputDim: number;
  /** Hidden activation (default `'relu'`). */
  readonly activation?: MlpActivation | undefined;
  /** Output activation (default `'linear'`; `'tanh'` for data in [-1, 1]). */
  readonly outputActivation?: 'linear' | 'tanh' | undefined;
  /** The network's name (default `'generator'`). */
  readonly name?: string | undefined;
}

/** Configuration of {@link mlpDiscriminator}. */
export interface MlpDiscriminatorConfig extends MlpCommonConfig {
  /** Length of a sample. */
  readonly inputDim: number;
  /** Hidden activation (default `'leakyRelu'`). */
  readonly activation?: MlpActivation | undefined;
  /** Number of outputs (default 1: one logit or critic value per example). */
  readonly outputDim?: number | undefined;
  /** The network's name (default `'discriminator'`). */
  readonly name?: string | undefined;
}

function hiddenLayers(config: MlpCommonConfig, act: MlpActivation, what: string): LayerSpec[] {
  const hidden = config.hidden ?? [128, 128];
  if (!Array.isArray(hidden))
    throw new GankitError('config', `${what}: hidden must be a list of layer widths, got ${JSON.stringify(hidden)}`);
  if (!['relu', 'leakyRelu', 'tanh'].includes(act)) {
    throw new GankitError('config', `${what}: activation must be 'relu', 'leakyRelu' or 'tanh', got ${JSON.stringify(act)}`);
  }
  const layers: LayerSpec[] = [];
  hidden.forEach((width, i) => {
    layers.push(
      dense({
        units: checkPositiveInt(width, `${what}: hidden[${i}]`),
        kernelInitializer: config.kernelInitializer,
        weightParametrization: config.weightParametrization,
      }),
    );
    layers.push(activation(act, { alpha: config.leakyAlpha }));
  });
  return layers;
}

/**
 * A fully connected generator for low-dimensional data (the 2-D toy GANs, e.g. a ring of eight
 * Gaussians): `latentDim → hidden… → outputDim`, dense layers with biases, the hidden activation
 * after each hidden layer and `outputActivation` at the end.
 *
 * @example
 * ```ts
 * const g = mlpGenerator({ latentDim: 2, outputDim: 2, seed: 1 });
 * ```
 */
export function mlpGenerator(config: MlpGeneratorConfig): SequentialNetwork {
  const latentDim = checkPositiveInt(config.latentDim, 'mlpGenerator: latentDim');
  const outputDim = checkPositiveInt(config.outputDim, 'mlpGenerator: outputDim');
  const out = config.outputActivation ?? 'linear';
  if (out !== 'linear' && out !== 'tanh')
    throw new GankitError('config', `mlpGenerator: outputActivation must be 'linear' or 'tanh', got ${JSON.stringify(out)}`);
  const layers = hiddenLayers(config, config.activation ?? 'relu', 'mlpGenerator');
  layers.push(
    dense({ units: outputDim, kernelInitializer: config.kernelInitializer, weightParametrization: config.weightParametrization }),
  );
  if (out === 'tanh') layers.push(activation('tanh'));
  return sequential({ name: config.name ?? 'generator', inputShape: [latentDim], layers, seed: config.seed });
}

/**
 * A fully connected discriminator (or critic) for low-dimensional data:
 * `inputDim → hidden… → outputDim` (default 1), leaky ReLU 0.2 after each hidden layer by default
 * and a linear output (a logit or a critic value; the loss decides how to read it).
 */
export function mlpDiscriminator(config: MlpDiscriminatorConfig): SequentialNetwork {
  const inputDim = checkPositiveInt(config.inputDim, 'mlpDiscriminator: inputDim');
  const outputDim = checkPositiveInt(config.outputDim ?? 1, 'mlpDiscriminator: outputDim');
  const layers = hiddenLayers(config, config.activation ?? 'leakyRelu', 'mlpDiscriminator');
  layers.push(
    dense({ units: outputDim, kernelInitializer: config.kernelInitializer, weightParametrization: config.weightParametrization }),
  );
  return sequential({ name: config.name ?? 'discriminator', inputShape: [inputDim], layers, seed: config.seed });
}
