// mnist-biggan and its control: `gankit train --example mnist-biggan | mnist-biggan-no-ortho`.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, truncateLatent, type JsonValue } from '@gankit/core';
import { bigganGenerator, conditionalDiscriminator } from '@gankit/architectures';
import { nonSaturating } from '@gankit/losses';
import { orthogonalRegularization } from '@gankit/regularizers';
import { imageGrid, lineChartSvg } from '@gankit/report';
import type { Trainer } from '@gankit/trainer';
import {
  MNIST_IMAGE_DEFAULTS,
  evaluateImages,
  findAverager,
  mnistImageExample,
  networkSampler,
  realFeatureStatistics,
  type Example,
  type ExampleOutputs,
  type GeneratorSampler,
  type RealImages,
  type RunFacts,
} from '@gankit/cli';

/** The mnist-biggan example's settings (the defaults of `gankit train --example mnist-biggan`). */
export const MNIST_BIGGAN = {
  ...MNIST_IMAGE_DEFAULTS,
  steps: 1000,
  batchSize: 32,
  numClasses: 10,
  /** Length of z: three chunks of 32 (the dense layer's and one per upsampling block). */
  latentDim: 96,
  /** Length of the shared class embedding. */
  embeddingDim: 16,
  /** Filters of G's last hidden layer and D's first conv (mnist-cgan has 64). */
  baseFilters: 32,
  /** β of the orthogonal regularization (BigGAN's 1e-4). */
  orthogonalBeta: 1e-4,
  /** Truncation thresholds ψ scored at the end (and "none", the untruncated prior). */
  truncation: [0.25, 0.5, 0.75, 1, 1.5, 2] as readonly number[],
} as const;

/** A sampler that truncates its latent points at ψ (redraws from a source seeded by `seed` and ψ) before G. */
function truncatedSampler(sampler: GeneratorSampler, psi: number, seed: number): GeneratorSampler {
  const random = new RandomSource(seed).fork(`truncation-${psi}`);
  return {
    ...sampler,
    sample: (z, labels) => {
      const t = truncateLatent(z, psi, random);
      try {
        return sampler.sample(t, labels);
      } finally {
        t.dispose();
      }
    },
  };
}

type Score = { psi: number | null; fid: number; inceptionScore: number; inceptionScoreStd: number; labelAccuracy: number };

/**
 * Scores the averaged generator at every ψ of {@link MNIST_BIGGAN} and without truncation, on the
 * same base latent points; writes `truncation.png` (one row per ψ, digits 0–9 left to right, the
 * same base z), `truncation-fid.svg` and `truncation-is.svg`, and returns the scores.
 */
async function truncationSweep(trainer: Trainer, facts: RunFacts): Promise<{ scores: Score[]; files: string[] }> {
  const averager = findAverager(trainer.plugins);
  const raw = networkSampler(trainer.generator, MNIST_BIGGAN.numClasses);
  const withAveraged = <T>(fn: () => T): T => (averager ? averager.withAveragedWeights(trainer.generator, fn) : fn());
  const real = realFeatureStatistics(trainer.data as unknown as RealImages, { progress: facts.progress });
  const samples = facts.evalSamples ?? MNIST_BIGGAN.evalSamples;
  const thresholds: (number | null)[] = [...MNIST_BIGGAN.truncation, null];
  const scores: Score[] = [];
  const rows: tf.Tensor[] = [];
  const gridZ = new RandomSource(facts.seed).fork('truncation-grid').normal([MNIST_BIGGAN.numClasses, MNIST_BIGGAN.latentDim]);
  const gridLabels = tf.tensor1d(
    Array.from({ length: MNIST_BIGGAN.numClasses }, (_, i) => i),
    'int32',
  );
  try {
    for (const psi of thresholds) {
      const sampler = psi === null ? raw : truncatedSampler(raw, psi, facts.seed);
      const label = psi === null ? 'no truncation' : `psi ${psi}`;
      const s = withAveraged(() => evaluateImages(sampler, real, 'mnist', { seed: facts.seed, samples, progress: facts.progress, label }));
      scores.push({
        psi,
        fid: Number((s.fid ?? Number.NaN).toFixed(3)),
        inceptionScore: Number((s.inceptionScore?.mean ?? Number.NaN).toFixed(3)),
        inceptionScoreStd: Number((s.inceptionScore?.std ?? Number.NaN).toFixed(3)),
        labelAccuracy: Number((s.labelAccuracy ?? Number.NaN).toFixed(4)),
      });
      rows.push(withAveraged(() => sampler.sample(gridZ, gridLabels)));
    }
    const all = tf.concat(rows, 0);
    fs.writeFileSync(path.join(facts.out, 'truncation.png'), imageGrid(all, { rows: thresholds.length, cols: MNIST_BIGGAN.numClasses }));
    all.dispose();
  } finally {
    tf.dispose([gridZ, gridLabels, ...rows]);
  }
  const truncated = scores.filter((s) => s.psi !== null);
  const untruncated = scores[scores.length - 1];
  const lo = truncated[0].psi as number;
  const hi = truncated[truncated.length - 1].psi as number;
  const chart = (key: 'fid' | 'inceptionScore', title: string) =>
    lineChartSvg(
      [
        { name: `${title} at ψ`, points: truncated.map((s) => [s.psi as number, s[key]] as const) },
        {
          name: `${title} without truncation`,
          points: [
            [lo, untruncated[key]],
            [hi, untruncated[key]],
          ],
        },
      ],
      { title: `${title} against the truncation threshold ψ`, xLabel: 'ψ', yLabel: title },
    );
  fs.writeFileSync(path.join(facts.out, 'truncation-fid.svg'), chart('fid', 'FID'));
  fs.writeFileSync(path.join(facts.out, 'truncation-is.svg'), chart('inceptionScore', 'IS'));
  return { scores, files: ['truncation.png', 'truncation-fid.svg', 'truncation-is.svg'] };
}

/** mnist-biggan with or without the orthogonal regularization. */
function bigganExample(name: string, description: string, orthogonal: boolean): Example {
  const s = MNIST_BIGGAN;
  const base = mnistImageExample(s, {
    name,
    description,
    title: `BigGAN conditioning and truncation on MNIST digits${orthogonal ? '' : ' (no orthogonal regularization)'}`,
    numClasses: s.numClasses,
    generator: (seed) =>
      bigganGenerator({ numClasses: s.numClasses, latentDim: s.latentDim, embeddingDim: s.embeddingDim, baseFilters: s.baseFilters, seed }),
    discriminator: (seed) =>
      conditionalDiscriminator({ numClasses: s.numClasses, conditioning: 'projection', baseFilters: s.baseFilters, seed }),
    loss: nonSaturating,
    plugins: orthogonal ? () => [orthogonalRegularization({ beta: s.orthogonalBeta })] : undefined,
    settings: {
      data: 'mnist (train split, 9,003 digits, labels)',
      architecture: `bigganGenerator (z ${s.latentDim} in 3 chunks, shared embedding ${s.embeddingDim}, base ${s.baseFilters}) / conditionalDiscriminator (projection, base ${s.baseFilters})`,
      loss: 'non-saturating',
      regularizer: orthogonal ? `orthogonal, beta ${s.orthogonalBeta}, on G's kernels` : 'none',
      optimizer: 'adam lr 2e-4 beta1 0.5 (G and D)',
      averaging: 'ema decay 0.999, ramp-up',
      truncation: `ψ ∈ {${s.truncation.join(', ')}} and none, scored at the end`,
    },
  });
  return {
    ...base,
    async finish(trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs> {
      const out = await base.finish(trainer, facts);
      const sweep = await truncationSweep(trainer, facts);
      const metrics: { [key: string]: JsonValue } = {
        ...out.metrics,
        orthogonalBeta: orthogonal ? s.orthogonalBeta : 0,
        truncation: sweep.scores as unknown as JsonValue,
      };
      fs.writeFileSync(path.join(facts.out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
      const line = sweep.scores.map((x) => `ψ ${x.psi ?? 'none'} FID ${x.fid.toFixed(1)} IS ${x.inceptionScore.toFixed(2)}`).join('; ');
      return { files: [...out.files, ...sweep.files], metrics, summary: `${out.summary}\n${name} truncation (EMA): ${line}` };
    },
  };
}

/**
 * mnist-biggan: BigGAN's conditioning (Brock et al. 2019) on the `mnist` digits at DCGAN size: a
 * `bigganGenerator` whose z is split into three chunks — one for the first dense layer, one
 * for each upsampling block, where it is concatenated with the shared class embedding and sets the
 * gains and biases of that block's conditional batch norm — against a projection discriminator;
 * BigGAN's orthogonal regularization (β = 1e-4) on G's kernels; non-saturating loss, Adam 2e-4
 * (β₁ 0.5), EMA. The finish scores the EMA generator with the truncation trick at every ψ of
 * {@link MNIST_BIGGAN} and without, and draws a row per ψ.
 */
export const mnistBiggan: Example = bigganExample(
  'mnist-biggan',
  "BigGAN's conditioning (split z + shared embedding into conditional BN), orthogonal regularization and the truncation trick on the mnist digits",
  true,
);

/** mnist-biggan without the orthogonal regularization: the control of `gankit train --example mnist-biggan-no-ortho`. */
export const mnistBigganNoOrtho: Example = bigganExample(
  'mnist-biggan-no-ortho',
  'mnist-biggan without the orthogonal regularization (the control for its truncation curve)',
  false,
);

export default [mnistBiggan, mnistBigganNoOrtho];
