// ring8 and its two variants: `gankit train --example ring8 | ring8-unrolled | ring8-replay`.
import fs from 'node:fs';
import path from 'node:path';
import type { GanPlugin, JsonValue } from '@gankit/core';
import { ringMixture } from '@gankit/data';
import { experienceReplay, unrolled, type Trainer } from '@gankit/trainer';
import {
  finishPointsRun,
  MIXTURE_GAN_DEFAULTS,
  mixtureGanSetup,
  mixtureLatent,
  type Example,
  type ExampleOutputs,
  type RunFacts,
} from '@gankit/cli';

/** The ring8 example's settings (the defaults of `gankit train --example ring8`). */
export const RING8 = {
  /** Gaussians on the circle. */
  modes: 8,
  /** Radius of the circle. */
  radius: 2,
  /** Standard deviation of each Gaussian. */
  std: 0.02,
  ...MIXTURE_GAN_DEFAULTS,
  /** A categorical latent code of 8 values, one per mode, read back by a Q head on D (InfoGAN). */
  codeCategories: 8,
} as const;

const ring = () => ringMixture({ modes: RING8.modes, radius: RING8.radius, std: RING8.std });

/**
 * ring8: an MLP GAN on a mixture of 8 Gaussians evenly spaced on a circle of radius 2 with standard
 * deviation 0.02 (Metz et al.'s mode-collapse benchmark): a tanh MLP generator (saturating units make
 * the near-constant plateaus and sharp steps that tight, separate clusters need; a ReLU generator
 * left ~4x more points between the modes at the same step count), a leaky-ReLU MLP discriminator,
 * non-saturating loss, no penalty on D, Adam at 1e-3 decayed linearly to 5% over the second half,
 * and an EMA of G's weights (decay 0.99) for sampling; G also gets a categorical code of 8 values
 * that a Q head on D's body reads back (InfoGAN's information term, λ 0.1), so that each value
 * draws one mode and no points fall between the modes ({@link mixtureGanSetup} with {@link RING8}).
 */
export const ring8: Example = {
  name: 'ring8',
  description: 'MLP GAN on a ring of 8 Gaussians (radius 2, std 0.02): the mode-collapse benchmark',
  defaults: { steps: RING8.steps, batchSize: RING8.batchSize },
  setup: ({ seed }) => mixtureGanSetup(RING8, ring(), seed),
  finish: (trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs> => finishPointsRun(trainer, facts, 'ring8'),
  latent: mixtureLatent(RING8),
};

/**
 * Settings of the ring8 variants: the remedy each adds to ring8's recipe without the categorical
 * code (`RING8` with `codeCategories: 0`, ring8's defaults before the code; experience replay would
 * hand Q fakes whose codes it does not know).
 */
export const RING8_VARIANTS = {
  /** Look-ahead discriminator steps of `ring8-unrolled` (Metz et al. use 5 to 10 on this task). */
  unrolledSteps: 5,
  /** Buffer size of `ring8-replay`. */
  replayBufferSize: 2048,
  /** Fraction of each discriminator fake batch that `ring8-replay` replays. */
  replayFraction: 0.5,
} as const;

/**
 * ring8's recipe without the code plus one more plugin: the same networks (less the code's input
 * and Q's outputs), data, loss, optimizers and plugins as {@link ring8}, plus `extra()`; the
 * outputs are ring8's, with the example's name and the remedy's settings in metrics.json and the
 * summary.
 */
function ring8With(name: string, description: string, extra: () => GanPlugin, settings: { [key: string]: JsonValue }): Example {
  return {
    name,
    description,
    defaults: ring8.defaults,
    setup(options) {
      const base = mixtureGanSetup({ ...RING8, codeCategories: 0 }, ring(), options.seed);
      return { ...base, plugins: [...base.plugins, extra()] };
    },
    async finish(trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs> {
      const out = await ring8.finish(trainer, facts);
      const metrics = { ...out.metrics, example: name, variant: settings };
      fs.writeFileSync(path.join(facts.out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
      return { files: out.files, metrics, summary: out.summary.replace(/^ring8:/, `${name}:`) };
    },
  };
}

/** ring8 plus unrolled GAN (`unrolled({ steps: 5 })` from `@gankit/trainer`): `gankit train --example ring8-unrolled`. */
export const ring8Unrolled: Example = ring8With(
  'ring8-unrolled',
  'ring8 plus unrolled GAN: G looks ahead through 5 discriminator steps (Metz et al. 2017)',
  () => unrolled({ steps: RING8_VARIANTS.unrolledSteps }),
  { plugin: 'unrolled', steps: RING8_VARIANTS.unrolledSteps },
);

/** ring8 plus experience replay (`experienceReplay()` from `@gankit/trainer`): `gankit train --example ring8-replay`. */
export const ring8Replay: Example = ring8With(
  'ring8-replay',
  'ring8 plus experience replay: D also sees fakes of earlier generators (buffer 2048, half of each batch)',
  () => experienceReplay({ bufferSize: RING8_VARIANTS.replayBufferSize, fraction: RING8_VARIANTS.replayFraction }),
  { plugin: 'experience-replay', bufferSize: RING8_VARIANTS.replayBufferSize, fraction: RING8_VARIANTS.replayFraction },
);

export default [ring8, ring8Unrolled, ring8Replay];
