import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, type GanPlugin } from '@gankit/core';
import { Trainer } from '@gankit/trainer';
import { mlpDiscriminator, mlpGenerator } from '@gankit/architectures';
import { lossByName, type LossName } from '@gankit/losses';
import { gradientPenalty, r1, spectralNorm } from '@gankit/regularizers';
import { ema, type EmaPlugin } from '@gankit/averaging';
import { gaussianMixture, gridMixture, ringMixture, spiral, type GaussianMixture } from '@gankit/data';

/** The data sets the page offers. */
export type DataKind = 'ring' | 'grid' | 'spiral' | 'draw';
/** The discriminator regularizers the page offers. */
export type RegularizerKind = 'none' | 'gp' | 'sn' | 'r1';

/** Everything that defines a training run; changing any of it starts a new run. */
export interface Settings {
  data: DataKind;
  /** Mode centres placed by the user (data `draw`). */
  drawn: number[][];
  loss: LossName;
  regularizer: RegularizerKind;
  /** λ of the gradient penalty, γ of R1. */
  strength: number;
  ema: boolean;
  lrG: number;
  lrD: number;
  /** Discriminator updates per iteration. */
  k: number;
}

/** Half-width of the square of data space that the views show, [-VIEW, VIEW]². */
export const VIEW = 3;
/** Latent dimension: 2, so that the latent grid view is a grid. */
export const LATENT_DIM = 2;
/** The latent grid spans [-LATENT_EXTENT, LATENT_EXTENT]². */
export const LATENT_EXTENT = 2.5;
/** Standard deviation of each Gaussian placed by the user. */
export const DRAWN_STD = 0.05;
const HIDDEN = [64, 64, 64];
const BATCH = 128;
/** Points drawn from G (fixed latents) for the scatter view and the mode coverage. */
export const NUM_SAMPLES = 1000;
/** Real points shown for reference. */
export const NUM_REAL = 600;
/** Resolution of D's heat map (points per side). */
export const SURFACE_RES = 48;
/** Latent grid: lines per direction and points per line. */
export const GRID_LINES = 17;
export const GRID_POINTS = 49;

/** The data source for a setting, or undefined when the user has not drawn anything yet. */
export function makeData(settings: Settings): GaussianMixture | undefined {
  switch (settings.data) {
    case 'ring':
      return ringMixture({ modes: 8, radius: 2, std: 0.05 });
    case 'grid':
      return gridMixture({ side: 5, spacing: 1, std: 0.05 });
    case 'spiral':
      return spiral({ modes: 16, radius: 2.2, std: 0.04 });
    case 'draw':
      return settings.drawn.length ? gaussianMixture({ modes: settings.drawn, std: DRAWN_STD, name: 'drawn' }) : undefined;
  }
}

/** A live training run with the fixed inputs that the views evaluate every frame. */
export interface Session {
  readonly trainer: Trainer;
  readonly data: GaussianMixture;
  readonly ema?: EmaPlugin | undefined;
  /** Whether D's outputs are logits (the heat map then shows σ(D)). */
  readonly probabilistic: boolean;
  /** Fixed latents [NUM_SAMPLES, 2] for the scatter view. */
  readonly z: tf.Tensor2D;
  /** Data-space grid [SURFACE_RES², 2] on which D is evaluated (row 0 at the top, y = +VIEW). */
  readonly surfaceGrid: tf.Tensor2D;
  /** Latent grid lines [2·GRID_LINES·GRID_POINTS, 2]: first the rows (z₂ fixed), then the columns. */
  readonly latentGrid: tf.Tensor2D;
  /** Real points for reference, flat [x0, y0, x1, y1, ...]. */
  readonly real: Float32Array;
  dispose(): void;
}

function linspace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}

/** Builds networks, plugins and trainer for the settings, and runs the plugins' setup. */
export async function createSession(settings: Settings, seed: number): Promise<Session | undefined> {
  const data = makeData(settings);
  if (!data) return undefined;
  const loss = lossByName(settings.loss);
  const generator = mlpGenerator({ latentDim: LATENT_DIM, outputDim: 2, hidden: HIDDEN, seed: 2 * seed + 1 });
  const discriminator = mlpDiscriminator({
    inputDim: 2,
    hidden: HIDDEN,
    seed: 2 * seed + 2,
    weightParametrization: settings.regularizer === 'sn' ? spectralNorm({ seed }) : undefined,
  });
  const plugins: GanPlugin[] = [];
  if (settings.regularizer === 'gp') plugins.push(gradientPenalty({ lambda: settings.strength }));
  if (settings.regularizer === 'r1') plugins.push(r1({ gamma: settings.strength }));
  const average = settings.ema ? ema({ decay: 0.99 }) : undefined;
  if (average) plugins.push(average);
  let trainer: Trainer;
  try {
    trainer = new Trainer({
      generator,
      discriminator,
      loss,
      data,
      batchSize: BATCH,
      discriminatorSteps: settings.k,
      generatorOptimizer: tf.train.adam(settings.lrG, 0.5),
      discriminatorOptimizer: tf.train.adam(settings.lrD, 0.5),
      plugins,
      seed,
    });
    await trainer.setup();
  } catch (e) {
    generator.dispose();
    discriminator.dispose();
    for (const p of plugins) p.dispose?.();
    throw e;
  }

  // Fixed inputs of the views, drawn from their own random stream so they do not disturb training.
  const viewRandom = new RandomSource(seed + 1000);
  const z = viewRandom.normal([NUM_SAMPLES, LATENT_DIM], 0, 1, 'view-latent') as tf.Tensor2D;
  const realBatch = data.nextBatch(NUM_REAL, viewRandom);
  const real = realBatch.x.dataSync() as Float32Array;
  tf.dispose([realBatch.x, realBatch.labels as tf.Tensor]);

  const s = linspace(-VIEW, VIEW, SURFACE_RES);
  const surface: number[] = [];
  for (let r = 0; r < SURFACE_RES; r++) for (let c = 0; c < SURFACE_RES; c++) surface.push(s[c], s[SURFACE_RES - 1 - r]);
  const surfaceGrid = tf.tensor2d(surface, [SURFACE_RES * SURFACE_RES, 2]);

  const lines = linspace(-LATENT_EXTENT, LATENT_EXTENT, GRID_LINES);
  const along = linspace(-LATENT_EXTENT, LATENT_EXTENT, GRID_POINTS);
  const latent: number[] = [];
  for (const y of lines) for (const x of along) latent.push(x, y); // rows
  for (const x of lines) for (const y of along) latent.push(x, y); // columns
  const latentGrid = tf.tensor2d(latent, [2 * GRID_LINES * GRID_POINTS, 2]);

  return {
    trainer,
    data,
    ema: average,
    probabilistic: loss.probabilistic,
    z,
    surfaceGrid,
    latentGrid,
    real,
    dispose() {
      trainer.dispose(); // optimizers and plugins (the EMA copy)
      generator.dispose();
      discriminator.dispose(); // with spectral norm's vectors
      tf.dispose([z, surfaceGrid, latentGrid]);
    },
  };
}

/** What the views show, read back from the backend. */
export interface ViewData {
  /** D on the surface grid: σ(D) for probabilistic losses, the raw critic value otherwise. */
  surface: Float32Array;
  /** G(z) for the fixed latents, flat [x0, y0, ...]. */
  samples: Float32Array;
  /** G on the latent grid, flat, in {@link Session.latentGrid}'s order. */
  transport: Float32Array;
}

/** Evaluates D on the grid and G (its EMA copy when on) on the fixed latents and the latent grid. */
export async function computeViews(session: Session): Promise<ViewData> {
  const { trainer, probabilistic, ema: average } = session;
  const g = trainer.generator;
  const [surface, samples, transport] = tf.tidy(() => {
    const d = trainer.discriminator.apply(session.surfaceGrid, { training: false });
    const dv = probabilistic ? tf.sigmoid(d) : d;
    const run = (): tf.Tensor[] => [g.apply(session.z, { training: false }), g.apply(session.latentGrid, { training: false })];
    const [s, t] = average ? average.withAveragedWeights(g, run) : run();
    return [dv, s, t];
  });
  try {
    const [a, b, c] = await Promise.all([surface.data(), samples.data(), transport.data()]);
    return { surface: a as Float32Array, samples: b as Float32Array, transport: c as Float32Array };
  } finally {
    tf.dispose([surface, samples, transport]);
  }
}
