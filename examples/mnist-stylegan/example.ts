// mnist-stylegan: `gankit train --example mnist-stylegan`, a style-based generator on the mnist digits.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource, type JsonValue } from '@gankit/core';
import {
  dcganDiscriminator,
  mixStyles,
  styleGenerator,
  styleMixingLatent,
  truncateStyles,
  type StyleGenerator,
} from '@gankit/architectures';
import { nonSaturating } from '@gankit/losses';
import { imageGrid } from '@gankit/report';
import { meanStyleTracker, type MeanStyleTracker, type Trainer } from '@gankit/trainer';
import {
  MNIST_IMAGE_DEFAULTS,
  evaluateImages,
  findAverager,
  mnistImageExample,
  realFeatureStatistics,
  type Example,
  type ExampleOutputs,
  type GeneratorSampler,
  type RealImages,
  type RunFacts,
} from '@gankit/cli';

/** The mnist-stylegan example's settings (the defaults of `gankit train --example mnist-stylegan`). */
export const MNIST_STYLEGAN = {
  ...MNIST_IMAGE_DEFAULTS,
  steps: 1000,
  batchSize: 32,
  /** Length of each z (one per style layer; 6 layers for 28×28: two at each of 7, 14, 28). */
  latentDim: 32,
  /** Length of w. */
  styleDim: 64,
  /** Dense layers of the mapping network. */
  mappingLayers: 4,
  /**
   * Learning-rate multiplier λ of the mapping network (StyleGAN's 0.01, appendix C): equalized
   * mapping layers that Adam moves 100× slower than the synthesis network. Without it (the first
   * version of this example) G collapsed to one shape by iteration 100–500 on seed 0.
   */
  mappingLrMultiplier: 0.01,
  /** Filters at 28×28 (doubled per earlier resolution: 64, 32, 16). */
  generatorFilters: 16,
  /** D's first conv filters (the DCGAN discriminator). */
  discriminatorFilters: 32,
  /** Probability that a training example mixes two z's (style-mixing regularisation, the paper's 0.9). */
  mixingProbability: 0.9,
  /** β of the tracked mean w (StyleGAN's 0.995). */
  meanWDecay: 0.995,
  /** Crossover layers of the style-mixing grids: styles before it from the row's source, from it on from the column's. */
  mixingCrossovers: [2, 4] as readonly number[],
  /** Truncation ψ of the sample rows (toward the tracked mean w). */
  psis: [0, 0.25, 0.5, 0.75, 1] as readonly number[],
  /** ψ also scored with the FID at the end. */
  scoredPsi: 0.7,
  /** Sources on each side of a style-mixing grid. */
  mixingSources: 5,
  /** z's (rows) of the ψ picture. */
  psiRows: 6,
} as const;

/** The generator's networks as the finish uses them: raw or with the averaged (EMA) weights. */
type WithWeights = <T>(fn: () => T) => T;

/** The style generator of a trainer (its generator), or a clear error. */
function styleNet(trainer: Trainer): StyleGenerator {
  const g = trainer.generator as Partial<StyleGenerator>;
  if (typeof g.map !== 'function' || typeof g.synthesize !== 'function')
    throw new GankitError('config', "mnist-stylegan: the trainer's generator is not a styleGenerator (no map/synthesize)");
  return trainer.generator as StyleGenerator;
}

/**
 * A sampler that maps z's to w's, pulls them toward `mean` by ψ (`truncateStyles`) and synthesizes:
 * the truncation trick in W. Its latent points come from `latent` (the example's mixing distribution).
 */
export function truncatedStyleSampler(
  g: StyleGenerator,
  mean: () => tf.Tensor,
  psi: number,
  latent: GeneratorSampler['latent'],
): GeneratorSampler {
  return {
    network: g,
    latentShape: g.inputShape,
    latent,
    sample: (z) =>
      tf.tidy(() => {
        const ws = g.map(z, { training: false });
        return g.synthesize(truncateStyles(ws, mean(), psi), { training: false });
      }),
  };
}

/**
 * A style-mixing grid (Karras et al. 2019, figure 3): `k` sources A (one per row) and `k` sources B
 * (one per column); the top row shows the B images, the left column the A images, and cell (i, j)
 * takes styles `0 .. crossover-1` (coarse) from A_i and the rest (fine) from B_j. Returns the
 * `(k+1)²` images row by row (the top-left corner blank, -1).
 */
export function styleMixingGrid(g: StyleGenerator, zA: tf.Tensor, zB: tf.Tensor, crossover: number): tf.Tensor {
  return tf.tidy(() => {
    const k = zA.shape[0];
    const wA = g.map(zA, { training: false });
    const wB = g.map(zB, { training: false });
    const imgA = g.synthesize(wA, { training: false });
    const imgB = g.synthesize(wB, { training: false });
    const [h, w, c] = imgA.shape.slice(1);
    const rowsA = tf.reshape(tf.tile(tf.expandDims(wA, 1), [1, k, 1, 1]), [k * k, ...wA.shape.slice(1)]);
    const colsB = tf.tile(wB, [k, 1, 1]);
    const mixed = g.synthesize(mixStyles(rowsA, colsB, crossover), { training: false });
    const rows: tf.Tensor[] = [tf.concat([tf.fill([1, h, w, c], -1), imgB], 0)];
    for (let i = 0; i < k; i++)
      rows.push(tf.concat([tf.slice(imgA, [i, 0, 0, 0], [1, h, w, c]), tf.slice(mixed, [i * k, 0, 0, 0], [k, h, w, c])], 0));
    return tf.concat(rows, 0);
  });
}

/** Rows of one z each, columns across ψ: `w̄ + ψ (w − w̄)` for every ψ of `psis`. */
export function truncationRows(g: StyleGenerator, z: tf.Tensor, mean: tf.Tensor, psis: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    const ws = g.map(z, { training: false });
    const perPsi = psis.map((psi) => g.synthesize(truncateStyles(ws, mean, psi), { training: false }));
    // [psi, n, ...] → [n, psi, ...]: one row per z
    const stacked = tf.stack(perPsi, 1);
    return tf.reshape(stacked, [z.shape[0] * psis.length, ...perPsi[0].shape.slice(1)]);
  });
}

/** mnist-stylegan's extra outputs: the mixing grids, the ψ rows and the FID at {@link MNIST_STYLEGAN}'s scoredPsi. */
async function styleOutputs(trainer: Trainer, facts: RunFacts, withWeights: WithWeights, tracker: MeanStyleTracker) {
  const s = MNIST_STYLEGAN;
  const g = styleNet(trainer);
  const latent = styleMixingLatent({ numStyles: g.numStyles, latentDim: g.latentDim, probability: 0 });
  const random = new RandomSource(facts.seed).fork('style-pictures');
  const files: string[] = [];
  const zA = latent(s.mixingSources, random);
  const zB = latent(s.mixingSources, random);
  const zPsi = latent(s.psiRows, random);
  try {
    for (const crossover of s.mixingCrossovers) {
      const grid = withWeights(() => styleMixingGrid(g, zA, zB, crossover));
      const file = `style-mixing-${crossover}.png`;
      fs.writeFileSync(path.join(facts.out, file), imageGrid(grid, { cols: s.mixingSources + 1 }));
      grid.dispose();
      files.push(file);
    }
    const rows = withWeights(() => truncationRows(g, zPsi, tracker.mean, s.psis));
    fs.writeFileSync(path.join(facts.out, 'truncation.png'), imageGrid(rows, { cols: s.psis.length }));
    rows.dispose();
    files.push('truncation.png');
  } finally {
    tf.dispose([zA, zB, zPsi]);
  }
  const real = realFeatureStatistics(trainer.data as unknown as RealImages, { progress: facts.progress });
  const sampler = truncatedStyleSampler(g, () => tracker.mean, s.scoredPsi, mnistStyleLatent);
  const scores = withWeights(() =>
    evaluateImages(sampler, real, 'mnist', {
      seed: facts.seed,
      samples: facts.evalSamples ?? s.evalSamples,
      progress: facts.progress,
      label: `psi ${s.scoredPsi}`,
    }),
  );
  return { files, fid: scores.fid ?? Number.NaN, inceptionScore: scores.inceptionScore?.mean ?? Number.NaN };
}

const generatorShape = { numStyles: 6, latentDim: MNIST_STYLEGAN.latentDim };

/**
 * The example's latent distribution: per-layer z's `[n, 6, latentDim]` with style-mixing
 * regularisation (probability {@link MNIST_STYLEGAN}'s mixingProbability). Training, the grids,
 * `gankit sample`, `interpolate` and `eval` draw from it.
 */
export const mnistStyleLatent = styleMixingLatent({ ...generatorShape, probability: MNIST_STYLEGAN.mixingProbability });

const base = mnistImageExample(MNIST_STYLEGAN, {
  name: 'mnist-stylegan',
  description:
    'A style-based generator (mapping network, AdaIN, noise inputs) with style-mixing regularisation and the truncation trick in W on the mnist digits',
  title: 'StyleGAN on MNIST digits: style mixing and truncation in W',
  generator: (seed) =>
    styleGenerator({
      latentDim: MNIST_STYLEGAN.latentDim,
      styleDim: MNIST_STYLEGAN.styleDim,
      mappingLayers: MNIST_STYLEGAN.mappingLayers,
      mappingLrMultiplier: MNIST_STYLEGAN.mappingLrMultiplier,
      baseFilters: MNIST_STYLEGAN.generatorFilters,
      imageShape: [28, 28, 1],
      seed,
    }),
  latent: mnistStyleLatent,
  discriminator: (seed) => dcganDiscriminator({ imageShape: [28, 28, 1], baseFilters: MNIST_STYLEGAN.discriminatorFilters, seed }),
  loss: nonSaturating,
  plugins: () => [meanStyleTracker({ decay: MNIST_STYLEGAN.meanWDecay })],
  settings: {
    data: 'mnist (train split, 9,003 digits)',
    architecture: `styleGenerator (AdaIN, noise inputs, z ${MNIST_STYLEGAN.latentDim} × 6 layers, w ${MNIST_STYLEGAN.styleDim}, mapping ${MNIST_STYLEGAN.mappingLayers} dense at lr × ${MNIST_STYLEGAN.mappingLrMultiplier} (equalized), filters 64/32/16) / dcganDiscriminator (base ${MNIST_STYLEGAN.discriminatorFilters})`,
    latent: `styleMixingLatent (p ${MNIST_STYLEGAN.mixingProbability}, crossover uniform in [1, 5] per example)`,
    loss: 'non-saturating',
    optimizer: 'adam lr 2e-4 beta1 0.5 (G and D)',
    averaging: 'ema decay 0.999, ramp-up',
    meanW: `meanStyleTracker, decay ${MNIST_STYLEGAN.meanWDecay}`,
    truncation: `ψ ∈ {${MNIST_STYLEGAN.psis.join(', ')}} drawn; FID also at ψ ${MNIST_STYLEGAN.scoredPsi}`,
  },
});

/**
 * mnist-stylegan: a `styleGenerator` (Karras et al. 2019: mapping network z → w learning 100×
 * slower than the rest, AdaIN styles per layer, per-layer noise, learned constant input) against the DCGAN discriminator on the mnist
 * digits, with style-mixing regularisation as the latent distribution ({@link mnistStyleLatent}),
 * the tracked mean w (`meanStyleTracker`), non-saturating loss, Adam 2e-4 and an EMA of G. The
 * finish adds to the usual samples and FID: `style-mixing-2.png` and `style-mixing-4.png` (coarse
 * styles from each row's source, fine from each column's), `truncation.png` (one z per row, ψ
 * across) and the FID at ψ 0.7, all with the EMA weights.
 */
export const mnistStylegan: Example = {
  ...base,
  async finish(trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs> {
    const out = await base.finish(trainer, facts);
    const tracker = trainer.plugins.find((p) => p.name === 'mean-w') as MeanStyleTracker | undefined;
    if (!tracker) throw new GankitError('config', "mnist-stylegan: the trainer has no 'mean-w' plugin (meanStyleTracker)");
    const averager = findAverager(trainer.plugins);
    const withWeights: WithWeights = (fn) => (averager ? averager.withAveragedWeights(trainer.generator, fn) : fn());
    const style = await styleOutputs(trainer, facts, withWeights, tracker);
    const round = (v: number) => Number(v.toFixed(3));
    const metrics: { [key: string]: JsonValue } = {
      ...out.metrics,
      truncated: {
        psi: MNIST_STYLEGAN.scoredPsi,
        generator: averager ? averager.name : 'raw',
        fid: round(style.fid),
        inceptionScore: round(style.inceptionScore),
      },
      meanWUpdates: tracker.updates,
    };
    fs.writeFileSync(path.join(facts.out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
    return {
      files: [...out.files, ...style.files],
      metrics,
      summary: `${out.summary}\nmnist-stylegan at ψ ${MNIST_STYLEGAN.scoredPsi}: FID ${style.fid.toFixed(2)} IS ${style.inceptionScore.toFixed(3)}`,
    };
  },
};

export default mnistStylegan;
