import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { ApplyOptions } from '@gankit/core';
import { buildChain, LayerNamer } from '../chain';
import type { LayerChain } from '../chain';
import type { Layer, LayerBuildContext, LayerSpec } from '../layer';

/** Configuration of {@link residual}. */
export interface ResidualConfig {
  /** The residual branch F, applied in order. */
  readonly main: readonly LayerSpec[];
  /** The shortcut branch S (default: none, the identity). */
  readonly shortcut?: readonly LayerSpec[] | undefined;
  /** The kind used for automatic names (default `'residual'`, giving `residual_0`, ...). */
  readonly kind?: string | undefined;
  /** An explicit short name instead of `<kind>_<i>`. */
  readonly name?: string | undefined;
}

/** A built residual block: `F(x) + S(x)`, with both branches' layers exposed. */
export interface ResidualLayer extends Layer {
  /** The residual branch's layers, named `<block>/<kind>_<i>`. */
  readonly main: readonly Layer[];
  /** The shortcut branch's layers, named `<block>/shortcut/<kind>_<i>` (empty for the identity). */
  readonly shortcut: readonly Layer[];
}

/**
 * A residual block (He et al., 2016): `y = F(x) + S(x)` where F is a chain of layers and S a
 * shortcut chain, the identity when `shortcut` is empty or absent. Both branches must put out the
 * same shape (checked at build time). A plain layer spec, so it goes into {@link sequential} like any
 * other; the GAN ResNet blocks ({@link resBlockUp}, {@link resBlockDown},
 * {@link cycleganResidualBlock}) are built from it.
 *
 * Variables: the main branch's, layer by layer, then the shortcut's.
 */
export function residual(config: ResidualConfig): LayerSpec {
  if (!Array.isArray(config.main) || config.main.length === 0)
    throw new GankitError('config', 'residual: main must be a non-empty list of layer specs');
  const shortcut = config.shortcut ?? [];
  if (!Array.isArray(shortcut)) throw new GankitError('config', 'residual: shortcut must be a list of layer specs');
  return { kind: config.kind ?? 'residual', name: config.name, build: (ctx) => new Residual(ctx, config.main, shortcut) };
}

class Residual implements ResidualLayer {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly usesLabels: boolean;
  readonly trainableVariables: readonly tf.Variable[];
  readonly nonTrainableVariables: readonly tf.Variable[];
  private readonly mainChain: LayerChain;
  private readonly shortcutChain: LayerChain | null;

  constructor(ctx: LayerBuildContext, main: readonly LayerSpec[], shortcut: readonly LayerSpec[]) {
    this.name = ctx.name;
    this.inputShape = ctx.inputShape;
    const namer = new LayerNamer();
    const owner = `residual block '${ctx.name}'`;
    this.mainChain = buildChain(main, { scope: ctx.name, inputShape: ctx.inputShape, random: ctx.random, namer, owner });
    try {
      this.shortcutChain =
        shortcut.length === 0
          ? null
          : buildChain(shortcut, { scope: `${ctx.name}/shortcut`, inputShape: ctx.inputShape, random: ctx.random, namer, owner });
      const s = this.shortcutChain?.outputShape ?? ctx.inputShape;
      const m = this.mainChain.outputShape;
      if (s.length !== m.length || s.some((d, i) => d !== m[i])) {
        this.shortcutChain?.layers.forEach((l) => l.dispose());
        throw new GankitError(
          'shape',
          `${owner}: the main branch puts out ${formatShape([null, ...m])} but the shortcut ${formatShape([null, ...s])} for input ${formatShape([null, ...ctx.inputShape])}; they must match`,
        );
      }
    } catch (e) {
      this.mainChain.layers.forEach((l) => l.dispose());
      throw e;
    }
    const layers = [...this.main, ...this.shortcut];
    this.trainableVariables = layers.flatMap((l) => [...l.trainableVariables]);
    this.nonTrainableVariables = layers.flatMap((l) => [...l.nonTrainableVariables]);
    this.usesLabels = layers.some((l) => l.usesLabels);
  }

  get main(): readonly Layer[] {
    return this.mainChain.layers;
  }

  get shortcut(): readonly Layer[] {
    return this.shortcutChain?.layers ?? [];
  }

  outputShape(inputShape: readonly number[]): number[] {
    let shape = [...inputShape];
    for (const layer of this.main) shape = layer.outputShape(shape);
    return shape;
  }

  apply(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    return tf.tidy(() => {
      const f = this.mainChain.apply(x, options);
      const s = this.shortcutChain ? this.shortcutChain.apply(x, options) : x;
      return tf.add(f, s);
    });
  }

  dispose(): void {
    for (const layer of [...this.main, ...this.shortcut]) layer.dispose();
  }
}
