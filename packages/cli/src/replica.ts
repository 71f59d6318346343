import { GankitError, isGankitErrorCode } from '@gankit/core';
import { runReplicas, type ReplicaRun } from '@gankit/backend/node';
import { exampleNames, findExample, isCustomExample, isExamplePath, loadExampleFolder } from './examples/index';
import { exampleFromConfig, readConfigFile } from './config';
import { openTrainingRun, runTraining, type RunOptions, type RunResult } from './train';
import type { Example } from './examples/types';

/**
 * Where each worker finds what to train: a built-in example's name, an example folder's path
 * (see `loadExampleFolder`; absolute, so that every worker finds the same one) or a JSON config file.
 */
export type ExampleSource = { readonly example: string } | { readonly config: string };

/** Options of {@link trainInWorkers}: those of `runTraining`, less the ones a worker cannot receive. */
export type WorkerRunOptions = Omit<RunOptions, 'log' | 'replica' | 'workers'>;

interface ReplicaInput {
  readonly source: ExampleSource;
  readonly run: WorkerRunOptions & { readonly workers: number };
}

/** Resolves an {@link ExampleSource} to the example it names (one that `runTraining` trains). */
export async function loadExample(source: ExampleSource): Promise<Example> {
  if ('config' in source) return exampleFromConfig(readConfigFile(source.config));
  const example = isExamplePath(source.example) ? await loadExampleFolder(source.example) : findExample(source.example);
  if (!example) throw new GankitError('config', `unknown example '${source.example}'; one of: ${exampleNames().join(', ')}`);
  if (isCustomExample(example))
    throw new GankitError(
      'config',
      `example '${example.name}' has a training loop of its own and no data-parallel replicas; use --workers 1`,
    );
  return example;
}

/** The built worker module (the tests run the sources, whose workers load the build). */
function replicaModule(): URL {
  const here = new URL(import.meta.url);
  return /\.[cm]?ts$/.test(here.pathname) ? new URL('../dist/replica.js', here) : new URL('./replica.js', here);
}

/**
 * Trains an example data-parallel on `workers` worker threads, each a replica with its own tfjs
 * backend (`options.backend`) that takes `batchSize / workers` rows of every batch (see
 * `ReplicaOptions` in `@gankit/trainer`). The main thread opens the run directory as
 * `runTraining` does (the lock, the resume or overwrite checks, config.json) and holds it while the
 * workers train; replica 0 writes the rest and its result is returned. A `GankitError` in a worker
 * comes back as one. `threads`: threads inside each worker's wasm kernels (`initBackend`'s).
 */
export async function trainInWorkers(
  source: ExampleSource,
  options: WorkerRunOptions,
  workers: number,
  threads?: number | undefined,
): Promise<RunResult> {
  const input: ReplicaInput = { source, run: { ...options, workers } };
  const opened = openTrainingRun(await loadExample(source), { ...options, workers }, (line) => void process.stderr.write(`${line}\n`));
  try {
    const results = await runReplicas<RunResult>({
      module: replicaModule(),
      exportName: 'trainReplica',
      options: input,
      workers,
      backend: options.backend,
      threads,
    });
    opened.close();
    return results[0];
  } catch (e) {
    opened.abandon();
    const err = e as Error & { code?: string | undefined };
    if (err?.name === 'GankitError') throw new GankitError(isGankitErrorCode(err.code) ? err.code : 'backend', err.message);
    throw e;
  }
}

/** The function each worker of {@link trainInWorkers} runs (exported for the worker; not for direct use). */
export async function trainReplica(run: ReplicaRun<ReplicaInput>): Promise<RunResult> {
  const { source, run: options } = run.options;
  return runTraining(await loadExample(source), {
    ...options,
    replica: { index: run.index, count: run.count, allReduceMean: (values: Float32Array) => run.group.allReduceMean(values) },
  });
}
