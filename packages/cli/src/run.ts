import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape, networkVariables, type DataSource, type JsonValue, type Network } from '@gankit/core';
import { loadFinal } from '@gankit/trainer/node';
import { exampleFromConfig, validateConfig } from './config';
import { exampleNames, findExample, isCustomExample } from './examples/index';
import type { Example, GeneratorSampler } from './examples/types';

/** What `gankit train` writes to `DIR/config.json`. */
export interface RunConfigFile {
  /** The example's name. */
  readonly example: string;
  /** Iterations asked for. */
  readonly steps: number;
  /** Run seed. */
  readonly seed: number;
  /** Examples per batch. */
  readonly batchSize: number;
  /** The backend it trained on. */
  readonly backend?: string | undefined;
  /** The training configuration, for `gankit train --config` runs. */
  readonly config?: JsonValue | undefined;
}

/** Which weights of a run to use: the averaged generator (EMA) or the raw one. */
export type RunWeights = 'averaged' | 'raw';

/** A finished run loaded for sampling and evaluation: see {@link loadRun}. */
export interface LoadedRun {
  /** The run directory. */
  readonly dir: string;
  /** The run's config.json. */
  readonly file: RunConfigFile;
  /** The example the run trained. */
  readonly example: Example;
  /** Iterations the final weights were trained for. */
  readonly step: number;
  /** The generator, holding the weights {@link LoadedRun.weights} names. */
  readonly generator: Network;
  /** `'images'` or `'points'` (2-D). */
  readonly output: 'images' | 'points';
  /** Number of classes of a conditional generator. */
  readonly numClasses?: number | undefined;
  /** Whether the run saved averaged (EMA) generator weights. */
  readonly hasAveraged: boolean;
  /** The weights the generator holds now. */
  readonly weights: RunWeights;
  /** Samples from the generator as it is now. */
  readonly sampler: GeneratorSampler;
  /** The example's data, when the generator had to be built through the example's setup (2-D examples). */
  readonly data?: DataSource | undefined;
  /** Puts the averaged or the raw weights into the generator. */
  use(weights: RunWeights): void;
  /** Frees the generator and the loaded weights. */
  dispose(): void;
}

/** Reads and checks `DIR/config.json`. */
export function readRunConfig(dir: string): RunConfigFile {
  const file = path.join(dir, 'config.json');
  if (!fs.existsSync(file)) throw new GankitError('config', `${file} not found: --run must be a run directory written by \`gankit train\``);
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new GankitError('config', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  const v = value as Partial<RunConfigFile> | null;
  if (!v || typeof v !== 'object' || typeof v.example !== 'string')
    throw new GankitError('config', `${file} names no example ("example" must be a string)`);
  if (typeof v.seed !== 'number' || !Number.isInteger(v.seed) || v.seed < 0)
    throw new GankitError('config', `${file}: "seed" must be an integer >= 0, got ${JSON.stringify(v.seed)}`);
  return v as RunConfigFile;
}

/** The example a run's config.json names (rebuilt from its training configuration for `--config` runs). */
export function exampleOfRun(file: RunConfigFile, dir = '.'): Example {
  if (file.config !== undefined) {
    try {
      return exampleFromConfig(validateConfig(file.config));
    } catch (err) {
      if (err instanceof GankitError) throw new GankitError('config', `${path.join(dir, 'config.json')}: ${err.message}`);
      throw err;
    }
  }
  const example = findExample(file.example);
  if (example && isCustomExample(example)) {
    throw new GankitError(
      'config',
      `${path.join(dir, 'config.json')} is a '${file.example}' run, which has no single generator to sample, evaluate or interpolate; its outputs are in ${dir}`,
    );
  }
  if (!example)
    throw new GankitError(
      'config',
      `${path.join(dir, 'config.json')} names example '${file.example}', which this gankit does not know (known: ${exampleNames().join(', ')})`,
    );
  return example;
}

function checkWeights(net: Network, weights: readonly tf.Tensor[], what: string): void {
  const vars = networkVariables(net);
  if (vars.length !== weights.length)
    throw new GankitError(
      'checkpoint',
      `${what} holds ${weights.length} tensors, but the example's generator has ${vars.length} variables`,
    );
  vars.forEach((v, i) => {
    const w = weights[i];
    if (v.shape.length !== w.shape.length || v.shape.some((d, k) => d !== w.shape[k])) {
      throw new GankitError(
        'checkpoint',
        `${what} tensor ${i} has shape ${formatShape(w.shape)}, but the generator's variable ${v.name} has shape ${formatShape(v.shape)}`,
      );
    }
  });
}

/**
 * Loads a finished run: reads `DIR/config.json`, rebuilds the example's generator and puts the
 * final weights (`DIR/final/`, via `loadFinal`) into it: the averaged (EMA) weights by default,
 * the raw ones with `raw: true` or when the run has no averaged weights (`hasAveraged` says which).
 */
export async function loadRun(dir: string, options: { raw?: boolean | undefined } = {}): Promise<LoadedRun> {
  const file = readRunConfig(dir);
  const example = exampleOfRun(file, dir);
  const final = await loadFinal(dir);
  let generator: Network;
  let data: DataSource | undefined;
  try {
    if (example.buildGenerator) {
      generator = example.buildGenerator({ seed: file.seed });
    } else {
      const setup = example.setup({ seed: file.seed, batchSize: file.batchSize ?? 64 });
      setup.discriminator.dispose();
      generator = setup.generator;
      data = setup.data;
    }
  } catch (err) {
    tf.dispose([...final.generator, ...final.discriminator, ...(final.averagedGenerator ?? [])]);
    throw err;
  }
  const finalDir = path.join(dir, 'final');
  try {
    checkWeights(generator, final.generator, `${finalDir} (generator)`);
    if (final.averagedGenerator) checkWeights(generator, final.averagedGenerator, `${finalDir} (averaged generator)`);
  } catch (err) {
    generator.dispose();
    tf.dispose([...final.generator, ...final.discriminator, ...(final.averagedGenerator ?? [])]);
    throw err;
  }
  tf.dispose(final.discriminator);
  const vars = networkVariables(generator);
  const numClasses = example.numClasses;
  let current: RunWeights = 'raw';
  const use = (which: RunWeights) => {
    const src = which === 'averaged' && final.averagedGenerator ? final.averagedGenerator : final.generator;
    vars.forEach((v, i) => v.assign(src[i]));
    current = which === 'averaged' && final.averagedGenerator ? 'averaged' : 'raw';
  };
  use(options.raw ? 'raw' : 'averaged');
  const output = example.output ?? (generator.outputShape.length === 1 ? 'points' : 'images');
  return {
    dir,
    file,
    example,
    step: final.step,
    generator,
    output,
    numClasses,
    hasAveraged: final.averagedGenerator !== undefined,
    get weights() {
      return current;
    },
    sampler: {
      network: generator,
      latentShape: generator.inputShape,
      numClasses,
      latent: example.latent,
      sample: (z, labels) => generator.apply(z, { training: false, labels }),
    },
    data,
    use,
    dispose() {
      generator.dispose();
      tf.dispose([...final.generator, ...(final.averagedGenerator ?? [])]);
    },
  };
}
