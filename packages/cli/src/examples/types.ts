import type * as tf from '@tensorflow/tfjs-core';
import type { DataSource, GanPlugin, JsonValue, LossPair, Network } from '@gankit/core';
import type { Trainer } from '@gankit/trainer';

/** Everything an example trains with. */
export interface ExampleSetup {
  /** The generator. */
  readonly generator: Network;
  /** The discriminator. */
  readonly discriminator: Network;
  /** The adversarial loss. */
  readonly loss: LossPair;
  /** The real data. */
  readonly data: DataSource;
  /** G's optimizer. */
  readonly generatorOptimizer: tf.Optimizer;
  /** D's optimizer. */
  readonly discriminatorOptimizer: tf.Optimizer;
  /** Plugins. */
  readonly plugins: readonly GanPlugin[];
  /** Discriminator updates per iteration. */
  readonly discriminatorSteps: number;
}

/** Facts about a finished run that an example writes into its outputs. */
export interface RunFacts {
  /** Output directory. */
  readonly out: string;
  /** Run seed. */
  readonly seed: number;
  /** Iterations trained. */
  readonly steps: number;
  /** Training wall-clock seconds. */
  readonly seconds: number;
  /** tfjs backend name. */
  readonly backend: string;
  /** Examples per batch. */
  readonly batchSize: number;
}

/** What an example's `finish` reports. */
export interface ExampleOutputs {
  /** Files written, relative to the output directory. */
  readonly files: string[];
  /** The metrics written to metrics.json. */
  readonly metrics: { [key: string]: JsonValue };
  /** A one-line summary for the terminal. */
  readonly summary: string;
}

/** A runnable example: `gankit train --example <name>`. */
export interface Example {
  /** The name on the command line. */
  readonly name: string;
  /** One line on what it shows. */
  readonly description: string;
  /** Defaults used when the command line gives none. */
  readonly defaults: { readonly steps: number; readonly batchSize: number };
  /** Builds the networks, data, loss, optimizers and plugins. */
  setup(options: { readonly seed: number; readonly batchSize: number }): ExampleSetup;
  /** Evaluates the trained model and writes the example's outputs into `facts.out`. */
  finish(trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs>;
}
