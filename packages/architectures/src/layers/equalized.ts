import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { WeightParametrization, WeightParametrizationFactory } from '@gankit/core';
import { normal } from '../initializers';
import type { LayerSpec } from '../layer';
import { conv2d } from './conv2d';
import type { Conv2dConfig } from './conv2d';
import { dense } from './dense';
import type { DenseConfig } from './dense';

/** Options of {@link equalizedLearningRate}. */
export interface EqualizedLearningRateOptions {
  /** The gain of He's constant `c = gain / sqrt(fanIn)` (default √2, for (leaky) ReLU layers; 1 for linear outputs). */
  readonly gain?: number | undefined;
  /**
   * The fan-in (default: the product of the kernel's axes other than its output axis: `in` for a
   * dense `[in, out]`, `kh·kw·in` for a conv2d `[kh, kw, in, out]` and for a 4-D kernel whose name
   * contains `transpose`, conv2dTranspose's `[kh, kw, out, in]`).
   */
  readonly fanIn?: number | undefined;
}

/** The fan-in of a kernel for the equalized learning rate (see {@link EqualizedLearningRateOptions.fanIn}). */
function kernelFanIn(shape: readonly number[], name: string): number {
  const outputAxis = shape.length === 4 && /transpose/i.test(name) ? 2 : shape.length - 1;
  return shape.reduce((p, d, i) => (i === outputAxis ? p : p * d), 1);
}

/**
 * The equalized learning rate (Karras et al. 2018, §4.1) as a weight parametrization: the kernel
 * is stored with a trivial N(0, 1) initialisation and scaled at every forward pass,
 * `ŵ_i = w_i / c_i` in the paper's words, i.e. the effective kernel is `c · w` with He's per-layer
 * constant `c = gain / sqrt(fanIn)` (He et al. 2015). Adaptive optimizers such as Adam normalise
 * each gradient by its scale, so every weight then learns at the same speed whatever its layer's
 * fan-in. Pass it as `weightParametrization` of dense, conv2d or conv2dTranspose with a
 * `normal(0, 1)` kernel initialiser, or use {@link equalizedDense} / {@link equalizedConv2d}. No
 * state; biases are not scaled.
 */
export function equalizedLearningRate(options: EqualizedLearningRateOptions = {}): WeightParametrizationFactory {
  const gain = options.gain ?? Math.SQRT2;
  if (!Number.isFinite(gain) || gain <= 0) throw new GankitError('config', `equalizedLearningRate: gain must be > 0, got ${gain}`);
  if (options.fanIn !== undefined && (!Number.isInteger(options.fanIn) || options.fanIn <= 0)) {
    throw new GankitError('config', `equalizedLearningRate: fanIn must be a positive integer, got ${options.fanIn}`);
  }
  return (kernelShape, name): WeightParametrization => {
    const fanIn = options.fanIn ?? kernelFanIn(kernelShape, name);
    if (!(fanIn > 0))
      throw new GankitError('shape', `equalizedLearningRate: kernel '${name}' of shape ${formatShape(kernelShape)} has no fan-in`);
    const scale = gain / Math.sqrt(fanIn);
    return {
      name: 'equalized-lr',
      variables: [],
      apply: (kernel) => tf.mul(kernel, scale),
      dispose: () => {
        // no state
      },
    };
  };
}

/** What {@link equalizedDense} and {@link equalizedConv2d} take beyond their layer's configuration. */
export interface EqualizedLayerOptions {
  /** The gain of He's constant (default √2; 1 for a linear output layer). */
  readonly gain?: number | undefined;
}

/**
 * A {@link dense} layer with the equalized learning rate (Karras et al. 2018, §4.1): kernel drawn
 * from N(0, 1), effective kernel `W · gain / sqrt(in)` at every forward pass (see
 * {@link equalizedLearningRate}); bias initialised to 0 and not scaled.
 */
export function equalizedDense(
  config: Omit<DenseConfig, 'kernelInitializer' | 'weightParametrization'> & EqualizedLayerOptions,
): LayerSpec {
  return dense({ ...config, kernelInitializer: normal(0, 1), weightParametrization: equalizedLearningRate({ gain: config.gain }) });
}

/**
 * A {@link conv2d} layer with the equalized learning rate (Karras et al. 2018, §4.1): kernel drawn
 * from N(0, 1), effective kernel `W · gain / sqrt(kh·kw·in)` at every forward pass (see
 * {@link equalizedLearningRate}); bias initialised to 0 and not scaled.
 */
export function equalizedConv2d(
  config: Omit<Conv2dConfig, 'kernelInitializer' | 'weightParametrization'> & EqualizedLayerOptions,
): LayerSpec {
  return conv2d({ ...config, kernelInitializer: normal(0, 1), weightParametrization: equalizedLearningRate({ gain: config.gain }) });
}
