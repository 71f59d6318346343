import { GankitError, formatShape } from '@gankit/core';
import type { WeightParametrizationFactory } from '@gankit/core';
import { normal } from '../initializers';
import { checkPositiveInt } from '../layer';
import type { LayerSpec } from '../layer';
import { leakyRelu, relu, tanh } from '../layers/activations';
import { conv2d } from '../layers/conv2d';
import { conv2dTranspose } from '../layers/conv2d-transpose';
import { instanceNorm } from '../layers/instance-norm';
import { pad2d } from '../layers/pooling';
import type { PadMode } from '../layers/pooling';
import { residual } from '../layers/residual';
import { sequential } from '../sequential';
import type { SequentialNetwork } from '../sequential';

/** Configuration of {@link cycleganResidualBlock}. */
export interface CycleganResidualBlockConfig {
  /** Channels of the block (input and output). */
  readonly filters: number;
  /** Border handling of the 3×3 convs: `'reflect'` (default, as the paper) or `'zero'`. */
  readonly padding?: PadMode | undefined;
  /** An explicit short name instead of `cyclegan_res_block_<i>`. */
  readonly name?: string | undefined;
}

/**
 * CycleGAN's residual block R_k (Zhu et al., 2017, appendix): pad 1 → conv 3×3 (unpadded) →
 * instance norm → ReLU → pad 1 → conv 3×3 → instance norm, plus the identity. The convs have no bias
 * (instance norm cancels it). Needs `filters` equal to the input channels.
 */
export function cycleganResidualBlock(config: CycleganResidualBlockConfig): LayerSpec {
  const filters = checkPositiveInt(config.filters, 'cycleganResidualBlock: filters');
  const mode = config.padding ?? 'reflect';
  const init = normal(0, 0.02);
  return residual({
    kind: 'cyclegan_res_block',
    name: config.name,
    main: [
      pad2d({ padding: 1, mode }),
      conv2d({ filters, kernelSize: 3, padding: 'valid', useBias: false, kernelInitializer: init }),
      instanceNorm(),
      relu(),
      pad2d({ padding: 1, mode }),
      conv2d({ filters, kernelSize: 3, padding: 'valid', useBias: false, kernelInitializer: init }),
      instanceNorm(),
    ],
  });
}

/** Configuration of {@link cycleganGenerator}. */
export interface CycleganGeneratorConfig {
  /** Input image shape `[h, w, c]`; h and w divisible by 4 (e.g. `[28, 28, 1]`, `[32, 32, 3]`, `[256, 256, 3]`). */
  readonly imageShape: readonly [number, number, number];
  /** Channels of the output image (default: the input's). */
  readonly outputChannels?: number | undefined;
  /** k, the filters of the first layer (default 64; the blocks use 4k). Use e.g. 8–16 on a CPU. */
  readonly filters?: number | undefined;
  /** Number of residual blocks (default 6, the paper's choice for 128×128; 9 for 256×256). */
  readonly residualBlocks?: number | undefined;
  /** Border handling of the 7×7 and 3×3 convs: `'reflect'` (default, as the paper) or `'zero'`. */
  readonly padding?: PadMode | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'generator'`; a CycleGAN has two, e.g. `'g_ab'` and `'g_ba'`). */
  readonly name?: string | undefined;
}

/** Configuration of {@link patchganDiscriminator}. */
export interface PatchganDiscriminatorConfig {
  /** Input image shape `[h, w, c]`. */
  readonly imageShape: readonly [number, number, number];
  /** Filters of the first conv (default 64), doubled per layer up to 8×. Use e.g. 8–16 on a CPU. */
  readonly filters?: number | undefined;
  /** Number of stride-2 conv layers (default 3: C64-C128-C256). */
  readonly layers?: number | undefined;
  /** Reparametrizes every conv kernel (e.g. spectral normalization). */
  readonly weightParametrization?: WeightParametrizationFactory | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'discriminator'`; a CycleGAN has two, e.g. `'d_a'` and `'d_b'`). */
  readonly name?: string | undefined;
}

function checkImageShape(shape: readonly number[], what: string): [number, number, number] {
  if (!Array.isArray(shape) || shape.length !== 3 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new GankitError('config', `${what}: imageShape must be [height, width, channels], got ${JSON.stringify(shape)}`);
  }
  return [shape[0], shape[1], shape[2]];
}

/**
 * CycleGAN's ResNet generator (Zhu et al., 2017, appendix; after Johnson et al., 2016), with sizes
 * configurable for small images: c7s1-k, d2k, d4k, `residualBlocks` × R4k, u2k, uk, c7s1-out.
 *
 * - c7s1-k: pad 3 → conv 7×7 (unpadded) with k filters → instance norm → ReLU;
 * - dK: conv 3×3 stride 2 ('same') → instance norm → ReLU (halves the size);
 * - RK: {@link cycleganResidualBlock};
 * - uK: transposed conv 3×3 stride 2 ('same') → instance norm → ReLU (doubles the size);
 * - c7s1-out: pad 3 → conv 7×7 to the output channels → tanh.
 *
 * Padding is reflection (`pad2d`, written so that its gradient is right) unless `padding: 'zero'`.
 * Convs followed by instance norm have no bias. Output `[h, w, outputChannels]` in (-1, 1).
 * Kernels N(0, 0.02) as in the paper's code.
 */
export function cycleganGenerator(config: CycleganGeneratorConfig): SequentialNetwork {
  const what = 'cycleganGenerator';
  const [h, w, c] = checkImageShape(config.imageShape, what);
  if (h % 4 !== 0 || w % 4 !== 0)
    throw new GankitError('shape', `${what}: height and width must be divisible by 4, got ${formatShape([h, w, c])}`);
  const outputChannels = checkPositiveInt(config.outputChannels ?? c, `${what}: outputChannels`);
  const k = checkPositiveInt(config.filters ?? 64, `${what}: filters`);
  const blocks = config.residualBlocks ?? 6;
  if (!Number.isInteger(blocks) || blocks < 0)
    throw new GankitError('config', `${what}: residualBlocks must be a non-negative integer, got ${String(blocks)}`);
  const mode = config.padding ?? 'reflect';
  const init = normal(0, 0.02);
  const layers: LayerSpec[] = [
    pad2d({ padding: 3, mode }),
    conv2d({ filters: k, kernelSize: 7, padding: 'valid', useBias: false, kernelInitializer: init }),
    instanceNorm(),
    relu(),
  ];
  for (const f of [2 * k, 4 * k]) {
    layers.push(conv2d({ filters: f, kernelSize: 3, strides: 2, useBias: false, kernelInitializer: init }), instanceNorm(), relu());
  }
  for (let i = 0; i < blocks; i++) layers.push(cycleganResidualBlock({ filters: 4 * k, padding: mode }));
  for (const f of [2 * k, k]) {
    layers.push(
      conv2dTranspose({ filters: f, kernelSize: 3, strides: 2, useBias: false, kernelInitializer: init }),
      instanceNorm(),
      relu(),
    );
  }
  layers.push(
    pad2d({ padding: 3, mode }),
    conv2d({ filters: outputChannels, kernelSize: 7, padding: 'valid', kernelInitializer: init }),
    tanh(),
  );
  return sequential({ name: config.name ?? 'generator', inputShape: [h, w, c], seed: config.seed, layers });
}

/**
 * CycleGAN's PatchGAN discriminator (Isola et al., 2017; Zhu et al., 2017), scaled to small images:
 * `layers` convs 4×4 stride 2 ('same') with `filters`, 2·`filters`, ... (C64-C128-C256 by default),
 * each followed by leaky ReLU 0.2, with instance norm after all but the first; then a conv 4×4
 * stride 1 to one channel. (The 70×70 original on 256×256 images adds a stride-1 C512 layer; at
 * 28×28 or 32×32 three stride-2 layers already see most of the image.)
 *
 * The output is a **patch map** `[batch, ceil(h/2^layers), ceil(w/2^layers), 1]` of real/fake logits,
 * one per overlapping patch (`outputShape` says its size, e.g. `[4, 4, 1]` for 28×28 or 32×32), not
 * one logit per example: a loss over it averages over the patches as well as the batch.
 */
export function patchganDiscriminator(config: PatchganDiscriminatorConfig): SequentialNetwork {
  const what = 'patchganDiscriminator';
  const imageShape = checkImageShape(config.imageShape, what);
  const base = checkPositiveInt(config.filters ?? 64, `${what}: filters`);
  const count = checkPositiveInt(config.layers ?? 3, `${what}: layers`);
  const wp = config.weightParametrization;
  const init = normal(0, 0.02);
  const layers: LayerSpec[] = [];
  for (let i = 0; i < count; i++) {
    const norm = i > 0;
    layers.push(
      conv2d({
        filters: base * 2 ** Math.min(i, 3),
        kernelSize: 4,
        strides: 2,
        useBias: !norm,
        kernelInitializer: init,
        weightParametrization: wp,
      }),
    );
    if (norm) layers.push(instanceNorm());
    layers.push(leakyRelu({ alpha: 0.2 }));
  }
  layers.push(conv2d({ filters: 1, kernelSize: 4, strides: 1, kernelInitializer: init, weightParametrization: wp }));
  return sequential({ name: config.name ?? 'discriminator', inputShape: imageShape, seed: config.seed, layers });
}
