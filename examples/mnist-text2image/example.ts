// mnist-text2image: `gankit train --example mnist-text2image`. Text to image with a matching-aware
// discriminator (GAN-CLS) and interpolated captions (GAN-INT), Reed et al. 2016, on captions that
// the example writes from the pixels of the mnist digits ("a thick seven leaning right").
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { textConditionalDiscriminator, textConditionalGenerator } from '@gankit/architectures';
import { ema } from '@gankit/averaging';
import { RandomSource, type JsonValue, type Network } from '@gankit/core';
import {
  type CaptionedDigits,
  type DigitCaptionThresholds,
  DIGIT_WORDS,
  NUM_DIGIT_CAPTIONS,
  SLANT_PHRASES,
  THICKNESS_WORDS,
  attributeWords,
  captionDigits,
  digitCaption,
  digitCaptionParts,
  measureDigits,
} from '@gankit/data';
import { mnistDigits } from '@gankit/data/node';
import { nonSaturating } from '@gankit/losses';
import { FeatureStatistics, type GaussianStatistics, digitClassifier, frechetDistance } from '@gankit/metrics';
import { type GridRecorder, type MetricsLogger, gridRecorder, htmlReport, metricsLogger } from '@gankit/report';
import { type Trainer, ganCls, ganInt } from '@gankit/trainer';
import { type Example, Progress, findAverager, realFeatureStatistics } from '@gankit/cli';
import { type CaptionEncoderReport, trainCaptionEncoder } from './caption-encoder';
import { captionTable, interpolationTable } from './pictures';

/** The mnist-text2image example's settings (the defaults of `gankit train --example mnist-text2image`). */
export const MNIST_TEXT2IMAGE = {
  /** Adam's learning rate and β₁, for G and D. */
  learningRate: 2e-4,
  beta1: 0.5,
  /** Decay of the EMA of G's weights (with ramp-up). */
  emaDecay: 0.999,
  steps: 1500,
  batchSize: 64,
  gridEvery: 100,
  /** Samples of the final evaluation (20 per caption). */
  evalSamples: 1200,
  latentDim: 64,
  generatorFilters: 24,
  discriminatorFilters: 16,
  /** Length of a caption embedding φ(t) and of its compressed form inside G and D. */
  embeddingDim: 32,
  projectionDim: 32,
  /** The caption encoder's joint-embedding training. */
  encoderSteps: 300,
  encoderBatchSize: 128,
  encoderLearningRate: 1e-3,
  encoderScale: 10,
  /** GAN-CLS: the share of D's fake side given to mismatched captions (½ in the paper). */
  mismatchWeight: 0.5,
  /** GAN-INT: β and the weight of the interpolated term (½ and 1 in the paper). */
  interpolationBeta: 0.5,
  interpolationWeight: 1,
} as const;

/** Settings of {@link text2imageExample} (see {@link MNIST_TEXT2IMAGE}). */
export type Text2imageSettings = { readonly [K in keyof typeof MNIST_TEXT2IMAGE]: number };

/** The captioned training digits and the held-out ones (captioned with the training thresholds). */
let captioned: { train: CaptionedDigits; test: CaptionedDigits } | undefined;
function captionedDigits(): { train: CaptionedDigits; test: CaptionedDigits } {
  if (!captioned) {
    const train = captionDigits(mnistDigits({ split: 'train' }));
    const test = captionDigits(mnistDigits({ split: 'test' }), { thresholds: train.thresholds });
    captioned = { train, test };
  }
  return captioned;
}

const generatorOf = (S: Text2imageSettings, captionEmbeddings: tf.Tensor | { numCaptions: number; dim: number }, seed: number) =>
  textConditionalGenerator({
    captionEmbeddings,
    latentDim: S.latentDim,
    baseFilters: S.generatorFilters,
    projectionDim: S.projectionDim,
    seed,
  });

/** The frozen caption table inside a text-conditioned network. */
function tableOf(net: Network): tf.Variable {
  const table = net.nonTrainableVariables.find((v) => v.name === `${net.name}/captions/table`);
  if (!table) throw new Error(`mnist-text2image: network '${net.name}' has no caption table`);
  return table;
}

/** What {@link scoreCaptions} measures. */
interface CaptionScores {
  samples: number;
  classAccuracy: number;
  thicknessAgreement: number;
  slantAgreement: number;
  leftRightAgreement: number;
  fid: number;
}

const CHANCE = { thicknessAgreement: 0.5, slantAgreement: 1 / 3, leftRightAgreement: 0.5 };

/**
 * Samples `n` digits, 1/60 for each caption (ids `i mod 60`), and measures how often the digit
 * classifier reads the caption's digit, how often the measured thickness and slant (with the
 * training data's per-class thresholds) agree with the caption's words, and the FID against the
 * training digits.
 */
function scoreCaptions(
  sample: (z: tf.Tensor, ids: tf.Tensor) => tf.Tensor,
  thresholds: DigitCaptionThresholds,
  real: GaussianStatistics,
  options: { seed: number; samples: number; latentDim: number; progress?: boolean | undefined; label?: string | undefined },
): CaptionScores {
  const n = options.samples;
  const random = new RandomSource(options.seed);
  const clf = digitClassifier();
  const feats = new FeatureStatistics();
  const hits = { classAccuracy: 0, thicknessAgreement: 0, slantAgreement: 0, leftRightAgreement: 0, leftRight: 0 };
  const bar =
    options.progress === false ? undefined : new Progress({ total: n, label: `evaluate${options.label ? ` ${options.label}` : ''}` });
  try {
    for (let i = 0; i < n; i += 120) {
      const b = Math.min(120, n - i);
      const ids = Int32Array.from({ length: b }, (_, k) => (i + k) % NUM_DIGIT_CAPTIONS);
      const z = random.normal([b, options.latentDim]);
      const idt = tf.tensor1d(ids, 'int32');
      const x = sample(z, idt);
      const [f, p] = tf.tidy(() => [clf.features(x), tf.argMax(clf.probs(x), 1)]);
      feats.add(f as tf.Tensor2D);
      const read = p.dataSync();
      const attrs = measureDigits(x.dataSync());
      tf.dispose([z, idt, x, f, p]);
      for (let k = 0; k < b; k++) {
        const want = digitCaptionParts(ids[k]);
        const got = attributeWords(thresholds, want.digit, attrs.strokeWidth[k], attrs.slant[k]);
        hits.classAccuracy += read[k] === want.digit ? 1 : 0;
        hits.thicknessAgreement += got.thickness === want.thickness ? 1 : 0;
        hits.slantAgreement += got.slant === want.slant ? 1 : 0;
        if (want.slant !== 1) {
          const [lo, hi] = thresholds.slant[want.digit];
          hits.leftRight++;
          hits.leftRightAgreement += (attrs.slant[k] > (lo + hi) / 2 ? 2 : 0) === want.slant ? 1 : 0;
        }
      }
      bar?.update(i + b);
    }
  } finally {
    bar?.finish();
    clf.dispose();
  }
  return {
    samples: n,
    classAccuracy: hits.classAccuracy / n,
    thicknessAgreement: hits.thicknessAgreement / n,
    slantAgreement: hits.slantAgreement / n,
    leftRightAgreement: hits.leftRightAgreement / Math.max(1, hits.leftRight),
    fid: frechetDistance(real, feats.statistics()),
  };
}

const round = (v: number) => Number(v.toPrecision(4));
const scoresJson = (s: CaptionScores): { [key: string]: JsonValue } => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v)]));
const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
const scoresLine = (s: CaptionScores) =>
  `class ${pct(s.classAccuracy)}, thick/thin ${pct(s.thicknessAgreement)} (chance 50%), slant ${pct(s.slantAgreement)} (chance 33%), left/right ${pct(s.leftRightAgreement)} (chance 50%), FID ${s.fid.toFixed(1)}`;

/** The caption pairs of the interpolation picture. */
const INTERPOLATIONS: readonly (readonly [string, string])[] = [
  ['a thin seven leaning left', 'a thick seven leaning right'],
  ['a thick one leaning left', 'a thick one leaning right'],
  ['a thin two standing upright', 'a thick two standing upright'],
  ['a thick three standing upright', 'a thick eight standing upright'],
  ['a thin four leaning right', 'a thin nine leaning right'],
  ['a thick zero leaning left', 'a thin six leaning right'],
];
const INTERPOLATION_STEPS = 8;
const captionIdOf = (text: string) => {
  const id = Array.from({ length: NUM_DIGIT_CAPTIONS }, (_, i) => digitCaption(i)).indexOf(text);
  if (id < 0) throw new Error(`mnist-text2image: no caption "${text}"`);
  return id;
};

/** Writes the caption table (two samples per caption, the same two z along each row) and the interpolations. */
function drawPictures(generator: Network, latentDim: number, out: string, seed: number, suffix: string): string[] {
  const random = new RandomSource(seed).fork('pictures');
  const perCell = 2;
  const files: string[] = [];
  // Caption table: row r is digit r, column group c the caption (thickness, slant) c.
  const zRows = random.normal([10 * perCell, latentDim]);
  const count = 10 * 6 * perCell;
  const rowIndex = Int32Array.from({ length: count }, (_, i) => Math.floor(i / (6 * perCell)) * perCell + (i % perCell));
  const ids = Int32Array.from({ length: count }, (_, i) => Math.floor(i / (6 * perCell)) * 6 + Math.floor((i % (6 * perCell)) / perCell));
  const table = tf.tidy(() => {
    const z = tf.gather(zRows, tf.tensor1d(rowIndex, 'int32'));
    return generator.apply(z, { training: false, labels: tf.tensor1d(ids, 'int32') });
  });
  const columns = [0, 1].flatMap((t) => [0, 1, 2].map((s) => `${THICKNESS_WORDS[t]}, ${SLANT_PHRASES[s]}`));
  const caps = captionTable(
    table,
    DIGIT_WORDS,
    columns,
    perCell,
    'Each sample: "a <column> <row>", e.g. row seven, column "thick, leaning right"',
  );
  fs.writeFileSync(path.join(out, `captions${suffix}.png`), caps.png);
  fs.writeFileSync(path.join(out, `captions${suffix}.svg`), caps.svg);
  files.push(`captions${suffix}.png`, `captions${suffix}.svg`);
  // Interpolations: h = β·φ(t1) + (1 − β)·φ(t2), β from 1 to 0, one z per row.
  const zPairs = random.normal([INTERPOLATIONS.length, latentDim]);
  const inter = tf.tidy(() => {
    const embeddings = tableOf(generator);
    const rows = INTERPOLATIONS.map(([a, b], r) => {
      const beta = tf.reshape(tf.linspace(1, 0, INTERPOLATION_STEPS), [INTERPOLATION_STEPS, 1]);
      const ea = tf.gather(embeddings, tf.tensor1d([captionIdOf(a)], 'int32'));
      const eb = tf.gather(embeddings, tf.tensor1d([captionIdOf(b)], 'int32'));
      const h = tf.add(tf.mul(beta, ea), tf.mul(tf.sub(1, beta), eb));
      const z = tf.tile(tf.slice(zPairs, [r, 0], [1, -1]), [INTERPOLATION_STEPS, 1]);
      return generator.apply(z, { training: false, labels: h });
    });
    return tf.concat(rows, 0);
  });
  const interp = interpolationTable(
    inter,
    INTERPOLATIONS,
    INTERPOLATION_STEPS,
    'GAN-INT: h = β·φ(t₁) + (1 − β)·φ(t₂), β from 1 (left) to 0 (right), one z per row',
  );
  fs.writeFileSync(path.join(out, `interpolation${suffix}.png`), interp.png);
  fs.writeFileSync(path.join(out, `interpolation${suffix}.svg`), interp.svg);
  files.push(`interpolation${suffix}.png`, `interpolation${suffix}.svg`);
  tf.dispose([zRows, table, zPairs, inter]);
  return files;
}

let realStats: GaussianStatistics | undefined;
const realStatistics = (progress: boolean | undefined) => {
  realStats ??= realFeatureStatistics(captionedDigits().train.dataset, { progress });
  return realStats;
};

/**
 * Builds the mnist-text2image example from its settings ({@link mnistText2image} is the one with
 * {@link MNIST_TEXT2IMAGE}; tests build a small one).
 */
export function text2imageExample(S: Text2imageSettings = MNIST_TEXT2IMAGE): Example {
  /** What setup measured about the caption encoder, for the finish to report. */
  let encoderReport: CaptionEncoderReport | undefined;
  return {
    name: 'mnist-text2image',
    description: 'text to image on captions written from mnist digits ("a thick seven leaning right"): GAN-CLS + GAN-INT',
    defaults: { steps: S.steps, batchSize: S.batchSize },
    output: 'images',
    numClasses: NUM_DIGIT_CAPTIONS,
    buildGenerator: ({ seed }) => generatorOf(S, { numCaptions: NUM_DIGIT_CAPTIONS, dim: S.embeddingDim }, seed * 2 + 1),
    setup({ seed, out, resume, gridEvery }) {
      const { train, test } = captionedDigits();
      const { table, report } = trainCaptionEncoder(
        train,
        test,
        {
          dim: S.embeddingDim,
          steps: S.encoderSteps,
          batchSize: S.encoderBatchSize,
          learningRate: S.encoderLearningRate,
          scale: S.encoderScale,
        },
        seed,
      );
      encoderReport = report;
      const generator = generatorOf(S, table, seed * 2 + 1);
      const discriminator = textConditionalDiscriminator({
        captionEmbeddings: table,
        baseFilters: S.discriminatorFilters,
        projectionDim: S.projectionDim,
        seed: seed * 2 + 2,
      });
      table.dispose();
      const plugins = [
        ganCls({ numCaptions: NUM_DIGIT_CAPTIONS, mismatchWeight: S.mismatchWeight }),
        ganInt({ embeddings: () => tableOf(generator), beta: S.interpolationBeta, weight: S.interpolationWeight }),
        ema({ decay: S.emaDecay, rampUp: true }),
      ];
      if (out) {
        plugins.push(
          gridRecorder({
            every: gridEvery ?? S.gridEvery,
            dir: out,
            z: NUM_DIGIT_CAPTIONS,
            labels: Int32Array.from({ length: NUM_DIGIT_CAPTIONS }, (_, i) => i),
            grid: { cols: 6 },
            rowPerClass: false,
          }),
          metricsLogger({ file: path.join(out, 'logs.jsonl'), overwrite: !resume }),
        );
      }
      const adam = () => tf.train.adam(S.learningRate, S.beta1);
      return {
        generator,
        discriminator,
        loss: nonSaturating,
        data: train.dataset,
        generatorOptimizer: adam(),
        discriminatorOptimizer: adam(),
        plugins,
        discriminatorSteps: 1,
        conditional: true,
      };
    },
    async evaluate(sampler, options) {
      const { train } = captionedDigits();
      const scores = scoreCaptions((z, ids) => sampler.sample(z, ids), train.thresholds, realStatistics(options.progress), {
        seed: options.seed,
        samples: options.samples ?? S.evalSamples,
        latentDim: S.latentDim,
        progress: options.progress,
        label: options.label,
      });
      return scoresJson(scores);
    },
    async finish(trainer: Trainer, facts) {
      const files: string[] = [];
      const { train } = captionedDigits();
      const generator = trainer.generator;
      const averager = findAverager(trainer.plugins);
      const grids = trainer.plugins.find((p) => p.name === 'grid-recorder') as GridRecorder | undefined;
      const logger = trainer.plugins.find((p) => p.name === 'metrics-logger') as MetricsLogger | undefined;
      const sample = (z: tf.Tensor, ids: tf.Tensor) => generator.apply(z, { training: false, labels: ids });
      const real = realStatistics(facts.progress);
      const samples = facts.evalSamples ?? S.evalSamples;
      const evalOptions = { seed: facts.seed, samples, latentDim: S.latentDim, progress: facts.progress };
      const raw = scoreCaptions(sample, train.thresholds, real, { ...evalOptions, label: 'raw' });
      files.push(...drawPictures(generator, S.latentDim, facts.out, facts.seed, '-raw'));
      const avg = averager
        ? averager.withAveragedWeights(generator, () => {
            files.push(...drawPictures(generator, S.latentDim, facts.out, facts.seed, ''));
            return scoreCaptions(sample, train.thresholds, real, { ...evalOptions, label: averager.name });
          })
        : undefined;
      const metrics: { [key: string]: JsonValue } = {
        example: 'mnist-text2image',
        generator: averager ? averager.name : 'raw',
        raw: scoresJson(raw),
        ...(avg && averager ? { [averager.name]: scoresJson(avg) } : {}),
        chance: CHANCE,
        captionEncoder: encoderReport
          ? (Object.fromEntries(Object.entries(encoderReport).map(([k, v]) => [k, round(v)])) as JsonValue)
          : null,
        definition:
          "classAccuracy: how often @gankit/metrics' digit classifier reads the caption's digit; thicknessAgreement / slantAgreement: how often the stroke width (above the class's median: thick) and slant (tertiles: left, upright, right) measured from the sample agree with the caption's words; leftRightAgreement: for captions leaning left or right, how often the sample's slant is on that side of the class's middle slant; fid: Fréchet distance of the digit classifier's features against the training digits. Samples: ids i mod 60, z from the run seed.",
        steps: facts.steps,
        seconds: Number(facts.seconds.toFixed(2)),
        secondsPerStep: facts.steps > 0 ? Number((facts.seconds / facts.steps).toFixed(3)) : null,
        backend: facts.backend,
        seed: facts.seed,
        batchSize: facts.batchSize,
      };
      fs.writeFileSync(path.join(facts.out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
      files.push('metrics.json');
      if (logger) await logger.flush();
      const best = avg ?? raw;
      const finalMetrics: Record<string, number | string> = {
        steps: facts.steps,
        'seconds per step': round(facts.seconds / Math.max(1, facts.steps)),
      };
      for (const [prefix, s] of [['raw', raw], ...(avg && averager ? [[averager.name, avg]] : [])] as [string, CaptionScores][]) {
        for (const [k, v] of Object.entries(s)) if (k !== 'samples') finalMetrics[`${prefix} ${k}`] = round(v);
      }
      const suffix = averager ? '' : '-raw';
      await htmlReport({
        dir: facts.out,
        title: 'Text to image (GAN-CLS + GAN-INT) on captioned MNIST digits',
        config: {
          example: 'mnist-text2image',
          seed: facts.seed,
          backend: facts.backend,
          ...S,
          batchSize: facts.batchSize,
          steps: facts.steps,
        },
        logsFile: logger && fs.existsSync(logger.file) ? logger.file : undefined,
        grids: [
          ...(grids?.files ?? []),
          {
            file: path.join(facts.out, `captions${suffix}.png`),
            caption: 'a row per digit; columns: thin/thick × leaning left/upright/right (two z per row)',
          },
          {
            file: path.join(facts.out, `interpolation${suffix}.png`),
            caption: 'GAN-INT interpolations between two captions (see interpolation.svg)',
          },
        ],
        finalMetrics,
      });
      files.push('report.html');
      if (logger) files.push('logs.jsonl');
      if (grids?.files.length) files.push('grids/');
      return {
        files,
        metrics,
        summary: `mnist-text2image: ${averager ? `${averager.name} ${scoresLine(best)}; raw ` : ''}${scoresLine(raw)} (${samples} samples; ${facts.steps} steps, ${facts.seconds.toFixed(1)} s on ${facts.backend})`,
      };
    },
  };
}

/**
 * mnist-text2image: text to image with a matching-aware discriminator (GAN-CLS) and interpolated
 * captions (GAN-INT), Reed et al. 2016. Each training digit gets a caption written from its class
 * and the stroke width and slant measured from its pixels ("a thick seven leaning right", 60
 * captions in all, `captionDigits` of `@gankit/data`). A word-level text encoder is trained with a
 * small image encoder on (digit, caption) pairs by a joint embedding and frozen; its 60 caption
 * embeddings are the table G and D look caption ids up in. G (`textConditionalGenerator`) and D
 * (`textConditionalDiscriminator`) train on the one trainer with the `ganCls` and `ganInt`
 * plugins; non-saturating loss, Adam 2e-4 (β₁ 0.5), EMA. The finish reports how often the digit
 * classifier reads the caption's digit and how often the measured thickness and slant agree with
 * the caption's words, and draws captions beside their samples and interpolations between captions.
 */
export const mnistText2image: Example = text2imageExample();

export default mnistText2image;
