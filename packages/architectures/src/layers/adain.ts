// Adaptive instance normalization (Huang & Belongie 2017; StyleGAN, Karras et al. 2019, eq. 1) and
// the learned affine map A from a style vector w to per-channel styles that it shares with the
// modulated convolution of StyleGAN2.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { ApplyOptions } from '@gankit/core';
import { glorotUniform, ones, zeros } from '../initializers';
import type { Initializer } from '../initializers';
import { checkPositiveInt, createVariable, disposeVariables } from '../layer';
import type { Layer, LayerBuildContext, LayerSpec } from '../layer';

/**
 * Adaptive instance normalization, StyleGAN's eq. 1 (Karras et al. 2019; Huang & Belongie 2017):
 *
 * `AdaIN(x_i, y) = y_{s,i} · (x_i − μ(x_i)) / σ(x_i) + y_{b,i}`
 *
 * where μ(x_i) and σ(x_i) are the mean and standard deviation of feature map i of one example over
 * its spatial axes (`σ = √(var + ε)`, the biased variance), and `y_s`, `y_b` are the per-example,
 * per-channel scale and bias of the style. `x` is `[batch, ...spatial, channels]` (at least one
 * spatial axis); `scale` and `shift` are `[batch, channels]`. Returns a new tensor of `x`'s shape.
 *
 * @param epsilon - added to the variance before the square root (default 1e-8, as StyleGAN)
 */
export function adaptiveInstanceNorm(x: tf.Tensor, scale: tf.Tensor, shift: tf.Tensor, epsilon = 1e-8): tf.Tensor {
  const what = 'adaptiveInstanceNorm';
  if (!(x instanceof tf.Tensor) || x.rank < 3)
    throw new GankitError('shape', `${what}: x must be [batch, ...spatial, channels] with a spatial axis, got ${describe(x)}`);
  const want = [x.shape[0], x.shape[x.rank - 1]];
  for (const [name, t] of [
    ['scale', scale],
    ['shift', shift],
  ] as const) {
    if (!(t instanceof tf.Tensor) || t.rank !== 2 || t.shape[0] !== want[0] || t.shape[1] !== want[1]) {
      throw new GankitError('shape', `${what}: ${name} must have shape ${formatShape(want)} (batch, channels), got ${describe(t)}`);
    }
  }
  if (!(epsilon > 0 && Number.isFinite(epsilon))) throw new GankitError('config', `${what}: epsilon must be > 0, got ${epsilon}`);
  return tf.tidy(() => {
    const axes = x.shape.slice(1, -1).map((_, i) => i + 1);
    const { mean, variance } = tf.moments(x, axes, true);
    const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
    const perExample = [x.shape[0], ...new Array(x.rank - 2).fill(1), x.shape[x.rank - 1]];
    return tf.add(tf.mul(normalized, tf.reshape(scale, perExample)), tf.reshape(shift, perExample));
  });
}

function describe(t: unknown): string {
  return t instanceof tf.Tensor ? formatShape(t.shape) : String(t);
}

/**
 * A learned affine map of a style vector, StyleGAN's "A" (Karras et al. 2019, §2): `y = w·W + b`
 * for `w` `[batch, d]`, `W` `[d, units]`. Kept out of the public API; the style layers own one or two.
 *
 * @internal
 */
export class StyleAffine {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(name: string, ctx: LayerBuildContext, styleDim: number, units: number, kernelInit: Initializer, biasInit: Initializer) {
    this.kernel = createVariable(`${name}_kernel`, () => kernelInit([styleDim, units], ctx.random), true);
    try {
      this.bias = createVariable(`${name}_bias`, () => biasInit([units], ctx.random), true);
    } catch (e) {
      this.kernel.dispose();
      throw e;
    }
  }

  /** `w·W + b`, `[batch, units]`. */
  apply(w: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(w as tf.Tensor2D, this.kernel as tf.Tensor2D), this.bias);
  }
}

/** Throws unless `w` is a float32 style batch `[batch, styleDim]`. @internal */
export function checkStyle(layer: string, w: unknown, batch: number, styleDim: number): asserts w is tf.Tensor {
  if (!(w instanceof tf.Tensor) || w.rank !== 2 || w.shape[0] !== batch || w.shape[1] !== styleDim) {
    throw new GankitError('shape', `layer '${layer}': the style w must have shape [${batch}, ${styleDim}], got ${describe(w)}`);
  }
  if (w.dtype !== 'float32') throw new GankitError('dtype', `layer '${layer}': the style w must be float32, got ${w.dtype}`);
}

/** Configuration of {@link adain}. */
export interface AdainConfig {
  /** Length d of the style vector w `[batch, d]`. */
  readonly styleDim: number;
  /** Added to the variance before the square root (default 1e-8). */
  readonly epsilon?: number | undefined;
  /** Initialiser of the affine kernels `[d, channels]` (default {@link glorotUniform}). */
  readonly kernelInitializer?: Initializer | undefined;
  /** An explicit short name instead of `adain_<i>`. */
  readonly name?: string | undefined;
}

/** A built {@link adain} layer: it is applied with a style vector. */
export interface AdainLayer extends Layer {
  /** Length d of the style vector. */
  readonly styleDim: number;
  /** The styles `[y_s, y_b]` (`[batch, channels]` each) that `w` `[batch, d]` gives; the caller disposes them. */
  styles(w: tf.Tensor): [tf.Tensor, tf.Tensor];
  /** {@link adaptiveInstanceNorm} of `x` with the styles of `w` `[batch, styleDim]`. */
  applyStyled(x: tf.Tensor, w: tf.Tensor, options: ApplyOptions): tf.Tensor;
}

/**
 * StyleGAN's style layer (Karras et al. 2019, §2 and eq. 1): a learned affine transform "A" turns
 * the intermediate latent w into a style `y = (y_s, y_b)`, `y_s = w·W_s + b_s` (b_s starts at 1, so
 * the initial scale is near 1) and `y_b = w·W_b + b_b` (b_b starts at 0), that
 * {@link adaptiveInstanceNorm} applies to each feature map:
 * `AdaIN(x_i, y) = y_{s,i} · (x_i − μ(x_i))/σ(x_i) + y_{b,i}`.
 *
 * It takes two inputs, so it is applied through {@link AdainLayer.applyStyled} (inside a
 * {@link graphNetwork}, as {@link styleGenerator} does); plain `apply` throws. Trainable variables:
 * `<name>/scale_kernel`, `<name>/scale_bias`, `<name>/shift_kernel`, `<name>/shift_bias`.
 */
export function adain(config: AdainConfig): LayerSpec {
  const styleDim = checkPositiveInt(config.styleDim, 'adain: styleDim');
  const epsilon = config.epsilon ?? 1e-8;
  if (!(epsilon > 0 && Number.isFinite(epsilon))) throw new GankitError('config', `adain: epsilon must be > 0, got ${epsilon}`);
  return {
    kind: 'adain',
    name: config.name,
    build: (ctx) => new Adain(ctx, styleDim, epsilon, config.kernelInitializer ?? glorotUniform()),
  };
}

/** The layer as an {@link AdainLayer}, or a clear error when it is another kind. */
export function asAdain(layer: Layer): AdainLayer {
  if (!(layer instanceof Adain)) throw new GankitError('argument', `layer '${layer.name}' is not an adain layer`);
  return layer;
}

class Adain implements AdainLayer {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly usesLabels = false;
  readonly trainableVariables: tf.Variable[] = [];
  readonly nonTrainableVariables: tf.Variable[] = [];
  private readonly scale: StyleAffine;
  private readonly shift: StyleAffine;

  constructor(
    ctx: LayerBuildContext,
    readonly styleDim: number,
    private readonly epsilon: number,
    init: Initializer,
  ) {
    this.name = ctx.name;
    this.inputShape = ctx.inputShape;
    this.outputShape(ctx.inputShape);
    const channels = ctx.inputShape[ctx.inputShape.length - 1];
    this.scale = new StyleAffine(`${this.name}/scale`, ctx, styleDim, channels, init, ones());
    try {
      this.shift = new StyleAffine(`${this.name}/shift`, ctx, styleDim, channels, init, zeros());
    } catch (e) {
      disposeVariables([this.scale.kernel, this.scale.bias]);
      throw e;
    }
    this.trainableVariables.push(this.scale.kernel, this.scale.bias, this.shift.kernel, this.shift.bias);
  }

  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length < 2) {
      throw new GankitError(
        'shape',
        `layer '${this.name}': AdaIN needs at least one spatial axis before the channels (e.g. [?, h, w, c]), got ${formatShape([null, ...inputShape])}`,
      );
    }
    return [...inputShape];
  }

  apply(_x: tf.Tensor, _options: ApplyOptions): tf.Tensor {
    throw new GankitError(
      'argument',
      `layer '${this.name}' is applied with a style: call applyStyled(x, w, options) (e.g. in a graphNetwork)`,
    );
  }

  styles(w: tf.Tensor): [tf.Tensor, tf.Tensor] {
    checkStyle(this.name, w, w instanceof tf.Tensor ? w.shape[0] : 0, this.styleDim);
    return tf.tidy(() => [this.scale.apply(w), this.shift.apply(w)] as [tf.Tensor, tf.Tensor]);
  }

  applyStyled(x: tf.Tensor, w: tf.Tensor, _options: ApplyOptions): tf.Tensor {
    checkStyle(this.name, w, x.shape[0], this.styleDim);
    return tf.tidy(() => adaptiveInstanceNorm(x, this.scale.apply(w), this.shift.apply(w), this.epsilon));
  }

  dispose(): void {
    disposeVariables(this.trainableVariables);
  }
}
