import type * as tf from '@tensorflow/tfjs-core';
import type { Network } from './network';
import type { RandomSource } from './random';

/** A value or a promise of it: asynchronous hooks may return either. */
export type Awaitable<T> = T | Promise<T>;

/** Any JSON value: what plugin and data-source metadata may hold in a checkpoint. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One batch of training data. */
export interface Batch {
  /** Examples `[batch, ...sampleShape]`, float32, scaled as the generator's output is (usually [-1, 1]). */
  readonly x: tf.Tensor;
  /** Integer class labels `[batch]` (int32), for conditional models. */
  readonly labels?: tf.Tensor1D | undefined;
}

/**
 * Where real examples come from. `nextBatch` is synchronous and returns fresh tensors that the
 * caller disposes; a finite data set keeps its position so that a resumed run sees the same order.
 */
export interface DataSource {
  /** A name for logs and errors (`ring8`, `mnist`, ...). */
  readonly name: string;
  /** Shape of one example without the batch dimension. */
  readonly sampleShape: readonly number[];
  /** Number of examples for a finite data set; `undefined` for a distribution sampled afresh. */
  readonly size?: number | undefined;
  /** Number of classes when the data carries labels. */
  readonly numClasses?: number | undefined;
  /** The next batch; draws any randomness it needs from `random`. */
  nextBatch(batchSize: number, random: RandomSource): Batch;
  /** Position in the data order, saved in checkpoints for an exact resume. */
  state?(): JsonValue;
  /** Restores a position saved by {@link DataSource.state}. */
  loadState?(state: JsonValue): void;
}

/**
 * An adversarial loss as a pair of functions of discriminator outputs (TF-GAN style).
 * Both return a scalar that the respective player minimises.
 */
export interface LossPair {
  /** The loss's name (`non-saturating`, `hinge`, ...). */
  readonly name: string;
  /**
   * `true` when discriminator outputs are logits of the probability that the input is real, so
   * `sigmoid(output)` is D(x); `false` for critics (Wasserstein, hinge, least squares).
   */
  readonly probabilistic: boolean;
  /** `true` when {@link LossPair.generator} needs D's output on real data (relativistic losses). */
  readonly generatorUsesReal?: boolean | undefined;
  /** Discriminator loss from its outputs on real and fake batches. */
  discriminator(realOutput: tf.Tensor, fakeOutput: tf.Tensor): tf.Scalar;
  /** Generator loss from D's outputs on the fake batch (and the real batch, for relativistic losses). */
  generator(fakeOutput: tf.Tensor, realOutput?: tf.Tensor): tf.Scalar;
}

/** Which player a training phase updates. */
export type Phase = 'discriminator' | 'generator';

/**
 * What a synchronous plugin hook sees during one discriminator or generator update. Hooks run
 * inside the gradient scope and inside `tf.tidy`: tensors they create are freed after the update.
 */
export interface StepContext {
  /** The iteration, counted from 0. */
  readonly step: number;
  /** The player being updated. */
  readonly phase: Phase;
  /** Index of this discriminator update within the iteration (0 .. k-1); 0 in the generator phase. */
  readonly discriminatorStep: number;
  /** The real batch that this pair's discriminator sees in this update. */
  readonly batch: Batch;
  /** The generator's input of this update: the latent batch, or another domain's examples (CycleGAN). */
  readonly z: tf.Tensor;
  /** The generator of this pair. */
  readonly generator: Network;
  /** The discriminator of this pair. */
  readonly discriminator: Network;
  /** Every network of the model by role (several G/D pairs for CycleGAN-like models). */
  readonly networks: Readonly<Record<string, Network>>;
  /** The run's seeded random source, for draws such as the gradient penalty's interpolation weights. */
  readonly random: RandomSource;
  /** The generated batch G(z) (computed once per update; a constant in the discriminator phase). */
  fake(): tf.Tensor;
  /** D's whole output on the real batch (computed once per update, in training mode). */
  realOutput(): tf.Tensor;
  /** D's whole output on the fake batch (computed once per update, in training mode). */
  fakeOutput(): tf.Tensor;
  /**
   * Runs the discriminator in training mode on any batch and returns its whole output (with the
   * real batch's labels unless others are given). For a multi-head discriminator apply
   * {@link StepContext.adversarial} to get the part that the adversarial loss sees.
   */
  discriminate(x: tf.Tensor, labels?: tf.Tensor): tf.Tensor;
  /**
   * Class labels `[batch]` (int32) of the fake batch of this update, in conditional runs: the
   * labels the generator was given (in the discriminator phase after any
   * {@link GanPlugin.transformFakes}, so they match {@link StepContext.fake}); `undefined` in
   * unconditional runs. (Plugin API version 2.)
   */
  readonly fakeLabels: tf.Tensor1D | undefined;
  /**
   * The adversarial loss pair of this generator/discriminator pair, for plugins that re-evaluate it
   * (e.g. unrolled GAN's look-ahead discriminator steps). (Plugin API version 2.)
   */
  readonly loss: LossPair;
  /**
   * The part of a discriminator output that the adversarial loss sees: the output itself for a
   * one-logit or patch-map discriminator, e.g. column 0 for an ACGAN discriminator `[batch, 1+K]`.
   * {@link StepContext.realOutput}, {@link StepContext.fakeOutput} and
   * {@link StepContext.discriminate} return whole outputs; regularizers that differentiate "D"
   * (R1, gradient penalty) should apply this first. (Plugin API version 2.)
   */
  adversarial(output: tf.Tensor): tf.Tensor;
  /** The name of the player being updated (`generator`, `discriminator`, ...). (Plugin API version 3.) */
  readonly player: string;
  /**
   * The name of the generator/discriminator pair this context shows (`''` for the one pair of a
   * classic GAN; `'A'` and `'B'` in CycleGAN). (Plugin API version 3.)
   */
  readonly pair: string;
  /**
   * A context for every adversarial pair of this update, the first being this one's. Per-update
   * hooks (`afterDiscriminatorStep`, `afterGeneratorStep`, `beforeGeneratorStep`) see the first
   * pair's context and reach the others here, e.g. to clip every discriminator. (Plugin API
   * version 3.)
   */
  readonly pairs: readonly StepContext[];
}

/** Static facts about a training run. */
export interface TrainInfo {
  /** Examples per batch. */
  readonly batchSize: number;
  /** Discriminator updates per iteration (k in Goodfellow et al.'s Algorithm 1). */
  readonly discriminatorSteps: number;
  /** Shape of one latent vector, without the batch dimension. */
  readonly latentShape: readonly number[];
  /** The run seed. */
  readonly seed: number;
  /** Name of the adversarial loss. */
  readonly loss: string;
}

/** What asynchronous plugin hooks see: the run as a whole, between updates. */
export interface TrainContext {
  /** Iterations completed so far. */
  readonly step: number;
  /** Static facts about the run. */
  readonly info: TrainInfo;
  /** The (first) generator. */
  readonly generator: Network;
  /** The (first) discriminator. */
  readonly discriminator: Network;
  /** Every network by name. */
  readonly networks: Readonly<Record<string, Network>>;
  /** The run's seeded random source. */
  readonly random: RandomSource;
  /** Draws `n` latent vectors from the run's latent distribution (the caller disposes them). */
  sampleLatent(n: number): tf.Tensor;
  /** Asks the trainer to stop after the current iteration, with a reason shown to the user. */
  requestStop(reason: string): void;
}

/** What one training iteration reports. */
export interface StepLogs {
  /** The iteration, counted from 0. */
  readonly step: number;
  /** Discriminator loss of the last discriminator update, plugin terms included. */
  discriminatorLoss: number;
  /** Generator loss, plugin terms included. */
  generatorLoss: number;
  /** Mean D(x) on the real batch: a probability for probabilistic losses, the raw critic output otherwise. */
  dReal: number;
  /** Mean D(G(z)) on the fake batch, in the same units as {@link StepLogs.dReal}. */
  dFake: number;
  /** Each plugin's loss terms by `plugin/term` name (e.g. `gradient-penalty/penalty`). */
  terms: Record<string, number>;
  /** Metrics that hooks add in `onStepEnd` (e.g. `fid`). */
  metrics: Record<string, number>;
  /** Wall-clock seconds the iteration took. */
  seconds: number;
}
