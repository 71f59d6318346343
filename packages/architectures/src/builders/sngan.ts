import { GankitError, formatShape } from '@gankit/core';
import type { WeightParametrizationFactory } from '@gankit/core';
import { checkPositiveInt } from '../layer';
import type { LayerSpec } from '../layer';
import { relu, tanh } from '../layers/activations';
import { batchNorm } from '../layers/batch-norm';
import { conv2d } from '../layers/conv2d';
import { dense } from '../layers/dense';
import { avgPool2d, globalSumPool2d } from '../layers/pooling';
import { residual } from '../layers/residual';
import { reshape, upsampling2d } from '../layers/shape-layers';
import { sequential } from '../sequential';
import type { SequentialNetwork } from '../sequential';

/** Configuration of {@link resBlockUp}. */
export interface ResBlockUpConfig {
  /** Output channels of the block. */
  readonly filters: number;
  /** An explicit short name instead of `res_block_up_<i>`. */
  readonly name?: string | undefined;
}

/** Configuration of {@link resBlockDown} and {@link optimizedResBlockDown}. */
export interface ResBlockDownConfig {
  /** Output channels of the block. */
  readonly filters: number;
  /** Halve height and width with 2×2 average pooling (default `true`; {@link resBlockDown} only). */
  readonly downsample?: boolean | undefined;
  /** Reparametrizes every conv kernel of the block (e.g. spectral normalization). */
  readonly weightParametrization?: WeightParametrizationFactory | undefined;
  /** An explicit short name instead of `res_block_down_<i>` / `optimized_res_block_<i>`. */
  readonly name?: string | undefined;
}

/**
 * SNGAN's generator block (Miyato et al., 2018, appendix; after Gulrajani et al., 2017): main branch
 * batch norm → ReLU → 2× nearest upsampling → conv 3×3 → batch norm → ReLU → conv 3×3; shortcut
 * 2× upsampling → conv 1×1. Output `[2h, 2w, filters]`. The first conv has no bias (batch norm
 * follows and would cancel it).
 */
export function resBlockUp(config: ResBlockUpConfig): LayerSpec {
  const filters = checkPositiveInt(config.filters, 'resBlockUp: filters');
  return residual({
    kind: 'res_block_up',
    name: config.name,
    main: [
      batchNorm(),
      relu(),
      upsampling2d(),
      conv2d({ filters, kernelSize: 3, useBias: false }),
      batchNorm(),
      relu(),
      conv2d({ filters, kernelSize: 3 }),
    ],
    shortcut: [upsampling2d(), conv2d({ filters, kernelSize: 1 })],
  });
}

/**
 * SNGAN's discriminator block: main branch ReLU → conv 3×3 → ReLU → conv 3×3 → (2×2 average pooling
 * when `downsample`); shortcut conv 1×1 → (average pooling), or the identity when the block neither
 * downsamples nor changes the channel count. `weightParametrization` goes to every conv.
 */
export function resBlockDown(config: ResBlockDownConfig): LayerSpec {
  const filters = checkPositiveInt(config.filters, 'resBlockDown: filters');
  const downsample = config.downsample ?? true;
  const wp = config.weightParametrization;
  const pool = downsample ? [avgPool2d()] : [];
  return {
    kind: 'res_block_down',
    name: config.name,
    build: (ctx) => {
      const learnable = downsample || ctx.inputShape[ctx.inputShape.length - 1] !== filters;
      const spec = residual({
        main: [
          relu(),
          conv2d({ filters, kernelSize: 3, weightParametrization: wp }),
          relu(),
          conv2d({ filters, kernelSize: 3, weightParametrization: wp }),
          ...pool,
        ],
        shortcut: learnable ? [conv2d({ filters, kernelSize: 1, weightParametrization: wp }), ...pool] : [],
      });
      return spec.build(ctx);
    },
  };
}

/**
 * SNGAN's first discriminator block ("optimized block", applied to the image itself): main branch
 * conv 3×3 → ReLU → conv 3×3 → 2×2 average pooling; shortcut average pooling → conv 1×1. No ReLU on
 * the input image. `weightParametrization` goes to every conv.
 */
export function optimizedResBlockDown(config: ResBlockDownConfig): LayerSpec {
  const filters = checkPositiveInt(config.filters, 'optimizedResBlockDown: filters');
  const wp = config.weightParametrization;
  return residual({
    kind: 'optimized_res_block',
    name: config.name,
    main: [
      conv2d({ filters, kernelSize: 3, weightParametrization: wp }),
      relu(),
      conv2d({ filters, kernelSize: 3, weightParametrization: wp }),
      avgPool2d(),
    ],
    shortcut: [avgPool2d(), conv2d({ filters, kernelSize: 1, weightParametrization: wp })],
  });
}

/** Configuration of {@link snganGenerator}. */
export interface SnganGeneratorConfig {
  /** Length of z (default 128). */
  readonly latentDim?: number | undefined;
  /** Channels of every block (default 256, as in the paper's CIFAR-10 model; use e.g. 32 on a CPU). */
  readonly channels?: number | undefined;
  /** Generated image shape `[4·2^n, 4·2^n, c]` (default `[32, 32, 3]`: three up-blocks). */
  readonly imageShape?: readonly [number, number, number] | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'generator'`). */
  readonly name?: string | undefined;
}

/** Configuration of {@link snganDiscriminator}. */
export interface SnganDiscriminatorConfig {
  /** Channels of every block (default 128, as in the paper's CIFAR-10 model; use e.g. 32 on a CPU). */
  readonly channels?: number | undefined;
  /** Input image shape (default `[32, 32, 3]`; height and width divisible by 4). */
  readonly imageShape?: readonly [number, number, number] | undefined;
  /** Reparametrizes every conv and dense kernel: pass spectral normalization here for SNGAN. */
  readonly weightParametrization?: WeightParametrizationFactory | undefined;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number | undefined;
  /** The network's name (default `'discriminator'`). */
  readonly name?: string | undefined;
}

function imageShapeOf(shape: readonly number[] | undefined, what: string): [number, number, number] {
  const s = shape ?? [32, 32, 3];
  if (!Array.isArray(s) || s.length !== 3 || s.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new GankitError('config', `${what}: imageShape must be [height, width, channels], got ${JSON.stringify(shape)}`);
  }
  return [s[0], s[1], s[2]];
}

/**
 * SNGAN's ResNet generator for 32×32×3 images (Miyato et al., 2018, Table 4; Gulrajani et al., 2017):
 * z → dense to `4×4×channels` → three {@link resBlockUp} blocks (4 → 8 → 16 → 32) → batch norm →
 * ReLU → conv 3×3 to the image channels → tanh. Other square sizes `4·2^n` use `n` up-blocks.
 */
export function snganGenerator(config: SnganGeneratorConfig = {}): SequentialNetwork {
  const what = 'snganGenerator';
  const latentDim = checkPositiveInt(config.latentDim ?? 128, `${what}: latentDim`);
  const channels = checkPositiveInt(config.channels ?? 256, `${what}: channels`);
  const [h, w, c] = imageShapeOf(config.imageShape, what);
  const blocks = Math.log2(h / 4);
  if (h !== w || !Number.isInteger(blocks) || blocks < 1) {
    throw new GankitError(
      'shape',
      `${what}: imageShape must be square with size 4·2^n (8, 16, 32, 64, ...), got ${formatShape([h, w, c])}`,
    );
  }
  const layers: LayerSpec[] = [dense({ units: 4 * 4 * channels }), reshape({ targetShape: [4, 4, channels] })];
  for (let i = 0; i < blocks; i++) layers.push(resBlockUp({ filters: channels }));
  layers.push(batchNorm(), relu(), conv2d({ filters: c, kernelSize: 3 }), tanh());
  return sequential({ name: config.name ?? 'generator', inputShape: [latentDim], seed: config.seed, layers });
}

/**
 * SNGAN's ResNet discriminator for 32×32×3 images (Miyato et al., 2018, Table 4):
 * {@link optimizedResBlockDown} (32 → 16) → {@link resBlockDown} (16 → 8) → two
 * {@link resBlockDown} blocks without downsampling (identity shortcuts) → ReLU → global sum pooling →
 * dense to one logit `[batch, 1]`. `weightParametrization` (spectral norm for SNGAN) is given to
 * every conv and the dense layer. Height and width must be divisible by 4.
 */
export function snganDiscriminator(config: SnganDiscriminatorConfig = {}): SequentialNetwork {
  const what = 'snganDiscriminator';
  const channels = checkPositiveInt(config.channels ?? 128, `${what}: channels`);
  const imageShape = imageShapeOf(config.imageShape, what);
  if (imageShape[0] % 4 !== 0 || imageShape[1] % 4 !== 0) {
    throw new GankitError('shape', `${what}: image height and width must be divisible by 4, got ${formatShape(imageShape)}`);
  }
  const wp = config.weightParametrization;
  const layers: LayerSpec[] = [
    optimizedResBlockDown({ filters: channels, weightParametrization: wp }),
    resBlockDown({ filters: channels, weightParametrization: wp }),
    resBlockDown({ filters: channels, downsample: false, weightParametrization: wp }),
    resBlockDown({ filters: channels, downsample: false, weightParametrization: wp }),
    relu(),
    globalSumPool2d(),
    dense({ units: 1, weightParametrization: wp }),
  ];
  return sequential({ name: config.name ?? 'discriminator', inputShape: imageShape, seed: config.seed, layers });
}
