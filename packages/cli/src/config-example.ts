import * as tf from '@tensorflow/tfjs-core';
import {
  type AnyPartEntry,
  type DataSource,
  GankitError,
  type GanPlugin,
  type JsonValue,
  type Network,
  RandomSource,
  type WeightParametrizationFactory,
} from '@gankit/core';
import { type GanArchitecture, architectures } from '@gankit/architectures';
import { averagers } from '@gankit/averaging';
import { GaussianMixture } from '@gankit/data';
import { nodeDatasets } from '@gankit/data/node';
import { type LossEntry, losses } from '@gankit/losses';
import { type FidPluginContext, type ModeCoverageEvaluator, type PluginMetricEntry, metrics } from '@gankit/metrics';
import { regularizers } from '@gankit/regularizers';
import type { Trainer } from '@gankit/trainer';
import type { TrainConfig } from './config';
import type { Example, ExampleOutputs, GeneratorSampler, RunFacts } from './examples/types';
import { metricClassifier } from './image-scores';
import { type ImageMetric, type RealImages, imageExample, realFeatureStatistics } from './images';
import { optimizers } from './optimizers';
import { finishPointsRun } from './points';

/** The metrics that make plugins: each is a key of a config's `"metrics"`. */
export const pluginMetrics = metrics.entries.filter((e): e is PluginMetricEntry => e.kind === 'plugin');

/** A part's options: its config without `name`. */
export function optionsOf(config: { name: string }): Record<string, unknown> {
  const { name: _, ...options } = config;
  return options;
}

/** Makes the part a config names, from options already parsed by the config schema. */
function make<P>(registry: { get(name: string): AnyPartEntry }, config: { name: string }, context?: unknown): P {
  return registry.get(config.name).create(optionsOf(config), context) as P;
}

/** The discriminator's weight parametrization the regularizers name (spectral norm), seeded with D's seed. */
function weightParametrization(config: TrainConfig, seed: number): WeightParametrizationFactory | undefined {
  const r = config.regularizers.find((c) => regularizers.get(c.name).kind === 'weight-parametrization');
  return r && make<WeightParametrizationFactory>(regularizers, r, { seed });
}

/** Fresh plugins: the regularizers' (in order), then the averaging. */
function regularizerPlugins(config: TrainConfig): GanPlugin[] {
  const out = config.regularizers.filter((r) => regularizers.get(r.name).kind === 'plugin').map((r) => make<GanPlugin>(regularizers, r));
  if (config.averaging) out.push(make<GanPlugin>(averagers, config.averaging));
  return out;
}

/** The run's parts, made from a validated configuration. */
function partsOf(config: TrainConfig) {
  const dataEntry = nodeDatasets.get(config.data.name);
  return {
    dataEntry,
    numClasses: architectures.get(config.architecture.name).conditional ? dataEntry.numClasses : undefined,
    arch: make<GanArchitecture>(architectures, config.architecture),
    loss: make<ReturnType<LossEntry['create']>>(losses, config.loss),
    generatorOptimizer: () => make<tf.Optimizer>(optimizers, config.optimizer.generator),
    discriminatorOptimizer: () => make<tf.Optimizer>(optimizers, config.optimizer.discriminator),
  };
}

/** Builds the {@link Example} a validated configuration describes (an image or a 2-D example). */
export function exampleFromConfig(config: TrainConfig): Example {
  const json = config as unknown as JsonValue;
  const parts = partsOf(config);
  if (parts.dataEntry.holds === 'points') return pointsExample(config, json, parts);
  const { arch, numClasses } = parts;
  const exampleShape = parts.dataEntry.exampleShape;
  const images = () => make<RealImages & DataSource>(nodeDatasets, config.data);
  // Digits get the MNIST FID, Fashion-MNIST the Fashion classifier's; other images the digit features.
  const metric: ImageMetric = config.data.name === 'mnist' ? 'mnist' : config.data.name === 'fashion-mnist' ? 'fashion' : 'digit-features';
  return imageExample({
    name: config.name,
    description: `configured run: ${config.architecture.name} on ${config.data.name}, ${config.loss.name} loss`,
    title: `${config.name}: ${config.architecture.name} on ${config.data.name}`,
    defaults: {
      steps: config.steps,
      batchSize: config.batchSize,
      gridEvery: config.report.gridEvery,
      evalSamples: config.metrics.evalSamples,
    },
    data: images,
    metric,
    numClasses,
    generator: (seed): Network => arch.generator({ seed, exampleShape, numClasses }),
    discriminator: (seed): Network =>
      arch.discriminator({ seed, exampleShape, numClasses, weightParametrization: weightParametrization(config, seed) }),
    loss: parts.loss,
    optimizers: () => ({ generator: parts.generatorOptimizer(), discriminator: parts.discriminatorOptimizer() }),
    plugins: () => {
      const out = regularizerPlugins(config);
      for (const m of pluginMetrics) {
        const options = config.metrics[m.name];
        if (!options) continue;
        // The real statistics are computed once, when the plugin list is built for training.
        const extractor = metricClassifier(metric);
        const context: FidPluginContext = {
          extractor,
          realStatistics: realFeatureStatistics(images(), { metric }),
          labels: numClasses
            ? (n) =>
                tf.tensor1d(
                  Int32Array.from({ length: n }, (_, i) => i % numClasses),
                  'int32',
                )
            : undefined,
        };
        // The metric's plugin does not own its extractor: this one frees it with the trainer.
        out.push(m.create(options, context), { name: `${m.name}-extractor`, dispose: () => extractor.dispose() });
      }
      return out;
    },
    discriminatorSteps: config.optimizer.discriminatorSteps,
    settings: { config: json },
    config: json,
  });
}

/** The Gaussian mixture a 2-D config names. */
function mixture(config: TrainConfig): GaussianMixture {
  const data = make<unknown>(nodeDatasets, config.data);
  if (!(data instanceof GaussianMixture))
    throw new GankitError('config', `config.data.name '${config.data.name}' is not a 2-D Gaussian mixture`);
  return data;
}

/** Mode coverage of `n` points from a generator against a Gaussian mixture's modes. */
export function evaluatePoints(
  sampler: GeneratorSampler,
  data: GaussianMixture,
  options: { seed: number; samples?: number | undefined },
): { [key: string]: JsonValue } {
  const n = options.samples ?? 2500;
  // From G's own latent distribution where it has one (ring8's noise and one-hot code).
  const random = new RandomSource(options.seed);
  const z = sampler.latent ? sampler.latent(n, random) : random.normal([n, ...sampler.latentShape]);
  const x = sampler.sample(z);
  const points = x.arraySync() as number[][];
  tf.dispose([z, x]);
  const c = metrics.create('mode-coverage') as ModeCoverageEvaluator;
  const result = c(points, data.modes, data.std);
  return {
    modesCaptured: result.modesCaptured,
    numModes: result.numModes,
    highQualityFraction: Number(result.highQualityFraction.toFixed(6)),
    pointsPerMode: result.pointsPerMode,
    samples: n,
  };
}

function pointsExample(config: TrainConfig, json: JsonValue, parts: ReturnType<typeof partsOf>): Example {
  const { arch, dataEntry } = parts;
  const exampleShape = dataEntry.exampleShape;
  const generator = (seed: number) => arch.generator({ seed: seed * 2 + 1, exampleShape });
  return {
    name: config.name,
    description: `configured run: ${config.architecture.name} on ${config.data.name}, ${config.loss.name} loss`,
    defaults: { steps: config.steps, batchSize: config.batchSize },
    output: 'points',
    config: json,
    buildGenerator: ({ seed }) => generator(seed),
    setup({ seed }) {
      return {
        generator: generator(seed),
        discriminator: arch.discriminator({
          seed: seed * 2 + 2,
          exampleShape,
          weightParametrization: weightParametrization(config, seed * 2 + 2),
        }),
        loss: parts.loss,
        data: mixture(config),
        generatorOptimizer: parts.generatorOptimizer(),
        discriminatorOptimizer: parts.discriminatorOptimizer(),
        plugins: regularizerPlugins(config),
        discriminatorSteps: config.optimizer.discriminatorSteps,
        conditional: false,
      };
    },
    async evaluate(sampler, options) {
      return evaluatePoints(sampler, mixture(config), { seed: options.seed, samples: options.samples });
    },
    finish: (trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs> => finishPointsRun(trainer, facts, config.name),
  };
}
