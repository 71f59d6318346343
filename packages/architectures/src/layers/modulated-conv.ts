// StyleGAN2's modulated convolution with weight demodulation (Karras et al. 2020, §2.2, eqs. 1–3).
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { ApplyOptions } from '@gankit/core';
import { glorotUniform, ones, zeros } from '../initializers';
import type { Initializer } from '../initializers';
import { checkPositiveInt, createVariable, disposeVariables, expectRank } from '../layer';
import type { Layer, LayerBuildContext, LayerSpec } from '../layer';
import { StyleAffine, checkStyle } from './adain';
import { pair } from './conv-utils';

/**
 * The per-example kernels of StyleGAN2's modulated convolution (Karras et al. 2020, §2.2):
 *
 * - modulation, eq. 1: `w'_ijk = s_i · w_ijk` (input channel i, output channel j, tap k);
 * - demodulation, eq. 3: `w''_ijk = w'_ijk / √(Σ_{i,k} w'_ijk² + ε)`, which rescales each output
 *   feature map back to unit standard deviation (eq. 2) for unit-variance inputs.
 *
 * `kernel` is `[kh, kw, in, out]`, `styles` s is `[batch, in]`; returns `[batch, kh, kw, in, out]`.
 * This is the direct form, for reference and tests; {@link modulatedConv2d} computes the same
 * convolution without materialising one kernel per example.
 *
 * @param demodulate - apply eq. 3 (default `true`)
 * @param epsilon - ε of eq. 3 (default 1e-8)
 */
export function modulateKernel(kernel: tf.Tensor, styles: tf.Tensor, demodulate = true, epsilon = 1e-8): tf.Tensor {
  const what = 'modulateKernel';
  if (!(kernel instanceof tf.Tensor) || kernel.rank !== 4)
    throw new GankitError(
      'shape',
      `${what}: kernel must be [kh, kw, in, out], got ${kernel instanceof tf.Tensor ? formatShape(kernel.shape) : String(kernel)}`,
    );
  const inChannels = kernel.shape[2];
  if (!(styles instanceof tf.Tensor) || styles.rank !== 2 || styles.shape[1] !== inChannels) {
    throw new GankitError(
      'shape',
      `${what}: styles must be [batch, ${inChannels}] (one scale per input channel), got ${styles instanceof tf.Tensor ? formatShape(styles.shape) : String(styles)}`,
    );
  }
  return tf.tidy(() => {
    const [kh, kw, i, o] = kernel.shape;
    const b = styles.shape[0];
    const modulated = tf.mul(tf.expandDims(kernel, 0), tf.reshape(styles, [b, 1, 1, i, 1])); // eq. 1
    if (!demodulate) return modulated;
    const norm = tf.rsqrt(tf.add(tf.sum(tf.square(modulated), [1, 2, 3], true), epsilon)); // eq. 3
    return tf.reshape(tf.mul(modulated, norm), [b, kh, kw, i, o]);
  });
}

/** Configuration of {@link modulatedConv2d}. */
export interface ModulatedConv2dConfig {
  /** Number of output channels. */
  readonly filters: number;
  /** Kernel height and width (one number for a square kernel); stride 1, `'same'` padding. */
  readonly kernelSize: number | readonly [number, number];
  /** Length d of the style vector w `[batch, d]`. */
  readonly styleDim: number;
  /** Demodulate (eq. 3; default `true`). StyleGAN2's toRGB layers do not. */
  readonly demodulate?: boolean | undefined;
  /** Add a per-channel bias after the convolution (default `true`). */
  readonly useBias?: boolean | undefined;
  /** ε of eq. 3 (default 1e-8). */
  readonly epsilon?: number | undefined;
  /** Initialiser of the kernel and of the affine map's kernel (default {@link glorotUniform}). */
  readonly kernelInitializer?: Initializer | undefined;
  /** An explicit short name instead of `modulated_conv2d_<i>`. */
  readonly name?: string | undefined;
}

/** A built {@link modulatedConv2d}: it is applied with a style vector. */
export interface ModulatedConv2dLayer extends Layer {
  /** Length d of the style vector. */
  readonly styleDim: number;
  /** The modulation scales s = A(w) `[batch, in]` of a style batch; the caller disposes them. */
  styles(w: tf.Tensor): tf.Tensor;
  /** The modulated (and demodulated) convolution of `x` `[batch, h, w, in]` with the style `w` `[batch, styleDim]`. */
  applyStyled(x: tf.Tensor, w: tf.Tensor, options: ApplyOptions): tf.Tensor;
}

/**
 * StyleGAN2's modulated convolution (Karras et al. 2020, §2.2): the style `s = A(w) = w·W_A + b_A`
 * (b_A starts at 1) scales the kernel's input channels, `w'_ijk = s_i · w_ijk` (eq. 1), and
 * demodulation divides each output channel's kernel by its norm, `w''_ijk = w'_ijk / √(Σ_{i,k}
 * w'_ijk² + ε)` (eq. 3), replacing AdaIN's normalisation of the activations by an expected one
 * (eq. 2). One kernel per example; computed, as the paper's non-fused path does, as
 * `conv(x ⊙ s, W) ⊙ d` with `d_j = 1/√(Σ_i s_i² Σ_k w_ijk² + ε)` — the same values as convolving
 * with {@link modulateKernel}'s kernels. Stride 1 with `'same'` padding (upsample before it).
 *
 * Applied through {@link ModulatedConv2dLayer.applyStyled}; plain `apply` throws. Trainable
 * variables: `<name>/kernel` `[kh, kw, in, filters]`, `<name>/bias` (with `useBias`), then the affine
 * map `<name>/style_kernel` `[d, in]`, `<name>/style_bias` `[in]`.
 */
export function modulatedConv2d(config: ModulatedConv2dConfig): LayerSpec {
  const what = 'modulatedConv2d';
  const filters = checkPositiveInt(config.filters, `${what}: filters`);
  const kernelSize = pair(config.kernelSize, 0, `${what}: kernelSize`);
  const styleDim = checkPositiveInt(config.styleDim, `${what}: styleDim`);
  const epsilon = config.epsilon ?? 1e-8;
  if (!(epsilon > 0 && Number.isFinite(epsilon))) throw new GankitError('config', `${what}: epsilon must be > 0, got ${epsilon}`);
  const demodulate = config.demodulate ?? true;
  if (typeof demodulate !== 'boolean')
    throw new GankitError('config', `${what}: demodulate must be true or false, got ${String(demodulate)}`);
  return {
    kind: 'modulated_conv2d',
    name: config.name,
    build: (ctx) => new ModulatedConv2d(ctx, filters, kernelSize, styleDim, demodulate, epsilon, config),
  };
}

/** The layer as a {@link ModulatedConv2dLayer}, or a clear error when it is another kind. */
export function asModulatedConv2d(layer: Layer): ModulatedConv2dLayer {
  if (!(layer instanceof ModulatedConv2d)) throw new GankitError('argument', `layer '${layer.name}' is not a modulatedConv2d layer`);
  return layer;
}

class ModulatedConv2d implements ModulatedConv2dLayer {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly usesLabels = false;
  readonly trainableVariables: tf.Variable[] = [];
  readonly nonTrainableVariables: tf.Variable[] = [];
  private readonly kernel: tf.Variable;
  private readonly bias: tf.Variable | null = null;
  private readonly affine: StyleAffine;

  constructor(
    ctx: LayerBuildContext,
    private readonly filters: number,
    kernelSize: [number, number],
    readonly styleDim: number,
    private readonly demodulate: boolean,
    private readonly epsilon: number,
    config: ModulatedConv2dConfig,
  ) {
    this.name = ctx.name;
    this.inputShape = ctx.inputShape;
    this.outputShape(ctx.inputShape);
    const init = config.kernelInitializer ?? glorotUniform();
    const inChannels = ctx.inputShape[2];
    this.kernel = createVariable(`${this.name}/kernel`, () => init([kernelSize[0], kernelSize[1], inChannels, filters], ctx.random), true);
    this.trainableVariables.push(this.kernel);
    try {
      if (config.useBias ?? true) {
        this.bias = createVariable(`${this.name}/bias`, () => zeros()([filters], ctx.random), true);
        this.trainableVariables.push(this.bias);
      }
      this.affine = new StyleAffine(`${this.name}/style`, ctx, styleDim, inChannels, init, ones());
      this.trainableVariables.push(this.affine.kernel, this.affine.bias);
    } catch (e) {
      disposeVariables(this.trainableVariables);
      throw e;
    }
  }

  outputShape(inputShape: readonly number[]): number[] {
    expectRank(this.name, inputShape, 3, 'modulatedConv2d takes NHWC images [batch, height, width, channels]');
    return [inputShape[0], inputShape[1], this.filters];
  }

  apply(_x: tf.Tensor, _options: ApplyOptions): tf.Tensor {
    throw new GankitError(
      'argument',
      `layer '${this.name}' is applied with a style: call applyStyled(x, w, options) (e.g. in a graphNetwork)`,
    );
  }

  styles(w: tf.Tensor): tf.Tensor {
    checkStyle(this.name, w, w instanceof tf.Tensor ? w.shape[0] : 0, this.styleDim);
    return tf.tidy(() => this.affine.apply(w));
  }

  applyStyled(x: tf.Tensor, w: tf.Tensor, _options: ApplyOptions): tf.Tensor {
    checkStyle(this.name, w, x.shape[0], this.styleDim);
    return tf.tidy(() => {
      const [b, , , i] = x.shape;
      const s = this.affine.apply(w); // [b, in]
      let y = tf.conv2d(tf.mul(x, tf.reshape(s, [b, 1, 1, i])) as tf.Tensor4D, this.kernel as tf.Tensor4D, 1, 'same');
      if (this.demodulate) {
        const kernelEnergy = tf.sum(tf.square(this.kernel), [0, 1]); // [in, out]: Σ_k w_ijk²
        const d = tf.rsqrt(tf.add(tf.matMul(tf.square(s) as tf.Tensor2D, kernelEnergy as tf.Tensor2D), this.epsilon)); // [b, out]
        y = tf.mul(y, tf.reshape(d, [b, 1, 1, this.filters]));
      }
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }

  dispose(): void {
    disposeVariables(this.trainableVariables);
  }
}
