import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';
import type { ApplyOptions, WeightParametrizationFactory } from '@gankit/core';
import type { Initializer } from '../initializers';
import { checkPositiveInt, createVariable, disposeVariables, expectRank } from '../layer';
import type { Layer, LayerBuildContext, LayerSpec } from '../layer';
import { KernelWeights } from './weights';

/** Configuration of {@link selfAttention}. */
export interface SelfAttentionConfig {
  /**
   * Channels C̄ of the query and key projections (default `max(1, floor(C / 8))`, the paper's
   * `C̄ = C/8`).
   */
  readonly keyChannels?: number | undefined;
  /**
   * Channels of the value projection h(x), which the output projection v maps back to C (default:
   * the same as `keyChannels`, as in the paper; BigGAN's code uses C/2).
   */
  readonly valueChannels?: number | undefined;
  /** Biases in the four 1×1 projections (default `false`, as in the reference code). */
  readonly useBias?: boolean | undefined;
  /** Initialiser of the four projection kernels (default Glorot uniform). */
  readonly kernelInitializer?: Initializer | undefined;
  /**
   * Reparametrizes the four projection kernels (spectral normalization from
   * `@gankit/regularizers`, as SAGAN uses in both G and D).
   */
  readonly weightParametrization?: WeightParametrizationFactory | undefined;
  /** An explicit short name instead of `self_attention_<i>`. */
  readonly name?: string | undefined;
}

/** A built {@link selfAttention} layer: the layer plus its gate and attention maps. */
export interface SelfAttentionLayer extends Layer {
  /** The learned gate γ (a scalar variable, 0 at initialisation). */
  readonly gamma: tf.Variable;
  /** Channels C̄ of the query and key projections. */
  readonly keyChannels: number;
  /** Channels of the value projection. */
  readonly valueChannels: number;
  /**
   * The attention maps β for a batch of this layer's inputs `[n, h, w, C]`: a tensor
   * `[n, h·w, h·w]` whose row `j` (a query position, row-major `y·w + x`) is the softmax over the
   * positions `i` it attends to (each row sums to 1). The caller disposes it.
   */
  attention(x: tf.Tensor, options: ApplyOptions): tf.Tensor3D;
}

/**
 * Self-attention for NHWC feature maps (SAGAN, Zhang et al. 2019, §3). With the 1×1 projections
 * f (key), g (query), h (value) and v (output) of the input x `[n, H, W, C]`, over the N = H·W
 * positions:
 *
 * - eq. 1: `s_ij = f(x_i)ᵀ g(x_j)` and `β_{j,i} = exp(s_ij) / Σ_i exp(s_ij)` (a softmax over the
 *   positions i for each query position j; no `1/√C̄` scaling, as in the paper);
 * - eq. 2: `o_j = v(Σ_i β_{j,i} h(x_i))`;
 * - eq. 3: `y_i = γ·o_i + x_i`, with the learned scalar gate γ initialised to 0, so the layer
 *   starts as the identity and the network learns to lean on non-local evidence gradually.
 *
 * f and g have C̄ = `keyChannels` channels (default C/8), h has `valueChannels` (default C̄), v maps
 * back to C. Any spatial size works; memory grows as (H·W)², so place it at a middle resolution
 * (SAGAN puts it at 32×32 of 128×128 images; 14×14 suits 28×28). Output shape = input shape.
 *
 * Variables: `<name>/query/kernel`, `<name>/key/kernel`, `<name>/value/kernel`,
 * `<name>/output/kernel` (each followed by its bias when `useBias`), then `<name>/gamma`.
 * {@link SelfAttentionLayer.attention} gives the maps β for pictures.
 *
 * @example
 * ```ts
 * const layers = [conv2d({ filters: 64, kernelSize: 3 }), selfAttention(), leakyRelu()];
 * ```
 */
export function selfAttention(config: SelfAttentionConfig = {}): LayerSpec {
  const keyChannels = config.keyChannels === undefined ? undefined : checkPositiveInt(config.keyChannels, 'selfAttention: keyChannels');
  const valueChannels =
    config.valueChannels === undefined ? undefined : checkPositiveInt(config.valueChannels, 'selfAttention: valueChannels');
  return {
    kind: 'self_attention',
    name: config.name,
    build: (ctx) => new SelfAttention(ctx, keyChannels, valueChannels, config),
  };
}

/** Reads `layer` as a built {@link selfAttention} layer, or throws naming it. */
export function asSelfAttention(layer: Layer): SelfAttentionLayer {
  if (!(layer instanceof SelfAttention)) throw new GankitError('config', `layer '${layer.name}' is not a selfAttention layer`);
  return layer;
}

class SelfAttention implements SelfAttentionLayer {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly usesLabels = false;
  readonly keyChannels: number;
  readonly valueChannels: number;
  readonly gamma: tf.Variable;
  readonly trainableVariables: readonly tf.Variable[];
  readonly nonTrainableVariables: readonly tf.Variable[];
  private readonly projections: KernelWeights[] = [];

  constructor(ctx: LayerBuildContext, keyChannels: number | undefined, valueChannels: number | undefined, config: SelfAttentionConfig) {
    this.name = ctx.name;
    this.inputShape = ctx.inputShape;
    this.outputShape(ctx.inputShape);
    const c = ctx.inputShape[2];
    this.keyChannels = keyChannels ?? Math.max(1, Math.floor(c / 8));
    this.valueChannels = valueChannels ?? this.keyChannels;
    const kernel = {
      useBias: config.useBias ?? false,
      kernelInitializer: config.kernelInitializer,
      weightParametrization: config.weightParametrization,
    };
    const shapes: [string, number, number][] = [
      ['query', c, this.keyChannels],
      ['key', c, this.keyChannels],
      ['value', c, this.valueChannels],
      ['output', this.valueChannels, c],
    ];
    try {
      for (const [part, inC, outC] of shapes) {
        const sub: LayerBuildContext = { name: `${ctx.name}/${part}`, inputShape: ctx.inputShape, random: ctx.random.fork(part) };
        this.projections.push(new KernelWeights(sub, [1, 1, inC, outC], outC, kernel));
      }
      this.gamma = createVariable(`${ctx.name}/gamma`, () => tf.scalar(0), true);
    } catch (e) {
      for (const p of this.projections) p.dispose();
      throw e;
    }
    this.trainableVariables = [...this.projections.flatMap((p) => p.trainable), this.gamma];
    this.nonTrainableVariables = this.projections.flatMap((p) => p.nonTrainable);
  }

  outputShape(inputShape: readonly number[]): number[] {
    expectRank(this.name, inputShape, 3, 'selfAttention takes NHWC feature maps [batch, height, width, channels]');
    return [...inputShape];
  }

  /** A 1×1 projection of positions `[m, inC]` to `[m, outC]`. */
  private project(i: number, flat: tf.Tensor2D, options: ApplyOptions): tf.Tensor2D {
    const p = this.projections[i];
    const k = p.effectiveKernel(options);
    const y: tf.Tensor2D = tf.matMul(flat, tf.reshape(k, [k.shape[2] as number, k.shape[3] as number]) as tf.Tensor2D);
    return p.bias ? tf.add<tf.Tensor2D>(y, p.bias) : y;
  }

  /** β `[n, p, p]` and the values h(x) `[n, p, valueChannels]`. */
  private attend(x: tf.Tensor, options: ApplyOptions): { beta: tf.Tensor3D; values: tf.Tensor3D } {
    const [n, h, w, c] = x.shape;
    const p = h * w;
    const flat = tf.reshape(x, [n * p, c]) as tf.Tensor2D;
    const query = tf.reshape(this.project(0, flat, options), [n, p, this.keyChannels]) as tf.Tensor3D;
    const key = tf.reshape(this.project(1, flat, options), [n, p, this.keyChannels]) as tf.Tensor3D;
    const values = tf.reshape(this.project(2, flat, options), [n, p, this.valueChannels]) as tf.Tensor3D;
    // s[j, i] = g(x_j)·f(x_i); softmax over the attended positions i (the last axis).
    const beta = tf.softmax(tf.matMul(query, key, false, true)) as tf.Tensor3D;
    return { beta, values };
  }

  attention(x: tf.Tensor, options: ApplyOptions): tf.Tensor3D {
    this.checkInput(x);
    return tf.tidy(() => this.attend(x, options).beta);
  }

  apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    return tf.tidy(() => {
      const [n, h, w, c] = x.shape;
      const { beta, values } = this.attend(x, options);
      const mixed = tf.reshape(tf.matMul(beta, values), [n * h * w, this.valueChannels]) as tf.Tensor2D;
      const o = tf.reshape(this.project(3, mixed, options), [n, h, w, c]);
      return tf.add(x, tf.mul(this.gamma, o));
    });
  }

  private checkInput(x: tf.Tensor): void {
    const want = this.inputShape;
    if (x.rank !== 4 || want.some((d, i) => x.shape[i + 1] !== d)) {
      throw new GankitError('shape', `layer '${this.name}' expects input [batch, ${want.join(', ')}], got [${x.shape.join(', ')}]`);
    }
  }

  dispose(): void {
    for (const p of this.projections) p.dispose();
    disposeVariables([this.gamma]);
  }
}

/** Options of {@link selfAttentionMap}. */
export interface SelfAttentionMapOptions {
  /** The attention layer's short or full name (default: the network's first selfAttention layer). */
  readonly layer?: string | undefined;
  /** Class labels for conditional layers before it. */
  readonly labels?: tf.Tensor | undefined;
}

/**
 * The attention maps β (SAGAN eq. 1) of a self-attention layer inside a network whose layers run
 * in a line (a {@link sequential} network, such as the DCGAN builders with `selfAttention`): runs
 * the layers before it on `x` in inference mode and returns `[n, h·w, h·w]`; row `j` is where query
 * position `j` looks. The caller disposes it.
 */
export function selfAttentionMap(
  network: { readonly name: string; readonly layers: readonly Layer[] },
  x: tf.Tensor,
  options: SelfAttentionMapOptions = {},
): tf.Tensor3D {
  const wanted = options.layer;
  const index = network.layers.findIndex(
    (l) => l instanceof SelfAttention && (wanted === undefined || l.name === wanted || l.name === `${network.name}/${wanted}`),
  );
  if (index < 0) {
    throw new GankitError(
      'config',
      `network '${network.name}' has no selfAttention layer${wanted === undefined ? '' : ` named '${wanted}'`}`,
    );
  }
  const apply: ApplyOptions = { training: false, labels: options.labels };
  return tf.tidy(() => {
    let h = x;
    for (const layer of network.layers.slice(0, index)) h = layer.apply(h, apply);
    return (network.layers[index] as SelfAttention).attention(h, apply);
  });
}
