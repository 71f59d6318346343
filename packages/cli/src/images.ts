// The image examples' shared module: an Example built from its parts (networks, data, loss,
// optimizers, plugins), with sample grids, logs, the final scores and report.html. The scoring is in
// image-scores.ts.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, type DataSource, type GanPlugin, type JsonValue, type LossPair, type Network } from '@gankit/core';
import { isAveragingPlugin, type AveragingPlugin } from '@gankit/averaging';
import type { GaussianStatistics } from '@gankit/metrics';
import { gridRecorder, htmlReport, imageGrid, metricsLogger, type GridRecorder, type MetricsLogger } from '@gankit/report';
import type { LatentSampler, Trainer } from '@gankit/trainer';
import {
  MAX_REAL_IMAGES,
  evaluateImages,
  realFeatureRows,
  realFeatureStatistics,
  round,
  scoresJson,
  scoresLine,
  type ImageMetric,
  type ImageScores,
  type RealImages,
} from './image-scores';
import type { Example, ExampleOutputs, GeneratorSampler, RunFacts } from './examples/types';

export { MAX_REAL_IMAGES, evaluateImages, realFeatureRows, realFeatureStatistics } from './image-scores';
export type { ImageMetric, ImageScores, RealImages } from './image-scores';

/** A {@link GeneratorSampler} over a network in inference mode (latent points from `latent`, default standard normal). */
export function networkSampler(network: Network, numClasses?: number, latent?: LatentSampler): GeneratorSampler {
  return {
    network,
    latentShape: network.inputShape,
    numClasses,
    latent,
    sample: (z, labels) => network.apply(z, { training: false, labels }),
  };
}

/** The averaging plugin of the generator (e.g. `ema`) among a trainer's plugins, if any. */
export function findAverager(plugins: readonly GanPlugin[]): AveragingPlugin | undefined {
  return plugins.find((p): p is AveragingPlugin => isAveragingPlugin(p) && p.network === 'generator');
}

/** Labels `[0 × perClass, 1 × perClass, ...]` for a grid with one row per class. */
export function rowPerClassLabels(numClasses: number, perClass: number): Int32Array {
  return Int32Array.from({ length: numClasses * perClass }, (_, i) => Math.floor(i / perClass));
}

/** What an image example is made of: see {@link imageExample}. */
export interface ImageExampleSpec {
  /** The name on the command line. */
  readonly name: string;
  /** One line on what it shows. */
  readonly description: string;
  /** Title of report.html. */
  readonly title: string;
  /** Defaults: iterations, batch size, iterations between grids, samples of the final evaluation. */
  readonly defaults: { readonly steps: number; readonly batchSize: number; readonly gridEvery: number; readonly evalSamples: number };
  /** Loads the real images (an `InMemoryDataset`). */
  data(): RealImages & DataSource;
  /** How samples are scored. */
  readonly metric: ImageMetric;
  /**
   * Loads the real images the scores compare samples with (the first {@link MAX_REAL_IMAGES} of
   * them), e.g. a held-out test split; default the training data of {@link data}.
   */
  realImages?(): RealImages;
  /** Number of classes, for a class-conditional generator (grids then have a row per class). */
  readonly numClasses?: number | undefined;
  /** Builds the generator from a seed. */
  generator(seed: number): Network;
  /** G's latent distribution, for training, the grids and the evaluation (default standard normal). */
  readonly latent?: LatentSampler | undefined;
  /** Builds the discriminator from a seed. */
  discriminator(seed: number): Network;
  /** The adversarial loss. */
  readonly loss: LossPair;
  /** Fresh optimizers of G and D. */
  optimizers(): { generator: tf.Optimizer; discriminator: tf.Optimizer };
  /**
   * Fresh plugins: regularizers, averaging, metrics (the grid recorder and logger are added). It
   * gets the optimizers that {@link ImageExampleSpec.optimizers} just made for the same run, so a
   * plugin that drives them (a learning-rate schedule) can be among them.
   */
  plugins(optimizers: { generator: tf.Optimizer; discriminator: tf.Optimizer }): GanPlugin[];
  /** Discriminator updates per iteration. */
  readonly discriminatorSteps: number;
  /** The settings, shown in report.html (and, for `--config` runs, the whole config). */
  readonly settings: { [key: string]: JsonValue };
  /** The training configuration (`--config` runs), written to config.json. */
  readonly config?: JsonValue | undefined;
  /** How `--workers auto` uses the cores (see {@link Example.parallelism}; default `'workers'`). */
  readonly parallelism?: 'workers' | 'threads' | undefined;
  /**
   * Also score improved precision and recall (k = 3, the metric's classifier features) of the samples
   * against as many real images as samples (default false).
   */
  readonly precisionRecall?: boolean | undefined;
}

const GRID_COLUMNS = 8;

/**
 * Builds an image {@link Example} from its parts. Training writes a PNG grid of samples from fixed
 * latent points every `gridEvery` iterations (`grids/step-*.png`) and one JSON line per iteration
 * (`logs.jsonl`); the finish writes `samples.png` (averaged generator, the same fixed z) and
 * `samples-raw.png`, scores the raw and the averaged generator (`metrics.json`) and writes
 * `report.html`. Every image example shares this code.
 */
export function imageExample(spec: ImageExampleSpec): Example {
  const metric = spec.metric;
  // The real set of the scores: spec.realImages (loaded once) or the training data.
  let heldOut: RealImages | undefined;
  const scoredAgainst = (training: () => RealImages): RealImages => {
    if (!spec.realImages) return training();
    heldOut ??= spec.realImages();
    return heldOut;
  };
  let realStats: GaussianStatistics | undefined;
  const realStatistics = (real: RealImages, progress: boolean | undefined): GaussianStatistics => {
    realStats ??= realFeatureStatistics(real, { progress, metric });
    return realStats;
  };
  const realRows = new Map<number, Float32Array>();
  const realFeatures = (real: RealImages, samples: number): Float32Array | undefined => {
    if (!spec.precisionRecall) return undefined;
    if (!realRows.has(samples)) realRows.set(samples, realFeatureRows(real, { max: samples, metric }));
    return realRows.get(samples);
  };
  const gridCount = spec.numClasses ? spec.numClasses * GRID_COLUMNS : 64;
  const gridLabels = spec.numClasses ? rowPerClassLabels(spec.numClasses, GRID_COLUMNS) : undefined;

  return {
    name: spec.name,
    description: spec.description,
    defaults: { steps: spec.defaults.steps, batchSize: spec.defaults.batchSize },
    output: 'images',
    parallelism: spec.parallelism,
    numClasses: spec.numClasses,
    latent: spec.latent,
    config: spec.config,
    buildGenerator: ({ seed }) => spec.generator(seed * 2 + 1),
    setup({ seed, out, resume, gridEvery }) {
      const data = spec.data();
      const optimizers = spec.optimizers();
      const plugins = spec.plugins(optimizers);
      if (out) {
        const gridZ = spec.latent?.(gridCount, new RandomSource(seed).fork('grid-latent'));
        plugins.push(
          gridRecorder({
            every: gridEvery ?? spec.defaults.gridEvery,
            dir: out,
            z: gridZ ?? gridCount,
            labels: gridLabels,
            grid: { cols: GRID_COLUMNS },
          }),
          metricsLogger({ file: path.join(out, 'logs.jsonl'), overwrite: !resume }),
        );
        gridZ?.dispose(); // the recorder keeps a copy
      }
      const generator = spec.generator(seed * 2 + 1);
      const discriminator = spec.discriminator(seed * 2 + 2);
      return {
        generator,
        discriminator,
        loss: spec.loss,
        data,
        generatorOptimizer: optimizers.generator,
        discriminatorOptimizer: optimizers.discriminator,
        plugins,
        discriminatorSteps: spec.discriminatorSteps,
        conditional: spec.numClasses !== undefined,
        latent: spec.latent,
      };
    },
    async evaluate(sampler, options) {
      const data = scoredAgainst(() => spec.data());
      const samples = options.samples ?? spec.defaults.evalSamples;
      return scoresJson(
        evaluateImages(
          spec.latent && !sampler.latent ? { ...sampler, latent: spec.latent } : sampler,
          realStatistics(data, options.progress),
          spec.metric,
          {
            ...options,
            samples,
            realFeatures: realFeatures(data, samples),
          },
        ),
      );
    },
    async finish(trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs> {
      const files: string[] = [];
      const grids = trainer.plugins.find((p) => p.name === 'grid-recorder') as GridRecorder | undefined;
      const logger = trainer.plugins.find((p) => p.name === 'metrics-logger') as MetricsLogger | undefined;
      const averager = findAverager(trainer.plugins);
      const raw = networkSampler(trainer.generator, spec.numClasses, spec.latent);
      const withWeights = <T>(which: 'raw' | 'averaged', fn: () => T): T =>
        which === 'averaged' && averager ? averager.withAveragedWeights(trainer.generator, fn) : fn();

      // Final grids from the recorder's fixed z (or fresh points when there was no recorder).
      const z = grids?.z ? grids.z.clone() : new RandomSource(facts.seed).normal([gridCount, ...trainer.generator.inputShape]);
      const labels = gridLabels ? tf.tensor1d(gridLabels, 'int32') : undefined;
      const gridOptions = { cols: GRID_COLUMNS, labelsPerRow: gridLabels };
      try {
        for (const which of averager ? (['averaged', 'raw'] as const) : (['raw'] as const)) {
          const images = withWeights(which, () => raw.sample(z, labels));
          const file = which === 'averaged' || !averager ? 'samples.png' : 'samples-raw.png';
          fs.writeFileSync(path.join(facts.out, file), imageGrid(images, gridOptions));
          images.dispose();
          files.push(file);
        }
      } finally {
        tf.dispose([z, labels as tf.Tensor]);
      }

      // Scores of the raw and the averaged generator on the same latent points.
      const data = scoredAgainst(() => trainer.data as unknown as RealImages);
      const real = realStatistics(data, facts.progress);
      const samples = facts.evalSamples ?? spec.defaults.evalSamples;
      const evalOptions = { seed: facts.seed, samples, progress: facts.progress, realFeatures: realFeatures(data, samples) };
      const rawScores = evaluateImages(raw, real, spec.metric, { ...evalOptions, label: 'raw' });
      const avgScores = averager
        ? await averager.withAveragedWeights(trainer.generator, async () =>
            evaluateImages(raw, real, spec.metric, { ...evalOptions, label: averager.name }),
          )
        : undefined;

      const metrics: { [key: string]: JsonValue } = {
        example: spec.name,
        metric: spec.metric,
        generator: averager ? averager.name : 'raw',
        raw: scoresJson(rawScores),
        ...(avgScores ? { [averager!.name]: scoresJson(avgScores) } : {}),
        realImages: Math.min(data.size, MAX_REAL_IMAGES),
        definition:
          spec.metric === 'mnist'
            ? "fid: Fréchet distance between the 128-d features of @gankit/metrics' digit classifier on generated and real digits; inceptionScore: exp(E KL(p(y|x) || p(y))) of its class probabilities, mean and std over 10 splits"
            : spec.metric === 'fashion'
              ? "frechetDistanceFashionFeatures: Fréchet distance between the 128-d features of @gankit/metrics' fashionClassifier on generated and real Fashion-MNIST images (10,000 training images score 0.72 against the 10,000 test images)"
              : "frechetDistanceDigitFeatures: Fréchet distance in the 128-d feature space of @gankit/metrics' digit classifier (not an Inception FID: compare runs on the same data only)",
        steps: facts.steps,
        seconds: Number(facts.seconds.toFixed(2)),
        secondsPerStep: facts.steps > 0 ? Number((facts.seconds / facts.steps).toFixed(3)) : null,
        backend: facts.backend,
        seed: facts.seed,
        batchSize: facts.batchSize,
      };
      fs.writeFileSync(path.join(facts.out, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
      files.push('metrics.json');

      const finalMetrics: Record<string, number | string> = {
        steps: facts.steps,
        'seconds per step': round(facts.seconds / Math.max(1, facts.steps)),
      };
      const addScores = (prefix: string, s: ImageScores) => {
        if (s.fid !== undefined) finalMetrics[`${prefix} FID`] = round(s.fid);
        if (s.inceptionScore) finalMetrics[`${prefix} IS`] = `${s.inceptionScore.mean.toFixed(3)} ± ${s.inceptionScore.std.toFixed(3)}`;
        if (s.frechetDistanceDigitFeatures !== undefined)
          finalMetrics[`${prefix} FD (digit features)`] = round(s.frechetDistanceDigitFeatures);
        if (s.frechetDistanceFashionFeatures !== undefined)
          finalMetrics[`${prefix} FD (fashion features)`] = round(s.frechetDistanceFashionFeatures);
        if (s.labelAccuracy !== undefined) finalMetrics[`${prefix} label accuracy`] = round(s.labelAccuracy);
        if (s.precision !== undefined) finalMetrics[`${prefix} precision`] = round(s.precision);
        if (s.recall !== undefined) finalMetrics[`${prefix} recall`] = round(s.recall);
      };
      addScores('raw', rawScores);
      if (avgScores) addScores(averager!.name, avgScores);
      if (logger) await logger.flush();
      await htmlReport({
        dir: facts.out,
        title: spec.title,
        config: {
          example: spec.name,
          seed: facts.seed,
          batchSize: facts.batchSize,
          steps: facts.steps,
          backend: facts.backend,
          ...spec.settings,
        },
        logsFile: logger && fs.existsSync(logger.file) ? logger.file : undefined,
        grids: [
          ...(grids?.files ?? []),
          { file: path.join(facts.out, 'samples.png'), caption: `final samples (${averager ? averager.name : 'raw'} generator, fixed z)` },
          ...(averager ? [{ file: path.join(facts.out, 'samples-raw.png'), caption: 'final samples (raw generator, fixed z)' }] : []),
        ],
        finalMetrics,
      });
      files.push('report.html');
      if (logger) files.push('logs.jsonl');
      if (grids?.files.length) files.push('grids/');
      const best = avgScores ?? rawScores;
      return {
        files,
        metrics,
        summary: `${spec.name}: ${averager ? `${averager.name} ${scoresLine(best)}; raw ` : ''}${scoresLine(rawScores)} (${samples} samples; ${facts.steps} steps, ${facts.seconds.toFixed(1)} s on ${facts.backend})`,
      };
    },
  };
}
