import * as tf from '@tensorflow/tfjs-core';
import {
  GankitError,
  RandomSource,
  ensureGradients,
  formatShape,
  networkVariables,
  sortPlugins,
  type Batch,
  type DataSource,
  type GanPlugin,
  type LossPair,
  type Network,
  type Phase,
  type StepContext,
  type StepLogs,
  type TrainContext,
  type TrainInfo,
} from '@gankit/core';
import { capture, disposeSnapshot, loadTrainerState, restore, toTrainerState } from './state';
import type { LoadStateOptions, Snapshot, StateParts, TrainerState } from './state';

/** Draws `n` latent vectors; the default is a standard normal of the generator's input shape. */
export type LatentSampler = (n: number, random: RandomSource) => tf.Tensor;

/** Options of a {@link Trainer}. */
export interface TrainerOptions {
  /** The generator G: latent batch → sample batch. */
  readonly generator: Network;
  /**
   * The discriminator D: sample batch → one logit per example (`[batch, 1]` or `[batch]`), a patch
   * map of logits (`[batch, h, w, 1]`, PatchGAN: the losses average over every element), or any
   * output from which {@link TrainerOptions.adversarialOutput} picks such a part.
   */
  readonly discriminator: Network;
  /** The adversarial loss pair, e.g. `nonSaturating` from `@gankit/losses`. */
  readonly loss: LossPair;
  /** Where real examples come from. */
  readonly data: DataSource;
  /** Examples per batch (default 64). */
  readonly batchSize?: number | undefined;
  /** Discriminator updates per iteration, k in Goodfellow et al.'s Algorithm 1 (default 1). */
  readonly discriminatorSteps?: number | undefined;
  /** Optimizer of G's variables (default Adam, learning rate 2e-4, β₁ = 0.5). Not shared with D. */
  readonly generatorOptimizer?: tf.Optimizer | undefined;
  /** Optimizer of D's variables (default Adam, learning rate 2e-4, β₁ = 0.5). Not shared with G. */
  readonly discriminatorOptimizer?: tf.Optimizer | undefined;
  /** Plugins: regularizers, averaging, metrics, loggers. */
  readonly plugins?: readonly GanPlugin[] | undefined;
  /** The run seed: with the same seed, backend and options a run repeats bit for bit (default 0). */
  readonly seed?: number | undefined;
  /** Latent distribution (default: standard normal of shape `generator.inputShape`). */
  readonly latent?: LatentSampler | undefined;
  /**
   * Conditional training: the real batch's labels are passed to D with the real batch, and to G
   * and D with the fake batch (default: `true` when the data set has classes).
   */
  readonly conditional?: boolean | undefined;
  /**
   * Labels of the fake batches in conditional training: `'real'` (default) gives G the labels of
   * the real batch of the same update, so the fakes follow the data's class frequencies and no
   * extra random draw is made (runs repeat those of earlier releases); `'uniform'` draws each
   * label uniformly from `0 .. data.numClasses-1` with the run's seeded random source, as AC-GAN
   * and most conditional GANs do. Either way `StepContext.fakeLabels` holds them.
   */
  readonly fakeLabels?: 'real' | 'uniform' | undefined;
  /**
   * Picks the part of D's output that the adversarial loss sees, for multi-head discriminators:
   * e.g. {@link acganAdversarialOutput} (column 0 of an ACGAN discriminator's `[batch, 1+K]`).
   * It must return one value per example or a patch map with a last dimension of 1. The logged
   * `dReal`/`dFake` use this part. Default: the whole output, which must then be of that kind.
   */
  readonly adversarialOutput?: ((output: tf.Tensor) => tf.Tensor) | undefined;
  /**
   * Watch for numerical faults (a NaN or infinite loss, and optionally gradient) and keep the last
   * good state: see {@link NanGuardOptions}. Off by default (it costs one small device read per
   * update and one cheap snapshot per iteration).
   */
  readonly nanGuard?: NanGuardOptions | undefined;
  /**
   * Makes this trainer one of several data-parallel replicas (usually one per worker thread; see
   * {@link ReplicaOptions}). Default: none, the whole batch in this thread.
   */
  readonly replica?: ReplicaOptions | undefined;
}

/**
 * Data-parallel training: `count` trainers, built alike (same networks, seed, data, plugins and
 * options), each in its own thread, train one model together. Every iteration each replica draws
 * the same whole batch (`batchSize` examples and latent points, from the shared seed) and keeps its
 * own `batchSize / count` rows; after computing its gradients for an update it calls
 * `allReduceMean` on them (and the loss), and every replica applies the same mean, so the replicas
 * stay identical. After the generator update the networks' non-trainable variables (batch-norm
 * moving statistics) are averaged the same way, and the logged values are means over the replicas.
 *
 * What differs from one thread with the whole batch: batch normalization normalises each shard
 * with its own statistics (as PyTorch's DistributedDataParallel without SyncBatchNorm does), and
 * losses that compare an example with its batch's mean (the relativistic ones) see the shard's
 * mean. Plugins run in every replica; their random draws (`s.random`) are decorrelated between
 * replicas while staying in step. A plugin whose state depends on its shard (experience replay's
 * buffer) keeps a per-replica state, and a checkpoint (written by one replica) holds that
 * replica's.
 *
 * `AllReduceMember` of `@gankit/backend/node` implements `allReduceMean` over shared memory; the
 * `gankit` command's `--workers` runs a whole example this way.
 */
export interface ReplicaOptions {
  /** This replica's index, 0 .. count - 1: rows `index·b/count .. (index+1)·b/count` of each batch. */
  readonly index: number;
  /** Replicas in all; `batchSize` must be a multiple of it. */
  readonly count: number;
  /**
   * Replaces `values` by the element-wise mean over every replica's `values`, returning when all
   * replicas have called it. It must give every replica the same bits.
   */
  allReduceMean(values: Float32Array): void;
}

/**
 * The random source a replica's plugins see: every draw is taken from the shared source (so the
 * replicas' counters stay in step and checkpoints hold one state) on a stream of its own, so
 * replicas draw different numbers.
 */
class ReplicaRandomSource extends RandomSource {
  constructor(
    private readonly shared: RandomSource,
    private readonly index: number,
  ) {
    super(shared.seed);
  }
  override get seed(): number {
    return this.shared.seed;
  }
  override get counter(): number {
    return this.shared.counter;
  }
  override nextSeed(stream = ''): number {
    return this.shared.nextSeed(`${stream}@replica${this.index}`);
  }
  override fork(stream: string): RandomSource {
    return this.shared.fork(`${stream}@replica${this.index}`);
  }
  override state(): { seed: number; counter: number } {
    return this.shared.state();
  }
  override loadState(state: { seed: number; counter: number }): void {
    this.shared.loadState(state);
  }
}

/**
 * The numerical-fault guard of a {@link Trainer}. Before each update is applied, the trainer checks
 * the player's total loss (plugin terms included) and, with `checkGradients`, every gradient for
 * NaN/Inf. On a fault, no update of the faulty iteration survives: the networks (batch-norm
 * statistics and spectral-norm vectors included, which the faulty forward pass may already have
 * changed), both optimizers and the plugins' state are put back as they were when the iteration
 * began (a snapshot made of copy-on-write clones, so it costs no copy of the weights).
 *
 * - `'stop'`: the data position and random source are put back too, so the trainer is exactly in
 *   the last good state (the state after the previous iteration; save a checkpoint from it); `step()`
 *   throws `GankitError` with code `'numerical'`, and `fit()` returns with that message as its
 *   `stopReason`.
 * - `'skip'`: the iteration counts as done but changes nothing except that its data and random
 *   draws are consumed (so the next iteration sees fresh data); training goes on. Every iteration's
 *   `logs.metrics['nanGuard/skippedSteps']` holds the number of skipped iterations so far.
 *
 * Why an option of the trainer rather than a plugin: the check has to sit between computing the
 * gradients and applying them, and a rollback has to reach the optimizers' state; plugin hooks see
 * neither (a loss hook cannot veto the update, an after-step hook runs once it is applied). The
 * snapshot reads optimizer state through `getWeights()`, which every tfjs optimizer but Adamax has.
 */
export interface NanGuardOptions {
  /** What to do on a fault: `'stop'` training in the last good state, or `'skip'` the iteration. */
  readonly action: 'stop' | 'skip';
  /** Check every gradient too, not only the losses (default `false`): catches NaN gradients of a finite loss. */
  readonly checkGradients?: boolean | undefined;
}

/** The fake batch of one update as a step context sees it (see `makeStepContext`). */
interface FakeHolder {
  /** The fake examples once made (`null` until then). */
  x: tf.Tensor | null;
  /** Their labels in conditional runs. */
  labels: tf.Tensor1D | undefined;
  /** Makes the fakes (G's forward pass) on first use. */
  make: () => tf.Tensor;
  /** Set while a hook runs that must not make or read the fakes. */
  blocked?: string | undefined;
}

/**
 * `n` class labels drawn uniformly from `0 .. numClasses-1` (int32 `[n]`) with a seeded source.
 * The caller disposes the tensor.
 */
export function sampleUniformLabels(n: number, numClasses: number, random: RandomSource): tf.Tensor1D {
  if (!Number.isInteger(numClasses) || numClasses <= 0)
    throw new GankitError('config', `numClasses must be a positive integer, got ${numClasses}`);
  const next = random.floats('labels');
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(numClasses - 1, Math.floor(next() * numClasses));
  return tf.tensor1d(out, 'int32');
}

/** Raised inside an iteration when the guard finds a non-finite loss or gradient. */
class NumericalFault extends Error {
  constructor(
    readonly phase: Phase,
    readonly detail: string,
    readonly loss: number,
    public otherLoss = NaN,
  ) {
    super(detail);
  }
}

/** Names a non-finite value for messages: `NaN`, `Infinity`, `-Infinity`. */
function valueName(v: number): string {
  return Number.isNaN(v) ? 'NaN' : String(v);
}

/** A result of {@link Trainer.fit}. */
export interface FitResult {
  /** Iterations completed by this call. */
  readonly steps: number;
  /** Wall-clock seconds of this call. */
  readonly seconds: number;
  /** The last iteration's logs (undefined when no step ran). */
  readonly last?: StepLogs | undefined;
  /** Why training stopped early, when a plugin or the caller asked it to. */
  readonly stopReason?: string | undefined;
  /**
   * Set when the numerical-fault guard (`nanGuard: { action: 'stop' }`) stopped training: the
   * iteration that went non-finite (1-based, so iteration `n` would have made step `n`), the player
   * whose update it was, and what was non-finite (the loss and the terms of it that were, e.g.
   * `the discriminator loss is NaN (non-finite terms: r1/penalty Infinity)`). The trainer is in the
   * state after iteration `n - 1`.
   */
  readonly fault?: { readonly iteration: number; readonly player: 'discriminator' | 'generator'; readonly detail: string } | undefined;
}

/** Options of {@link Trainer.fit}. */
export interface FitOptions {
  /** Iterations to run. */
  readonly steps: number;
  /** Called after every iteration, after the plugins' `onStepEnd`. */
  readonly onStep?: ((logs: StepLogs) => void | Promise<void>) | undefined;
  /** Stops cleanly after the current iteration when aborted. */
  readonly signal?: AbortSignal | undefined;
}

function checkPositiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new GankitError('config', `${name} must be a positive integer, got ${v}`);
  return v;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Whether a per-example output shape can feed an adversarial loss: one value (`[]`, `[1]`) or a
 * map of values with one channel (`[h, w, 1]`, PatchGAN), whose elements the losses average.
 */
export function isAdversarialShape(perExample: readonly number[]): boolean {
  return perExample.reduce((a, b) => a * b, 1) === 1 || (perExample.length >= 2 && perExample[perExample.length - 1] === 1);
}

/**
 * Checks a discriminator's per-example output shape for an adversarial loss (see
 * {@link isAdversarialShape}) when no `adversarialOutput` picks a part of it.
 * @internal
 */
export function checkDiscriminatorOutput(discriminator: Network, hasSelector: boolean): void {
  if (hasSelector || isAdversarialShape(discriminator.outputShape)) return;
  throw new GankitError(
    'shape',
    `discriminator '${discriminator.name}' outputs ${formatShape(discriminator.outputShape)} per example, but the adversarial loss needs one value per example ([1]) or a patch map with one channel ([h, w, 1]); for a multi-head discriminator (e.g. ACGAN's [1+K]) pass \`adversarialOutput\` to pick the adversarial part (e.g. acganAdversarialOutput)`,
  );
}

/**
 * Applies an `adversarialOutput` selector and checks its result: `[batch, ...]` with one value or
 * one channel per example.
 * @internal
 */
export function selectAdversarial(select: ((o: tf.Tensor) => tf.Tensor) | undefined, output: tf.Tensor, name: string): tf.Tensor {
  if (!select) return output;
  const adv = select(output);
  if (!(adv instanceof tf.Tensor) || adv.rank < 1 || adv.shape[0] !== output.shape[0] || !isAdversarialShape(adv.shape.slice(1))) {
    const got = adv instanceof tf.Tensor ? formatShape(adv.shape) : typeof adv;
    throw new GankitError(
      'shape',
      `adversarialOutput turned discriminator '${name}''s output ${formatShape(output.shape)} into ${got}; expected [${output.shape[0]}, 1] (one value per example) or a patch map [${output.shape[0]}, ..., 1]`,
    );
  }
  return adv;
}

/**
 * The GAN training loop (Algorithm 1 of Goodfellow et al. 2014): each iteration runs k
 * discriminator updates on fresh real and fake batches, then one generator update. Each phase
 * updates only its own network's trainable variables, with its own optimizer. Plugins add loss terms
 * and run at their hooks in their order.
 *
 * @example
 * ```ts
 * const trainer = new Trainer({ generator, discriminator, loss: nonSaturating, data: ringMixture() });
 * await trainer.fit({ steps: 1000 });
 * const samples = trainer.sample(500);
 * ```
 */
export class Trainer {
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
  /** Plugins in the order their hooks run. */
  readonly plugins: readonly GanPlugin[];
  /** The run's seeded random source (noise, data order, plugin draws). */
  readonly random: RandomSource;
  /** Static facts about the run. */
  readonly info: TrainInfo;
  /** Whether labels are passed to the networks. */
  readonly conditional: boolean;
  /** How fake batches get their labels in conditional training (see {@link TrainerOptions.fakeLabels}). */
  readonly fakeLabels: 'real' | 'uniform';
  /** Picks the adversarial part of D's output (see {@link TrainerOptions.adversarialOutput}). */
  readonly adversarialOutput: ((output: tf.Tensor) => tf.Tensor) | undefined;

  private readonly latentSampler: LatentSampler;
  private stepCount = 0;
  private setupDone = false;
  private stopReason: string | undefined;
  private fault: FitResult['fault'];
  private readonly context: TrainContext;
  private readonly guard: NanGuardOptions | undefined;
  private skipped = 0;
  private selectorChecked = false;
  private readonly replica: ReplicaOptions | undefined;
  /** Examples per batch in this thread: `batchSize`, or `batchSize / replica.count`. */
  private readonly shardSize: number;
  /** The random source plugins see in step contexts. */
  private readonly pluginRandom: RandomSource;

  /** Checks the options (shapes, sizes, plugin names) and prepares training; nothing runs yet. */
  constructor(options: TrainerOptions) {
    ensureGradients();
    const { generator, discriminator, loss, data } = options;
    if (!generator || !discriminator) throw new GankitError('config', 'Trainer needs both a `generator` and a `discriminator` network');
    if (!loss || typeof loss.discriminator !== 'function' || typeof loss.generator !== 'function') {
      throw new GankitError(
        'config',
        'Trainer `loss` must be a loss pair { discriminator(real, fake), generator(fake, real) }, e.g. from @gankit/losses',
      );
    }
    if (!data || typeof data.nextBatch !== 'function')
      throw new GankitError('config', 'Trainer `data` must be a DataSource with nextBatch(batchSize, random)');
    const batchSize = checkPositiveInt('batchSize', options.batchSize ?? 64);
    const discriminatorSteps = checkPositiveInt('discriminatorSteps', options.discriminatorSteps ?? 1);
    if (!sameShape(generator.outputShape, data.sampleShape)) {
      throw new GankitError(
        'shape',
        `generator '${generator.name}' outputs ${formatShape(generator.outputShape)} per example but data '${data.name}' has examples of ${formatShape(data.sampleShape)}`,
      );
    }
    if (!sameShape(discriminator.inputShape, data.sampleShape)) {
      throw new GankitError(
        'shape',
        `discriminator '${discriminator.name}' takes ${formatShape(discriminator.inputShape)} per example but data '${data.name}' has examples of ${formatShape(data.sampleShape)}`,
      );
    }
    if (options.adversarialOutput !== undefined && typeof options.adversarialOutput !== 'function') {
      throw new GankitError('config', `adversarialOutput must be a function (output) => tensor, got ${typeof options.adversarialOutput}`);
    }
    checkDiscriminatorOutput(discriminator, options.adversarialOutput !== undefined);
    if (data.size !== undefined) {
      if (data.size === 0) throw new GankitError('data', `data set '${data.name}' is empty`);
      if (batchSize > data.size)
        throw new GankitError('config', `batchSize ${batchSize} is larger than data set '${data.name}' (${data.size} examples)`);
    }
    if (options.generatorOptimizer && options.generatorOptimizer === options.discriminatorOptimizer) {
      throw new GankitError(
        'config',
        'generator and discriminator need separate optimizer instances: one shared optimizer mixes their state',
      );
    }
    this.generator = generator;
    this.discriminator = discriminator;
    this.loss = loss;
    this.data = data;
    this.generatorOptimizer = options.generatorOptimizer ?? tf.train.adam(2e-4, 0.5);
    this.discriminatorOptimizer = options.discriminatorOptimizer ?? tf.train.adam(2e-4, 0.5);
    this.plugins = sortPlugins(options.plugins ?? []);
    this.random = new RandomSource(options.seed ?? 0);
    this.conditional = options.conditional ?? (data.numClasses !== undefined && data.numClasses > 0);
    const fakeLabels = options.fakeLabels ?? 'real';
    if (fakeLabels !== 'real' && fakeLabels !== 'uniform')
      throw new GankitError('config', `fakeLabels must be 'real' or 'uniform', got ${JSON.stringify(fakeLabels)}`);
    if (fakeLabels === 'uniform' && this.conditional && !(Number.isInteger(data.numClasses) && (data.numClasses as number) > 0)) {
      throw new GankitError(
        'config',
        `fakeLabels 'uniform' needs the number of classes, but data '${data.name}' has numClasses ${String(data.numClasses)}`,
      );
    }
    this.fakeLabels = fakeLabels;
    this.adversarialOutput = options.adversarialOutput;
    const latentShape = [...generator.inputShape];
    this.latentSampler = options.latent ?? ((n, random) => random.normal([n, ...latentShape], 0, 1, 'latent'));
    this.info = { batchSize, discriminatorSteps, latentShape, seed: this.random.seed, loss: loss.name };
    const replica = options.replica;
    if (replica !== undefined) {
      if (
        !replica ||
        !Number.isInteger(replica.count) ||
        replica.count < 1 ||
        !Number.isInteger(replica.index) ||
        replica.index < 0 ||
        replica.index >= replica.count
      ) {
        throw new GankitError(
          'config',
          `replica must have an integer count >= 1 and index in [0, count), got index ${replica?.index} of ${replica?.count}`,
        );
      }
      if (typeof replica.allReduceMean !== 'function') throw new GankitError('config', 'replica.allReduceMean must be a function');
      if (batchSize % replica.count !== 0) {
        throw new GankitError(
          'config',
          `batchSize ${batchSize} does not split evenly over ${replica.count} replicas; use a multiple of ${replica.count}`,
        );
      }
    }
    this.replica = replica && replica.count > 1 ? replica : undefined;
    this.shardSize = this.replica ? batchSize / this.replica.count : batchSize;
    this.pluginRandom = this.replica ? new ReplicaRandomSource(this.random, this.replica.index) : this.random;
    if (options.nanGuard !== undefined) {
      const g = options.nanGuard;
      if (!g || (g.action !== 'stop' && g.action !== 'skip')) {
        throw new GankitError(
          'config',
          `nanGuard.action must be 'stop' or 'skip', got ${JSON.stringify((g as { action?: unknown } | null)?.action)}`,
        );
      }
      this.guard = { action: g.action, checkGradients: g.checkGradients ?? false };
    }
    const self = this;
    this.context = {
      get step() {
        return self.stepCount;
      },
      info: this.info,
      generator,
      discriminator,
      networks: { generator, discriminator },
      random: this.random,
      sampleLatent: (n: number) => this.latentSampler(n, this.random),
      requestStop: (reason: string) => {
        this.stopReason = reason;
      },
    };
  }

  /** Iterations completed so far. */
  get iteration(): number {
    return this.stepCount;
  }

  /** The context that asynchronous plugin hooks receive. */
  get trainContext(): TrainContext {
    return this.context;
  }

  /** Iterations whose updates the numerical-fault guard skipped (see {@link NanGuardOptions}). */
  get skippedSteps(): number {
    return this.skipped;
  }

  private get parts(): StateParts {
    return {
      networks: { generator: this.generator, discriminator: this.discriminator },
      optimizers: { generator: this.generatorOptimizer, discriminator: this.discriminatorOptimizer },
      plugins: this.plugins,
      data: this.data,
      random: this.random,
      info: this.info,
    };
  }

  /**
   * Everything needed to go on exactly from here (see {@link TrainerState} for the layout): both
   * networks' variables, both optimizers' state, every plugin's state, the random source, the data
   * position and the step. Runs the plugins' `setup` first if it has not run, so that every plugin
   * has state to report. The returned tensors are the caller's to dispose
   * (`tf.dispose(Object.values(state.tensors))`); they are cheap clones that later training leaves
   * unchanged.
   */
  async state(): Promise<TrainerState> {
    await this.setup();
    const snap = await capture(this.parts, this.stepCount, this.skipped, true);
    return toTrainerState(this.parts, snap);
  }

  /**
   * Restores a state from {@link Trainer.state} (of this trainer or of a new one built the same
   * way, in this or another process). Everything is checked before anything changes: a missing or
   * unexpected tensor, a shape or dtype that differs from the trainer's variable, an unknown or
   * missing plugin, another optimizer class, other settings (seed, data name, batch size,
   * discriminator steps, loss name, optimizer configuration but the learning rate) or a bad step
   * gives a `GankitError` with code `'checkpoint'` naming the entry, and the trainer is left as it was. The state's tensors are
   * copied; the caller still owns (and disposes) them.
   */
  async loadState(state: TrainerState, options: LoadStateOptions = {}): Promise<void> {
    const loaded = await loadTrainerState(this.parts, state, options, { step: this.stepCount, skippedSteps: this.skipped }, 'trainer');
    this.stepCount = loaded.step;
    this.skipped = loaded.skippedSteps;
  }

  /** Sets the iteration counter, e.g. after restoring a checkpoint. */
  setStep(step: number): void {
    if (!Number.isInteger(step) || step < 0) throw new GankitError('config', `step must be a non-negative integer, got ${step}`);
    this.stepCount = step;
  }

  /** Runs every plugin's `setup` once; {@link Trainer.step} calls it on first use. */
  async setup(): Promise<void> {
    if (this.setupDone) return;
    this.setupDone = true;
    if (this.replica) this.checkReplicasAgree();
    for (const p of this.plugins) await p.setup?.(this.context);
  }

  /**
   * Replicas must start from the same weights; averaging gradients keeps equal weights equal but
   * never makes different ones meet. Every replica all-reduces a fingerprint of its variables
   * (FNV-1a of their bytes, as two exact 16-bit halves): where the mean differs from a replica's
   * own, that replica throws (and `runReplicas` stops the others).
   */
  private checkReplicasAgree(): void {
    let h = 0x811c9dc5;
    for (const v of [...networkVariables(this.generator), ...networkVariables(this.discriminator)]) {
      const bytes = new Uint8Array((v.dataSync() as Float32Array).slice().buffer);
      for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    }
    const own = new Float32Array([h >>> 16, h & 0xffff]);
    const mean = Float32Array.from(own);
    this.replica!.allReduceMean(mean);
    if (mean[0] !== own[0] || mean[1] !== own[1]) {
      throw new GankitError(
        'config',
        `replica ${this.replica!.index} of ${this.replica!.count} starts from other weights than the rest: build every replica the same way (the same seeds, and the same network names, from which initial weights are derived)`,
      );
    }
  }

  /** Draws `n` latent vectors from the run's latent distribution and random source. */
  sampleLatent(n: number): tf.Tensor {
    return this.latentSampler(n, this.random);
  }

  /**
   * Generates `n` samples with the generator in inference mode (batch norm uses its moving
   * statistics; nothing is updated). Pass `z` to use fixed latent points.
   */
  sample(n: number, options: { z?: tf.Tensor | undefined; labels?: tf.Tensor | undefined } = {}): tf.Tensor {
    return tf.tidy(() => {
      const z = options.z ?? this.sampleLatent(n);
      return this.generator.apply(z, { training: false, labels: options.labels });
    });
  }

  private discriminatorOutputMean(out: tf.Tensor): tf.Scalar {
    return this.loss.probabilistic ? tf.mean(tf.sigmoid(out)) : tf.mean(out);
  }

  /** The adversarial part of a discriminator output (checked). */
  private adversarial(output: tf.Tensor): tf.Tensor {
    return selectAdversarial(this.adversarialOutput, output, this.discriminator.name);
  }

  /**
   * Checks `adversarialOutput` once on D's inference-mode output for a real batch, outside any
   * gradient tape: an exception inside the tape would leak the tensors tfjs saved for the backward
   * pass.
   */
  private checkSelector(batch: Batch): void {
    if (this.adversarialOutput) {
      const labels = this.conditional ? batch.labels : undefined;
      tf.tidy(() => this.adversarial(this.discriminator.apply(batch.x, { training: false, labels })));
    }
    this.selectorChecked = true;
  }

  /** Labels for a fake batch: none, the real batch's, or a seeded uniform draw (the caller disposes a draw). */
  private fakeLabelsFor(batch: Batch): tf.Tensor1D | undefined {
    if (!this.conditional) return undefined;
    if (this.fakeLabels === 'real') return batch.labels;
    return this.shard(sampleUniformLabels(this.info.batchSize, this.data.numClasses as number, this.random));
  }

  /** This replica's rows of a whole-batch tensor (the tensor itself without replicas; disposes it otherwise). */
  private shard<T extends tf.Tensor>(t: T): T {
    if (!this.replica) return t;
    const rows = tf.slice(t, [this.replica.index * this.shardSize], [this.shardSize]) as T;
    t.dispose();
    return rows;
  }

  /** This replica's latent points for one update (all of them without replicas). */
  private drawLatent(): tf.Tensor {
    return this.shard(this.sampleLatent(this.info.batchSize));
  }

  /**
   * Replaces a replica's gradients and loss by their means over all replicas (one read, one
   * all-reduce, new tensors); the inputs are disposed. Gradients are taken in `vars` order.
   */
  private reduceGradients(cost: tf.Scalar, grads: tf.NamedTensorMap, vars: tf.Variable[]): { cost: tf.Scalar; grads: tf.NamedTensorMap } {
    const present = vars.filter((v) => grads[v.name] != null);
    const flat = tf.tidy(() => tf.concat([tf.reshape(cost, [1]), ...present.map((v) => tf.reshape(grads[v.name], [-1]))]));
    // A copy: on the cpu backend dataSync can hand out a buffer that another tensor still uses.
    const values = (flat.dataSync() as Float32Array).slice();
    flat.dispose();
    tf.dispose([cost, ...Object.values(grads)]);
    this.replica!.allReduceMean(values);
    const out: tf.NamedTensorMap = {};
    let offset = 1;
    for (const v of present) {
      out[v.name] = tf.tensor(values.subarray(offset, offset + v.size), v.shape, 'float32');
      offset += v.size;
    }
    return { cost: tf.scalar(values[0]), grads: out };
  }

  /** Averages the networks' non-trainable variables (batch-norm statistics) over the replicas. */
  private reduceNonTrainable(): void {
    const vars = [...this.generator.nonTrainableVariables, ...this.discriminator.nonTrainableVariables].filter(
      (v) => v.dtype === 'float32',
    );
    if (!this.replica || vars.length === 0) return;
    const flat = tf.tidy(() => tf.concat(vars.map((v) => tf.reshape(v, [-1]))));
    const values = (flat.dataSync() as Float32Array).slice(); // a copy (see reduceGradients)
    flat.dispose();
    this.replica.allReduceMean(values);
    let offset = 0;
    for (const v of vars) {
      const t = tf.tensor(values.subarray(offset, offset + v.size), v.shape, 'float32');
      v.assign(t);
      t.dispose();
      offset += v.size;
    }
  }

  /**
   * A step context. `fakes` holds the fake batch: `fakes.x` is `null` until it exists (the
   * discriminator phase's transformFakes) and a function computing it lazily in the generator
   * phase; `fakes.blocked` names the hook during which `fake()` must not be called.
   */
  private makeStepContext(phase: Phase, discriminatorStep: number, batch: Batch, z: tf.Tensor, fakes: FakeHolder): StepContext {
    const labels = this.conditional ? batch.labels : undefined;
    let realOut: tf.Tensor | undefined;
    let fakeOut: tf.Tensor | undefined;
    const discriminate = (x: tf.Tensor, l: tf.Tensor | undefined = labels) => this.discriminator.apply(x, { training: true, labels: l });
    const fake = (): tf.Tensor => {
      if (fakes.blocked) throw new GankitError('plugin', `s.fake() and s.fakeOutput() cannot be called in ${fakes.blocked}`);
      if (fakes.x === null) fakes.x = fakes.make();
      return fakes.x;
    };
    return {
      step: this.stepCount,
      phase,
      discriminatorStep,
      batch,
      z,
      generator: this.generator,
      discriminator: this.discriminator,
      networks: this.context.networks,
      random: this.pluginRandom,
      get fakeLabels() {
        return fakes.labels;
      },
      loss: this.loss,
      adversarial: (output: tf.Tensor) => this.adversarial(output),
      fake,
      realOutput: () => (realOut ??= discriminate(batch.x)),
      fakeOutput: () => (fakeOut ??= discriminate(fake(), fakes.labels)),
      discriminate,
    };
  }

  /** Runs the plugins' transformFakes hooks in order on a discriminator-phase fake batch. */
  private transformFakes(s: StepContext, fakes: FakeHolder, toDispose: tf.Tensor[]): void {
    for (const p of this.plugins) {
      if (!p.transformFakes) continue;
      const before: Batch = { x: fakes.x as tf.Tensor, labels: fakes.labels };
      fakes.blocked = `plugin '${p.name}''s transformFakes`;
      const out = tf.tidy(() => {
        const r = p.transformFakes!(before, s);
        return (r?.labels ? { x: r.x, labels: r.labels } : { x: r?.x }) as unknown as tf.TensorContainer;
      }) as unknown as Partial<Batch>;
      fakes.blocked = undefined;
      if (!(out.x instanceof tf.Tensor) || out.x.dtype !== 'float32' || !sameShape(out.x.shape, before.x.shape)) {
        tf.dispose([out.x as tf.Tensor, out.labels as tf.Tensor]);
        const got = out.x instanceof tf.Tensor ? `${formatShape(out.x.shape)} ${out.x.dtype}` : typeof out.x;
        throw new GankitError(
          'plugin',
          `plugin '${p.name}''s transformFakes returned fakes of ${got}, expected ${formatShape(before.x.shape)} float32`,
        );
      }
      if (
        before.labels &&
        (!(out.labels instanceof tf.Tensor) || out.labels.dtype !== 'int32' || !sameShape(out.labels.shape, before.labels.shape))
      ) {
        tf.dispose([out.x, out.labels as tf.Tensor]);
        const got = out.labels instanceof tf.Tensor ? `${formatShape(out.labels.shape)} ${out.labels.dtype}` : 'no labels';
        throw new GankitError(
          'plugin',
          `plugin '${p.name}''s transformFakes returned ${got} for a conditional fake batch, expected labels ${formatShape(before.labels.shape)} int32`,
        );
      }
      toDispose.push(out.x);
      if (out.labels) toDispose.push(out.labels);
      fakes.x = out.x;
      fakes.labels = before.labels ? (out.labels as tf.Tensor1D) : undefined;
    }
  }

  private nextBatch(): Batch {
    const batch = this.data.nextBatch(this.info.batchSize, this.random);
    const shape = batch.x.shape;
    if (shape[0] !== this.info.batchSize || !sameShape(shape.slice(1), this.data.sampleShape)) {
      tf.dispose([batch.x, batch.labels as tf.Tensor]);
      throw new GankitError(
        'shape',
        `data '${this.data.name}' returned a batch of ${formatShape(shape)}, expected ${formatShape([this.info.batchSize, ...this.data.sampleShape])}`,
      );
    }
    if (batch.x.dtype !== 'float32') {
      tf.dispose([batch.x, batch.labels as tf.Tensor]);
      throw new GankitError('dtype', `data '${this.data.name}' returned a batch of dtype ${batch.x.dtype}, expected float32`);
    }
    if (this.conditional && !batch.labels) {
      tf.dispose(batch.x);
      throw new GankitError('data', `conditional training needs labels, but data '${this.data.name}' returned a batch without them`);
    }
    if (!this.replica) return batch;
    return { ...batch, x: this.shard(batch.x), labels: batch.labels ? this.shard(batch.labels) : undefined };
  }

  /** Runs one minimisation and returns [loss, ...kept scalars by name]. */
  private runPhase(
    phase: Phase,
    s: StepContext,
    optimizer: tf.Optimizer,
    vars: tf.Variable[],
    baseLoss: () => tf.Scalar,
    kept: Map<string, tf.Scalar>,
  ): tf.Scalar {
    const hook = phase === 'discriminator' ? 'discriminatorLoss' : 'generatorLoss';
    // With the guard on, the adversarial term is kept too, to name the term that went non-finite.
    let base: tf.Scalar | undefined;
    const termNames: string[] = [];
    let computed: { value: tf.Scalar; grads: tf.NamedTensorMap };
    try {
      computed = optimizer.computeGradients(() => {
        let total = baseLoss();
        // A copy: without plugin terms `total` is the cost itself, which goes on to the update.
        if (this.guard) base = tf.keep(tf.clone(total));
        for (const p of this.plugins) {
          const terms = p[hook]?.(s);
          if (!terms) continue;
          for (const [key, value] of Object.entries(terms)) {
            if (!(value instanceof tf.Tensor) || value.rank !== 0) {
              throw new GankitError('plugin', `plugin '${p.name}' returned ${phase} term '${key}' that is not a scalar tensor`);
            }
            kept.set(`${p.name}/${key}`, tf.keep(value));
            termNames.push(`${p.name}/${key}`);
            total = tf.add(total, value);
          }
        }
        return total;
      }, vars);
    } catch (e) {
      base?.dispose();
      throw e;
    }
    let { value: cost, grads } = computed;
    if (this.replica) ({ cost, grads } = this.reduceGradients(cost, grads, vars));
    if (this.guard) {
      let fault: NumericalFault | null;
      try {
        fault = this.findFault(phase, cost, grads, vars, [
          [`${this.loss.name} loss`, base!],
          ...termNames.map((n): [string, tf.Scalar] => [n, kept.get(n)!]),
        ]);
      } finally {
        base?.dispose();
      }
      if (fault) {
        tf.dispose(grads);
        cost.dispose();
        throw fault;
      }
    }
    // As optimizer.minimize does: gradients in the fixed variable order (the optimizer matches its
    // state to variables by position).
    optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name] as tf.Tensor })));
    tf.dispose(grads);
    return cost;
  }

  /**
   * One device read: is the loss (and, if asked, every gradient) finite? On a fault, a second read
   * of the loss's terms (`[name, value]`: the adversarial loss, then each plugin term) names those
   * that are not.
   */
  private findFault(
    phase: Phase,
    cost: tf.Scalar,
    grads: tf.NamedTensorMap,
    vars: tf.Variable[],
    terms: [string, tf.Scalar][],
  ): NumericalFault | null {
    const checked = this.guard?.checkGradients ? vars.filter((v) => grads[v.name] != null) : [];
    // x·0 is 0 for finite x and NaN for NaN or ±Inf: one sum per tensor flags any bad element.
    const flags = tf.tidy(() => tf.stack([cost, ...checked.map((v) => grads[v.name])].map((t) => tf.sum(tf.mul(t, 0)))).dataSync());
    if (!flags.some((f) => Number.isNaN(f))) return null;
    const loss = cost.dataSync()[0];
    const player = phase === 'discriminator' ? 'discriminator' : 'generator';
    if (Number.isNaN(flags[0])) {
      const values = tf.tidy(() => tf.stack(terms.map(([, t]) => t)).dataSync());
      const bad = terms.flatMap(([name], i) => (Number.isFinite(values[i]) ? [] : [`${name} ${valueName(values[i])}`]));
      const which =
        bad.length > 0
          ? `non-finite terms: ${bad.join(', ')}`
          : this.replica
            ? `this replica's terms are finite (${terms.map(([n]) => n).join(', ')}); another replica's are not`
            : `every term is finite (${terms.map(([n]) => n).join(', ')}); their sum is not`;
      return new NumericalFault(phase, `the ${player} loss is ${valueName(loss)} (${which})`, loss);
    }
    for (let i = 1; i < flags.length; i++) {
      if (Number.isNaN(flags[i])) {
        const v = checked[i - 1];
        const index = vars.indexOf(v);
        return new NumericalFault(
          phase,
          `the gradient of ${player} variable ${index} ('${v.name}', ${formatShape(v.shape)}) holds NaN or Inf (loss ${loss})`,
          loss,
        );
      }
    }
    return null;
  }

  /**
   * Runs one iteration: k discriminator updates, then one generator update, then the plugins'
   * `onStepEnd`. Returns the iteration's logs.
   */
  async step(): Promise<StepLogs> {
    await this.setup();
    const t0 = performance.now();
    const guard = this.guard;
    const before: Snapshot | undefined = guard ? await capture(this.parts, this.stepCount, this.skipped, false) : undefined;
    let logs: StepLogs;
    try {
      logs = this.iterate();
    } catch (e) {
      if (!(e instanceof NumericalFault) || !before || !guard) throw e;
      await restore(this.parts, before, guard.action === 'skip');
      if (guard.action === 'stop') {
        const n = this.stepCount;
        this.fault = { iteration: n + 1, player: e.phase === 'discriminator' ? 'discriminator' : 'generator', detail: e.detail };
        throw new GankitError(
          'numerical',
          `numerical fault in iteration ${n + 1} (${e.phase} update): ${e.detail}. The update was not applied and the trainer is back in the last good state, after ${n} completed iterations (save a checkpoint now to keep it). Check the data for NaN/Inf, lower the learning rate, or use nanGuard { action: 'skip' }.`,
        );
      }
      this.skipped++;
      logs = {
        step: this.stepCount,
        discriminatorLoss: e.phase === 'discriminator' ? e.loss : e.otherLoss,
        generatorLoss: e.phase === 'generator' ? e.loss : NaN,
        dReal: NaN,
        dFake: NaN,
        terms: {},
        metrics: {},
        seconds: 0,
      };
    } finally {
      if (before) disposeSnapshot(before);
    }
    if (guard) logs.metrics['nanGuard/skippedSteps'] = this.skipped;
    this.stepCount++;
    logs.seconds = (performance.now() - t0) / 1000;
    for (const p of this.plugins) await p.onStepEnd?.(this.context, logs);
    return logs;
  }

  /** The synchronous body of one iteration: updates and logged values (no step count, no onStepEnd). */
  private iterate(): StepLogs {
    const kept = new Map<string, tf.Scalar>();
    const toDispose: tf.Tensor[] = [];
    let dCost: tf.Scalar | undefined;
    let gCost: tf.Scalar | undefined;
    let lastBatch: Batch | undefined;
    try {
      const dVars = [...this.discriminator.trainableVariables];
      const gVars = [...this.generator.trainableVariables];
      for (let i = 0; i < this.info.discriminatorSteps; i++) {
        const batch = this.nextBatch();
        toDispose.push(batch.x);
        if (batch.labels) toDispose.push(batch.labels);
        lastBatch = batch;
        const z = this.drawLatent();
        toDispose.push(z);
        const labels = this.fakeLabelsFor(batch);
        if (labels && labels !== batch.labels) toDispose.push(labels);
        // G's forward pass for the D phase runs outside the gradient tape: the fakes are constants.
        const fake = tf.tidy(() => this.generator.apply(z, { training: true, labels }));
        toDispose.push(fake);
        if (!this.selectorChecked) this.checkSelector(batch);
        const fakes: FakeHolder = { x: fake, labels, make: () => fake };
        const s = this.makeStepContext('discriminator', i, batch, z, fakes);
        this.transformFakes(s, fakes, toDispose);
        const last = i === this.info.discriminatorSteps - 1;
        if (dCost) dCost.dispose();
        // Only the last discriminator update is logged: drop the previous update's scalars.
        for (const v of kept.values()) v.dispose();
        kept.clear();
        dCost = this.runPhase(
          'discriminator',
          s,
          this.discriminatorOptimizer,
          dVars,
          () => {
            const realOut = this.adversarial(s.realOutput());
            const fakeOut = this.adversarial(s.fakeOutput());
            if (last) {
              kept.set('d/real', tf.keep(this.discriminatorOutputMean(realOut)));
              kept.set('d/fake', tf.keep(this.discriminatorOutputMean(fakeOut)));
            }
            return this.loss.discriminator(realOut, fakeOut);
          },
          kept,
        );
        for (const p of this.plugins) if (p.afterDiscriminatorStep) tf.tidy(() => p.afterDiscriminatorStep!(s));
      }
      const batch = lastBatch!;
      const z = this.drawLatent();
      toDispose.push(z);
      const labels = this.fakeLabelsFor(batch);
      if (labels && labels !== batch.labels) toDispose.push(labels);
      const fakes: FakeHolder = { x: null, labels, make: () => this.generator.apply(z, { training: true, labels }) };
      const s = this.makeStepContext('generator', 0, batch, z, fakes);
      for (const p of this.plugins) {
        if (!p.beforeGeneratorStep) continue;
        fakes.blocked = `plugin '${p.name}''s beforeGeneratorStep`;
        try {
          tf.tidy(() => p.beforeGeneratorStep!(s));
        } finally {
          fakes.blocked = undefined;
        }
      }
      const gTerms = new Map<string, tf.Scalar>();
      gCost = this.runPhase(
        'generator',
        s,
        this.generatorOptimizer,
        gVars,
        () => {
          const fakeOut = this.adversarial(s.fakeOutput());
          return this.loss.generator(fakeOut, this.loss.generatorUsesReal ? this.adversarial(s.realOutput()) : undefined);
        },
        gTerms,
      );
      this.reduceNonTrainable();
      for (const p of this.plugins) if (p.afterGeneratorStep) tf.tidy(() => p.afterGeneratorStep!(s));

      // One read of every logged scalar.
      const names = ['dLoss', 'gLoss', ...kept.keys(), ...gTerms.keys()];
      const scalars = [dCost!, gCost, ...kept.values(), ...gTerms.values()];
      const values = (tf.tidy(() => tf.stack(scalars).dataSync()) as Float32Array).slice();
      // Losses are already means over the replicas; the other logged values are made so here.
      if (this.replica) this.replica.allReduceMean(values);
      const byName = new Map(names.map((n, i) => [n, values[i]]));
      const terms: Record<string, number> = {};
      for (const n of [...kept.keys(), ...gTerms.keys()]) if (n !== 'd/real' && n !== 'd/fake') terms[n] = byName.get(n)!;
      tf.dispose([...gTerms.values()]);
      const logs: StepLogs = {
        step: this.stepCount,
        discriminatorLoss: byName.get('dLoss')!,
        generatorLoss: byName.get('gLoss')!,
        dReal: byName.get('d/real')!,
        dFake: byName.get('d/fake')!,
        terms,
        metrics: {},
        seconds: 0,
      };
      return logs;
    } catch (e) {
      if (e instanceof NumericalFault && e.phase === 'generator' && dCost && !dCost.isDisposed) e.otherLoss = dCost.dataSync()[0];
      throw e;
    } finally {
      tf.dispose(toDispose);
      tf.dispose([...kept.values()]);
      if (dCost) dCost.dispose();
      if (gCost) gCost.dispose();
    }
  }

  /** Runs `steps` iterations (or until a plugin, `onStep` or `signal` asks to stop), then `onTrainEnd`. */
  async fit(options: FitOptions): Promise<FitResult> {
    const steps = options.steps;
    if (!Number.isInteger(steps) || steps < 0) throw new GankitError('config', `steps must be a non-negative integer, got ${steps}`);
    const t0 = performance.now();
    let last: StepLogs | undefined;
    let done = 0;
    this.stopReason = undefined;
    this.fault = undefined;
    for (; done < steps; ) {
      if (options.signal?.aborted) {
        this.stopReason ??= 'aborted';
        break;
      }
      try {
        last = await this.step();
      } catch (e) {
        if (this.guard?.action === 'stop' && e instanceof GankitError && e.code === 'numerical') {
          this.stopReason = e.message;
          break;
        }
        throw e;
      }
      done++;
      await options.onStep?.(last);
      if (this.stopReason) break;
    }
    for (const p of this.plugins) await p.onTrainEnd?.(this.context);
    return {
      steps: done,
      seconds: (performance.now() - t0) / 1000,
      last,
      stopReason: this.stopReason,
      ...(this.fault ? { fault: this.fault } : {}),
    };
  }

  /** Frees the optimizers' state and every plugin (the networks belong to the caller). */
  dispose(): void {
    this.generatorOptimizer.dispose();
    this.discriminatorOptimizer.dispose();
    for (const p of this.plugins) p.dispose?.();
  }
}
