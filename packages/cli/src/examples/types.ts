import type * as tf from '@tensorflow/tfjs-core';
import type { DataSource, GanPlugin, JsonValue, LossPair, Network } from '@gankit/core';
import type { LatentSampler, Trainer } from '@gankit/trainer';
import type { RunOptions, RunResult } from '../train';

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
  /** Pass class labels to the networks (default: the trainer's, `true` when the data has classes). */
  readonly conditional?: boolean | undefined;
  /** G's latent distribution (default: the trainer's, a standard normal), e.g. InfoGAN's noise and codes. */
  readonly latent?: LatentSampler | undefined;
  /**
   * Picks the adversarial part of D's output when D has more outputs than the logit (InfoGAN's Q
   * head: `infoganAdversarialOutput`); default: D's whole output.
   */
  readonly adversarialOutput?: ((output: tf.Tensor) => tf.Tensor) | undefined;
}

/** What {@link Example.setup} is told about the run. */
export interface SetupOptions {
  /** Run seed. */
  readonly seed: number;
  /** Examples per batch. */
  readonly batchSize: number;
  /** Output directory, when training (examples that log or draw grids write there). */
  readonly out?: string | undefined;
  /** The run goes on from a checkpoint (logs are appended rather than started afresh). */
  readonly resume?: boolean | undefined;
  /** Iterations between sample grids (default: the example's). */
  readonly gridEvery?: number | undefined;
}

/** A generator with the weights to sample from, in inference mode. */
export interface GeneratorSampler {
  /** The generator network. */
  readonly network: Network;
  /** Shape of one latent vector. */
  readonly latentShape: readonly number[];
  /** Number of classes of a conditional generator (absent for an unconditional one). */
  readonly numClasses?: number | undefined;
  /** Draws `n` latent points for evaluations (default: a standard normal of `latentShape`). */
  readonly latent?: LatentSampler | undefined;
  /** Generates samples for latent points `z` (and int32 `labels` for a conditional generator). */
  sample(z: tf.Tensor, labels?: tf.Tensor): tf.Tensor;
}

/** Options of {@link Example.evaluate}. */
export interface EvaluateOptions {
  /** Seed of the latent points. */
  readonly seed: number;
  /** Number of samples to evaluate (default: the example's). */
  readonly samples?: number | undefined;
  /** Draw a progress bar (default true). */
  readonly progress?: boolean | undefined;
  /** A label for the progress bar, e.g. `ema`. */
  readonly label?: string | undefined;
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
  /** Samples the final evaluation uses (default: the example's). */
  readonly evalSamples?: number | undefined;
  /** Draw progress bars (default true). */
  readonly progress?: boolean | undefined;
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

/**
 * An example with a training loop of its own (such as CycleGAN's two generators and two
 * discriminators): `gankit train --example <name>` calls its `train`; `gankit sample`, `eval` and
 * `interpolate` do not apply to its runs.
 */
export interface CustomExample {
  /** The name on the command line. */
  readonly name: string;
  /** One line on what it shows. */
  readonly description: string;
  /** Defaults used when the command line gives none. */
  readonly defaults: { readonly steps: number; readonly batchSize: number };
  /** Trains and writes the run directory, honouring the options `runTraining` takes. */
  train(options: RunOptions): Promise<RunResult>;
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
  setup(options: SetupOptions): ExampleSetup;
  /** Evaluates the trained model and writes the example's outputs into `facts.out`. */
  finish(trainer: Trainer, facts: RunFacts): Promise<ExampleOutputs>;
  /**
   * Builds the generator alone (weights from `seed`), e.g. to load a finished run's weights into.
   * Without it, `gankit sample` and friends take the generator from {@link Example.setup}.
   */
  buildGenerator?(options: { readonly seed: number }): Network;
  /** `'images'` for examples that generate images, `'points'` for 2-D points (default: from the generator's output shape). */
  readonly output?: 'images' | 'points' | undefined;
  /**
   * How `gankit train --workers auto` spends the cores on wasm: `'workers'` (the default for image
   * examples) trains data-parallel replicas, each on a share of the batch; `'threads'` trains one
   * replica whose wasm kernels run on every core (as `--threads N`). Threads pay where large dense
   * layers make the replicas' exchange of gradients and batch statistics cost more than they save
   * (mnist-dcgan: 0.34 s an iteration on 2 threads against 0.65 s on 2 workers); the numbers are
   * those of one worker.
   */
  readonly parallelism?: 'workers' | 'threads' | undefined;
  /** Number of classes of a conditional generator (it then needs labels). */
  readonly numClasses?: number | undefined;
  /**
   * G's latent distribution when it is not a standard normal of G's input shape (InfoGAN's noise
   * and codes): `gankit sample`, `interpolate` and `eval` draw their latent points from it.
   */
  readonly latent?: LatentSampler | undefined;
  /** Evaluates a generator (`gankit eval`); without it, 2-D examples get mode coverage from their data. */
  evaluate?(sampler: GeneratorSampler, options: EvaluateOptions): Promise<{ [key: string]: JsonValue }>;
  /** The training configuration this example was built from (`gankit train --config`); written to config.json. */
  readonly config?: JsonValue | undefined;
}

/**
 * What an example folder's definition (`example.ts`, or a user folder's `example.mjs`) exports as
 * its default: its example, or several (ring8's folder holds ring8, ring8-unrolled, ring8-replay).
 */
export type ExampleModuleDefault = Example | CustomExample | readonly (Example | CustomExample)[];
