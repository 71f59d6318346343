// mnist-infogan: `gankit train --example mnist-infogan`.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, type GanPlugin, type JsonValue } from '@gankit/core';
import { ema } from '@gankit/averaging';
import { infoganDiscriminator, infoganGenerator } from '@gankit/architectures';
import { mnistDigits } from '@gankit/data/node';
import { nonSaturating } from '@gankit/losses';
import { affineAugment } from '@gankit/regularizers';
import { assignmentAccuracy, digitClassifier } from '@gankit/metrics';
import { gridRecorder, imageGrid } from '@gankit/report';
import { infogan, infoganAdversarialOutput, infoganLatent, infoganOneHot, type Trainer } from '@gankit/trainer';
import { findAverager, imageExample, type Example, type ExampleOutputs, type ExampleSetup, type RunFacts } from '@gankit/cli';

/** The mnist-infogan example's settings (the defaults of `gankit train --example mnist-infogan`). */
export const MNIST_INFOGAN = {
  steps: 2000,
  batchSize: 64,
  gridEvery: 100,
  evalSamples: 1000,
  /** The paper's MNIST codes: 62 noise values, one 10-way categorical code, two continuous codes. */
  noiseDim: 62,
  numCategories: 10,
  numContinuous: 2,
  /**
   * λ of the categorical code (the paper's 1) and of the continuous codes (1 with σ = 1 fixed: at
   * the paper's smaller λ the continuous codes were not learned here).
   */
  categoricalWeight: 1,
  continuousWeight: 1,
  /**
   * Q reads the categorical code from randomly warped fakes (`affineAugment` of
   * `@gankit/regularizers`, background −1): rotations up to ±15°, horizontal shears up to ±0.2,
   * scales 1 ± 0.1 and shifts up to ±0.1 of the half-width, so that two codes cannot be told apart
   * by slant or size alone: what tells them apart must survive the warp, as the kind of digit does.
   */
  categoricalAugment: { rotation: 15, shear: 0.2, scale: 0.1, shift: 0.1 },
  /**
   * Widths: the paper's G is FC1024 / 7×7×128 / 64 and D 64 / 128 / FC1024 / Q FC128; the dense
   * layers here are the paper's, the convolutions a quarter of its filters for 2 cores.
   */
  generatorHidden: 1024,
  generatorFilters: 32,
  discriminatorHidden: 1024,
  discriminatorFilters: 32,
  qHidden: 128,
  /** Adam as in the paper: 2e-4 for D (and Q), 1e-3 for G, β₁ = 0.5. */
  discriminatorLearningRate: 2e-4,
  generatorLearningRate: 1e-3,
  beta1: 0.5,
  emaDecay: 0.999,
  /** Every this many iterations the code accuracy of the raw and EMA generator is logged (0: never). */
  accuracyEvery: 250,
  /** Fakes the logged code accuracy reads (the final one reads `evalSamples`). */
  accuracySamples: 500,
  /** The continuous codes are swept over [−2, 2] in the pictures (trained on [−1, 1]). */
  sweep: [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2],
} as const;

const S = MNIST_INFOGAN;
const CODES = { noiseDim: S.noiseDim, numCategories: S.numCategories, numContinuous: S.numContinuous };
const GRID_COLUMNS = 8;

/** Latent rows for given categorical values and continuous codes, with the given noise rows `[n, noiseDim]`. */
function latentRows(noise: tf.Tensor, categories: ArrayLike<number>, continuous: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.concat([noise, infoganOneHot(categories, S.numCategories), continuous], 1));
}

/** The grids' fixed points: one row per categorical value, 8 noise draws, continuous codes 0. */
function rowPerCodeLatent(seed: number): tf.Tensor {
  const n = S.numCategories * GRID_COLUMNS;
  const noise = new RandomSource(seed).fork('infogan-grid').normal([n, S.noiseDim]);
  const categories = Int32Array.from({ length: n }, (_, i) => Math.floor(i / GRID_COLUMNS));
  const zero = tf.zeros([n, S.numContinuous]);
  try {
    return latentRows(noise, categories, zero);
  } finally {
    tf.dispose([noise, zero]);
  }
}

/** What {@link codeAccuracy} reports. */
interface CodeAccuracy {
  readonly accuracy: number;
  readonly classOfCode: number[];
  readonly counts: number[][];
}

/**
 * The categorical code against the digit classes: `samples` fakes with code `i mod K` (noise and
 * continuous codes drawn from the prior), read by the shipped digit classifier, scored by the best
 * one-to-one code→class assignment.
 */
function codeAccuracy(generator: Trainer['generator'], seed: number, samples: number): CodeAccuracy {
  const random = new RandomSource(seed).fork('infogan-code-accuracy');
  const clf = digitClassifier();
  const codes = Int32Array.from({ length: samples }, (_, i) => i % S.numCategories);
  const predicted = new Int32Array(samples);
  try {
    for (let i = 0; i < samples; i += 100) {
      const b = Math.min(100, samples - i);
      const noise = random.normal([b, S.noiseDim]);
      const continuous = random.uniform([b, S.numContinuous], -1, 1);
      const p = tf.tidy(() =>
        tf.argMax(clf.probs(generator.apply(latentRows(noise, codes.subarray(i, i + b), continuous), { training: false })), 1),
      );
      predicted.set(p.dataSync(), i);
      tf.dispose([noise, continuous, p]);
    }
  } finally {
    clf.dispose();
  }
  const r = assignmentAccuracy(codes, predicted, { numCodes: S.numCategories, numClasses: 10 });
  return { accuracy: r.accuracy, classOfCode: Array.from(r.classOfCode), counts: r.counts };
}

/**
 * Logs `infogan/codeAccuracy` (raw generator) and `infogan/codeAccuracyEma` every `every`
 * iterations, so a run shows whether the code is settling on digits long before it ends. It reads
 * its own random stream and changes no weights, so the training itself is the same with or without it.
 */
function codeAccuracyLogger(every: number, samples: number, seed: number, averager: ReturnType<typeof findAverager>): GanPlugin {
  return {
    name: 'infogan-code-accuracy',
    onStepEnd(ctx, logs) {
      if (every <= 0 || (logs.step + 1) % every !== 0) return;
      const generator = ctx.generator as Trainer['generator'];
      logs.metrics['infogan/codeAccuracy'] = codeAccuracy(generator, seed, samples).accuracy;
      if (averager)
        logs.metrics['infogan/codeAccuracyEma'] = averager.withAveragedWeights(generator, () =>
          codeAccuracy(generator, seed, samples),
        ).accuracy;
    },
  };
}

/**
 * A sweep of continuous code `which` over {@link MNIST_INFOGAN}'s sweep values (columns), one row per
 * categorical value in the given order, the other continuous code 0 and one fixed noise vector per row.
 */
function sweepPicture(generator: Trainer['generator'], seed: number, which: number, rowOrder: readonly number[]): Uint8Array {
  const cols = S.sweep.length;
  const rows = rowOrder.length;
  const noiseRows = new RandomSource(seed).fork('infogan-sweep').normal([rows, S.noiseDim]);
  const z = tf.tidy(() => {
    const noise = tf.reshape(tf.tile(tf.expandDims(noiseRows, 1), [1, cols, 1]), [rows * cols, S.noiseDim]);
    const continuous = Float32Array.from({ length: rows * cols * S.numContinuous }, (_, k) => {
      const cell = Math.floor(k / S.numContinuous);
      return k % S.numContinuous === which ? S.sweep[cell % cols] : 0;
    });
    const categories = Int32Array.from({ length: rows * cols }, (_, i) => rowOrder[Math.floor(i / cols)]);
    return latentRows(noise, categories, tf.tensor2d(continuous, [rows * cols, S.numContinuous]));
  });
  const images = generator.apply(z, { training: false });
  try {
    return imageGrid(images, { cols });
  } finally {
    tf.dispose([noiseRows, z, images]);
  }
}

const base = imageExample({
  name: 'mnist-infogan',
  description: 'InfoGAN on the mnist digits, unsupervised: a 10-way categorical code and two continuous codes learned beside the noise',
  title: 'InfoGAN on MNIST digits',
  parallelism: 'threads',
  defaults: { steps: S.steps, batchSize: S.batchSize, gridEvery: S.gridEvery, evalSamples: S.evalSamples },
  data: () => mnistDigits({ split: 'train' }),
  metric: 'mnist',
  generator: (seed) => infoganGenerator({ ...CODES, hiddenUnits: S.generatorHidden, baseFilters: S.generatorFilters, seed }),
  discriminator: (seed) =>
    infoganDiscriminator({
      ...CODES,
      hiddenUnits: S.discriminatorHidden,
      baseFilters: S.discriminatorFilters,
      qHiddenUnits: S.qHidden,
      seed,
    }),
  latent: infoganLatent(CODES),
  loss: nonSaturating,
  optimizers: () => ({
    generator: tf.train.adam(S.generatorLearningRate, S.beta1),
    discriminator: tf.train.adam(S.discriminatorLearningRate, S.beta1),
  }),
  plugins: () => [
    infogan({
      ...CODES,
      categoricalWeight: S.categoricalWeight,
      continuousWeight: S.continuousWeight,
      categoricalAugment: affineAugment({ ...S.categoricalAugment, fill: -1 }),
    }),
    ema({ decay: S.emaDecay, rampUp: true }),
  ],
  discriminatorSteps: 1,
  settings: {
    data: 'mnist (train split, 9,003 digits; labels unused)',
    latent: `noise ${S.noiseDim} ~ N(0,1), categorical ${S.numCategories} (one-hot, uniform), continuous ${S.numContinuous} ~ U(-1,1)`,
    architecture: `infoganGenerator (FC${S.generatorHidden}, 7x7x${2 * S.generatorFilters}, deconv ${S.generatorFilters}) / infoganDiscriminator (conv ${S.discriminatorFilters}, ${2 * S.discriminatorFilters}, FC${S.discriminatorHidden}; Q FC${S.qHidden})`,
    loss: `non-saturating on column 0 + infogan: λ_cat ${S.categoricalWeight} · CE on affine-warped fakes (±${S.categoricalAugment.rotation}°, shear ±${S.categoricalAugment.shear}, scale ±${S.categoricalAugment.scale}, shift ±${S.categoricalAugment.shift}), λ_cont ${S.continuousWeight} · Gaussian NLL (σ 1), for G and D/Q`,
    optimizer: `adam lr ${S.discriminatorLearningRate} (D) / ${S.generatorLearningRate} (G), beta1 ${S.beta1}`,
    averaging: `ema decay ${S.emaDecay}, ramp-up`,
  },
});

/**
 * mnist-infogan: InfoGAN (Chen et al. 2016) on the `mnist` digits without labels. G takes 62 noise
 * values, a 10-way categorical code (one-hot) and two continuous codes in U(−1, 1), all drawn by
 * `infoganLatent` from the run's seeded source; D's body is shared by the real/fake head (column 0,
 * the trainer's `adversarialOutput`) and the Q head, on which the `infogan` plugin adds the
 * mutual-information terms (λ 1 for the categorical code, read by Q from randomly warped fakes,
 * and 1 for the continuous ones) to G's and D's losses. Grids have one row per categorical value.
 * The finish adds the code's accuracy: the shipped digit classifier reads 1,000 fakes, and the
 * best one-to-one code→digit assignment is scored (raw and EMA generator); and
 * `continuous-c1.png` / `continuous-c2.png`: one row per categorical value (ordered by the digit
 * assigned), each continuous code swept over [−2, 2].
 */
export const mnistInfogan: Example = {
  ...base,
  setup(options): ExampleSetup & { readonly adversarialOutput: (output: tf.Tensor) => tf.Tensor } {
    const setup = base.setup(options);
    // The grids show one row per categorical value (the base recorder would draw random codes).
    const i = setup.plugins.findIndex((p) => p.name === 'grid-recorder');
    if (i >= 0 && options.out) {
      setup.plugins[i].dispose?.();
      const z = rowPerCodeLatent(options.seed);
      (setup.plugins as unknown[])[i] = gridRecorder({
        every: options.gridEvery ?? S.gridEvery,
        dir: options.out,
        z,
        grid: { cols: GRID_COLUMNS },
      });
      z.dispose();
      // Before the grid recorder and the logger, so that the logged line carries the accuracy.
      (setup.plugins as GanPlugin[]).splice(
        i,
        0,
        codeAccuracyLogger(S.accuracyEvery, S.accuracySamples, options.seed, findAverager(setup.plugins)),
      );
    }
    return { ...setup, adversarialOutput: infoganAdversarialOutput };
  },
  async finish(trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs> {
    const out = await base.finish(trainer, facts);
    const averager = findAverager(trainer.plugins);
    const samples = facts.evalSamples ?? S.evalSamples;
    const raw = codeAccuracy(trainer.generator, facts.seed, samples);
    const averaged = averager
      ? averager.withAveragedWeights(trainer.generator, () => codeAccuracy(trainer.generator, facts.seed, samples))
      : undefined;
    const best = averaged ?? raw;
    // Rows in the order of the digit each code was assigned to (codes left without one last).
    const order = Array.from({ length: S.numCategories }, (_, c) => c).sort(
      (a, b) => (best.classOfCode[a] < 0 ? 99 : best.classOfCode[a]) - (best.classOfCode[b] < 0 ? 99 : best.classOfCode[b]),
    );
    const files: string[] = [];
    const draw = () => {
      for (let c = 0; c < S.numContinuous; c++) {
        const file = `continuous-c${c + 1}.png`;
        fs.writeFileSync(path.join(facts.out, file), sweepPicture(trainer.generator, facts.seed, c, order));
        files.push(file);
      }
    };
    if (averager) averager.withAveragedWeights(trainer.generator, draw);
    else draw();
    const metrics: { [key: string]: JsonValue } = {
      ...out.metrics,
      codeAccuracy: {
        definition:
          "share of fakes (categorical code i mod 10, noise and continuous codes from the prior) whose digit, as read by @gankit/metrics' digit classifier, is the one the best one-to-one code→digit assignment gives their code",
        samples,
        raw: raw as unknown as JsonValue,
        ...(averaged && averager ? { [averager.name]: averaged as unknown as JsonValue } : {}),
      },
      sweepRowOrder: order,
    };
    fs.writeFileSync(path.join(facts.out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
    const pct = (a: CodeAccuracy) => `${(a.accuracy * 100).toFixed(1)}%`;
    return {
      files: [...out.files, ...files],
      metrics,
      summary: `${out.summary}\nmnist-infogan code accuracy (best code→digit assignment): ${averaged ? `${averager!.name} ${pct(averaged)}, ` : ''}raw ${pct(raw)}; code→digit ${best.classOfCode.join(' ')}`,
    };
  },
};

export default mnistInfogan;
