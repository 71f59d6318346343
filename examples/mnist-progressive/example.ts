// mnist-progressive and its control: `gankit train --example mnist-progressive | mnist-progressive-no-growth`.
import fs from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { RandomSource, type GanPlugin, type JsonValue } from '@gankit/core';
import { progressiveDiscriminator, progressiveGenerator } from '@gankit/architectures';
import type { AveragingPlugin } from '@gankit/averaging';
import { nonSaturating } from '@gankit/losses';
import { imageGrid } from '@gankit/report';
import {
  perVariableAdam,
  progressiveGrowth,
  progressiveSchedule,
  type GrowingNetwork,
  type ProgressiveScheduleOptions,
  type Trainer,
} from '@gankit/trainer';
import {
  MNIST_IMAGE_DEFAULTS,
  findAverager,
  mnistImageExample,
  type Example,
  type ExampleOutputs,
  type ExampleSetup,
  type MnistImageSettings,
  type RunFacts,
} from '@gankit/cli';

/** The mnist-progressive example's settings (the defaults of `gankit train --example mnist-progressive`). */
export const MNIST_PROGRESSIVE: MnistProgressiveSettings & { readonly steps: number; readonly batchSize: number } = {
  ...MNIST_IMAGE_DEFAULTS,
  steps: 2000,
  batchSize: 64,
  /**
   * Karras et al.'s Adam: lr 1e-3, β = (0, 0.99), for both players, as `perVariableAdam` (each
   * variable bias-corrected from its own first update, so a block that fades in starts with Adam's
   * first steps; tfjs's Adam would give it about 10·lr).
   */
  learningRate: 1e-3,
  beta1: 0,
  beta2: 0.99,
  /** Length of z. */
  latentDim: 128,
  /**
   * Filters of the 7×7, 14×14 and 28×28 blocks (G and D). [64, 32, 16] took 3 s an iteration at
   * 28×28 in a smoke run under load, [64, 32, 8] 2.1 s, [32, 16, 8] 1.3 s.
   */
  filters: [32, 16, 8],
  /** Group size of D's minibatch standard-deviation layer. */
  minibatchStddevGroupSize: 4,
  /**
   * Images at each resolution with α = 1 and images of each fade-in: 2,000 iterations of 64 images
   * split into five phases of 400 (7 stable, 14 fading in, 14 stable, 28 fading in, 28 stable).
   */
  stableImages: 25_600,
  fadeImages: 25_600,
  /** Samples in each per-resolution grid. */
  resolutionGridSamples: 64,
};

/** The settings a progressive example is built from (tests shorten the schedule and the networks). */
export interface MnistProgressiveSettings extends MnistImageSettings, ProgressiveScheduleOptions {
  /** Length of z. */
  readonly latentDim: number;
  /** Filters of the 7×7, 14×14 and 28×28 blocks (G and D). */
  readonly filters: readonly number[];
  /** Group size of D's minibatch standard-deviation layer. */
  readonly minibatchStddevGroupSize: number;
  /** Samples in each per-resolution grid. */
  readonly resolutionGridSamples: number;
}

/** `grids/resolution-07.png`, ...: the file of a resolution's grid. */
export function resolutionGridFile(resolution: number): string {
  return path.join('grids', `resolution-${String(resolution).padStart(2, '0')}.png`);
}

/**
 * A plugin that writes the last grid of each resolution, `grids/resolution-RR.png`: after the last
 * iteration of a resolution's stable phase (the next one starts the next resolution's fade-in), the
 * generator (averaged weights when there is an averager) at that resolution with α = 1, from fixed
 * latent points. It changes no weight or random draw of the training.
 */
function resolutionGrids(options: {
  readonly dir: string;
  readonly seed: number;
  readonly samples: number;
  readonly schedule: ProgressiveScheduleOptions;
  readonly averager: () => AveragingPlugin | undefined;
}): GanPlugin & { render(generator: GrowingNetwork, stage: number, alpha: number): string } {
  let z: tf.Tensor | undefined;
  const render = (g: GrowingNetwork, stage: number, alpha: number): string => {
    z ??= new RandomSource(options.seed).fork('resolution-grid').normal([options.samples, ...g.inputShape]);
    const { stage: was, alpha: wasAlpha } = g;
    g.setGrowth(stage, alpha);
    try {
      const averager = options.averager();
      const draw = () => g.apply(z as tf.Tensor, { training: false });
      const images = averager ? averager.withAveragedWeights(g, draw) : draw();
      const file = resolutionGridFile(g.resolutions[stage]);
      fs.mkdirSync(path.join(options.dir, 'grids'), { recursive: true });
      fs.writeFileSync(path.join(options.dir, file), imageGrid(images, { cols: 8 }));
      images.dispose();
      return file;
    } finally {
      g.setGrowth(was, wasAlpha);
    }
  };
  return {
    name: 'resolution-grids',
    render,
    onStepEnd(ctx) {
      const g = ctx.generator as GrowingNetwork;
      const stages = g.resolutions.length;
      const images = ctx.info.batchSize;
      const done = progressiveSchedule((ctx.step - 1) * images, stages, options.schedule);
      const next = progressiveSchedule(ctx.step * images, stages, options.schedule);
      if (next.stage > done.stage) render(g, done.stage, 1);
    },
    dispose() {
      z?.dispose();
    },
  };
}

/** mnist-progressive (growing 7 → 14 → 28) or its control (the same networks at 28×28 from the start). */
export function progressiveExample(settings: MnistProgressiveSettings, growing = true): Example {
  const s = settings;
  const schedule = { stableImages: s.stableImages, fadeImages: s.fadeImages };
  const name = growing ? 'mnist-progressive' : 'mnist-progressive-no-growth';
  const stage = growing ? 0 : 2;
  const base = mnistImageExample(s, {
    name,
    description: growing
      ? 'progressive growing 7 → 14 → 28 with fade-in, pixel norm, minibatch stddev and equalized lr on the mnist digits; a grid per resolution'
      : 'mnist-progressive without the growth: the same networks at 28×28 from the first iteration (the control for its FID)',
    title: growing ? 'Progressive growing on MNIST digits' : 'Progressive GAN networks without growth on MNIST digits',
    generator: (seed) =>
      progressiveGenerator({ imageShape: [28, 28, 1], latentDim: s.latentDim, filters: s.filters, outputActivation: 'tanh', stage, seed }),
    discriminator: (seed) =>
      progressiveDiscriminator({
        imageShape: [28, 28, 1],
        filters: s.filters,
        minibatchStddevGroupSize: s.minibatchStddevGroupSize,
        stage,
        seed,
      }),
    loss: nonSaturating,
    // Both examples use it, so the control differs from the growing run only by the growth.
    optimizer: perVariableAdam,
    plugins: growing ? () => [progressiveGrowth(schedule)] : undefined,
    settings: {
      data: 'mnist (train split, 9,003 digits)',
      architecture: `progressiveGenerator (z ${s.latentDim}, pixel norm, tanh output) / progressiveDiscriminator (minibatch stddev, group ${s.minibatchStddevGroupSize}), filters ${s.filters.join('/')} at 7/14/28, equalized lr`,
      growth: growing
        ? `7 → 14 → 28: ${s.stableImages} images stable, ${s.fadeImages} images fade-in per resolution (reals faded alike)`
        : 'none (28×28 from the start)',
      loss: 'non-saturating',
      optimizer: `perVariableAdam lr ${s.learningRate} beta (${s.beta1}, ${s.beta2}) (G and D; bias correction per variable from its first update)`,
      averaging: `ema decay ${s.emaDecay}, ramp-up`,
    },
  });
  if (!growing) return base;
  type Grids = ReturnType<typeof resolutionGrids>;
  return {
    ...base,
    // `gankit sample`, `eval` and friends load a finished run: its generator at the last resolution.
    buildGenerator(options) {
      const g = base.buildGenerator?.(options) as GrowingNetwork;
      g.setGrowth(g.resolutions.length - 1, 1);
      return g;
    },
    setup(options): ExampleSetup {
      const setup = base.setup(options);
      if (!options.out) return setup;
      const plugins = [...setup.plugins];
      const grids = resolutionGrids({
        dir: options.out,
        seed: options.seed,
        samples: s.resolutionGridSamples,
        schedule,
        averager: () => findAverager(plugins),
      });
      plugins.push(grids);
      return { ...setup, plugins };
    },
    async finish(trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs> {
      const out = await base.finish(trainer, facts);
      const g = trainer.generator as GrowingNetwork;
      // The stage the run ended in: its grid (the final resolution's, in a full run) at its α.
      const grids = trainer.plugins.find((p) => p.name === 'resolution-grids') as Grids | undefined;
      grids?.render(g, g.stage, g.alpha);
      const written = g.resolutions.map(resolutionGridFile).filter((f) => fs.existsSync(path.join(facts.out, f)));
      const metrics: { [key: string]: JsonValue } = {
        ...out.metrics,
        growth: {
          resolutions: [...g.resolutions],
          stableImages: s.stableImages,
          fadeImages: s.fadeImages,
          finalStage: g.stage,
          finalResolution: g.resolutions[g.stage],
          finalAlpha: g.alpha,
          resolutionGrids: written,
        },
      };
      fs.writeFileSync(path.join(facts.out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
      return {
        files: out.files.includes('grids/') || written.length === 0 ? out.files : [...out.files, 'grids/'],
        metrics,
        summary: `${out.summary}\n${name}: ended at ${g.resolutions[g.stage]}×${g.resolutions[g.stage]} (α ${g.alpha.toFixed(2)}); grids ${written.join(', ')}`,
      };
    },
  };
}

/**
 * mnist-progressive: progressive growing (Karras et al. 2018) on the `mnist` digits. G and D
 * grow 7 → 14 → 28 under the `progressiveGrowth` plugin (each new block fades in over
 * {@link MNIST_PROGRESSIVE}'s `fadeImages`, the real images faded alike), with pixel-wise feature
 * normalization in G, the minibatch standard-deviation layer in D and the equalized learning rate
 * everywhere; non-saturating loss, Adam 1e-3 (β = (0, 0.99)) with a bias correction per variable
 * (`perVariableAdam`: each new block starts with Adam's first steps), an EMA of G. Besides the image
 * example's outputs it writes the last grid of every resolution (`grids/resolution-07.png`, ...).
 * `gankit sample` and the other commands that load a finished run rebuild its generator at 28×28
 * (the last stage, α = 1).
 */
export const mnistProgressive: Example = progressiveExample(MNIST_PROGRESSIVE);

/** mnist-progressive without the growth (the same networks at 28×28 from the start): `gankit train --example mnist-progressive-no-growth`. */
export const mnistProgressiveNoGrowth: Example = progressiveExample(MNIST_PROGRESSIVE, false);

export default [mnistProgressive, mnistProgressiveNoGrowth];
