import * as tf from '@tensorflow/tfjs-core';
import {
  GankitError,
  RandomSource,
  ensureGradients,
  formatShape,
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

/** Draws `n` latent vectors; the default is a standard normal of the generator's input shape. */
export type LatentSampler = (n: number, random: RandomSource) => tf.Tensor;

/** Options of a {@link Trainer}. */
export interface TrainerOptions {
  /** The generator G: latent batch → sample batch. */
  readonly generator: Network;
  /** The discriminator D: sample batch → one output per example (`[batch, 1]` or `[batch]`). */
  readonly discriminator: Network;
  /** The adversarial loss pair, e.g. `nonSaturating` from `@gankit/losses`. */
  readonly loss: LossPair;
  /** Where real examples come from. */
  readonly data: DataSource;
  /** Examples per batch (default 64). */
  readonly batchSize?: number;
  /** Discriminator updates per iteration, k in Goodfellow et al.'s Algorithm 1 (default 1). */
  readonly discriminatorSteps?: number;
  /** Optimizer of G's variables (default Adam, learning rate 2e-4, β₁ = 0.5). Not shared with D. */
  readonly generatorOptimizer?: tf.Optimizer;
  /** Optimizer of D's variables (default Adam, learning rate 2e-4, β₁ = 0.5). Not shared with G. */
  readonly discriminatorOptimizer?: tf.Optimizer;
  /** Plugins: regularizers, averaging, metrics, loggers. */
  readonly plugins?: readonly GanPlugin[];
  /** The run seed: with the same seed, backend and options a run repeats bit for bit (default 0). */
  readonly seed?: number;
  /** Latent distribution (default: standard normal of shape `generator.inputShape`). */
  readonly latent?: LatentSampler;
  /**
   * Conditional training: the real batch's labels are passed to D with the real batch, and to G
   * and D with the fake batch (default: `true` when the data set has classes).
   */
  readonly conditional?: boolean;
}

/** A result of {@link Trainer.fit}. */
export interface FitResult {
  /** Iterations completed by this call. */
  readonly steps: number;
  /** Wall-clock seconds of this call. */
  readonly seconds: number;
  /** The last iteration's logs (undefined when no step ran). */
  readonly last?: StepLogs;
  /** Why training stopped early, when a plugin or the caller asked it to. */
  readonly stopReason?: string;
}

/** Options of {@link Trainer.fit}. */
export interface FitOptions {
  /** Iterations to run. */
  readonly steps: number;
  /** Called after every iteration, after the plugins' `onStepEnd`. */
  readonly onStep?: (logs: StepLogs) => void | Promise<void>;
  /** Stops cleanly after the current iteration when aborted. */
  readonly signal?: AbortSignal;
}

function checkPositiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new GankitError('config', `${name} must be a positive integer, got ${v}`);
  return v;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
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

  private readonly latentSampler: LatentSampler;
  private stepCount = 0;
  private setupDone = false;
  private stopReason: string | undefined;
  private readonly context: TrainContext;

  /** Checks the options (shapes, sizes, plugin names) and prepares training; nothing runs yet. */
  constructor(options: TrainerOptions) {
    ensureGradients();
    const { generator, discriminator, loss, data } = options;
    if (!generator || !discriminator) throw new GankitError('config', 'Trainer needs both a `generator` and a `discriminator` network');
    if (!loss || typeof loss.discriminator !== 'function' || typeof loss.generator !== 'function') {
      throw new GankitError('config', 'Trainer `loss` must be a loss pair { discriminator(real, fake), generator(fake, real) }, e.g. from @gankit/losses');
    }
    if (!data || typeof data.nextBatch !== 'function') throw new GankitError('config', 'Trainer `data` must be a DataSource with nextBatch(batchSize, random)');
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
    const dOut = discriminator.outputShape.reduce((a, b) => a * b, 1);
    if (dOut !== 1) {
      throw new GankitError('shape', `discriminator '${discriminator.name}' must output one value per example, but its output shape is ${formatShape(discriminator.outputShape)}`);
    }
    if (data.size !== undefined) {
      if (data.size === 0) throw new GankitError('data', `data set '${data.name}' is empty`);
      if (batchSize > data.size) throw new GankitError('config', `batchSize ${batchSize} is larger than data set '${data.name}' (${data.size} examples)`);
    }
    if (options.generatorOptimizer && options.generatorOptimizer === options.discriminatorOptimizer) {
      throw new GankitError('config', 'generator and discriminator need separate optimizer instances: one shared optimizer mixes their state');
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
    const latentShape = [...generator.inputShape];
    this.latentSampler = options.latent ?? ((n, random) => random.normal([n, ...latentShape], 0, 1, 'latent'));
    this.info = { batchSize, discriminatorSteps, latentShape, seed: this.random.seed, loss: loss.name };
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

  /** Sets the iteration counter, e.g. after restoring a checkpoint. */
  setStep(step: number): void {
    if (!Number.isInteger(step) || step < 0) throw new GankitError('config', `step must be a non-negative integer, got ${step}`);
    this.stepCount = step;
  }

  /** Runs every plugin's `setup` once; {@link Trainer.step} calls it on first use. */
  async setup(): Promise<void> {
    if (this.setupDone) return;
    this.setupDone = true;
    for (const p of this.plugins) await p.setup?.(this.context);
  }

  /** Draws `n` latent vectors from the run's latent distribution and random source. */
  sampleLatent(n: number): tf.Tensor {
    return this.latentSampler(n, this.random);
  }

  /**
   * Generates `n` samples with the generator in inference mode (batch norm uses its moving
   * statistics; nothing is updated). Pass `z` to use fixed latent points.
   */
  sample(n: number, options: { z?: tf.Tensor; labels?: tf.Tensor } = {}): tf.Tensor {
    return tf.tidy(() => {
      const z = options.z ?? this.sampleLatent(n);
      return this.generator.apply(z, { training: false, labels: options.labels });
    });
  }

  private discriminatorOutputMean(out: tf.Tensor): tf.Scalar {
    return this.loss.probabilistic ? tf.mean(tf.sigmoid(out)) : tf.mean(out);
  }

  private makeStepContext(phase: Phase, discriminatorStep: number, batch: Batch, z: tf.Tensor, fakeFn: () => tf.Tensor): StepContext {
    const labels = this.conditional ? batch.labels : undefined;
    let fake: tf.Tensor | undefined;
    let realOut: tf.Tensor | undefined;
    let fakeOut: tf.Tensor | undefined;
    const discriminate = (x: tf.Tensor, l: tf.Tensor | undefined = labels) => this.discriminator.apply(x, { training: true, labels: l });
    return {
      step: this.stepCount,
      phase,
      discriminatorStep,
      batch,
      z,
      generator: this.generator,
      discriminator: this.discriminator,
      networks: this.context.networks,
      random: this.random,
      fake: () => (fake ??= fakeFn()),
      realOutput: () => (realOut ??= discriminate(batch.x)),
      fakeOutput: () => (fakeOut ??= discriminate(fake ??= fakeFn())),
      discriminate,
    };
  }

  private nextBatch(): Batch {
    const batch = this.data.nextBatch(this.info.batchSize, this.random);
    const shape = batch.x.shape;
    if (shape[0] !== this.info.batchSize || !sameShape(shape.slice(1), this.data.sampleShape)) {
      tf.dispose([batch.x, batch.labels as tf.Tensor]);
      throw new GankitError('shape', `data '${this.data.name}' returned a batch of ${formatShape(shape)}, expected ${formatShape([this.info.batchSize, ...this.data.sampleShape])}`);
    }
    if (batch.x.dtype !== 'float32') {
      tf.dispose([batch.x, batch.labels as tf.Tensor]);
      throw new GankitError('dtype', `data '${this.data.name}' returned a batch of dtype ${batch.x.dtype}, expected float32`);
    }
    if (this.conditional && !batch.labels) {
      tf.dispose(batch.x);
      throw new GankitError('data', `conditional training needs labels, but data '${this.data.name}' returned a batch without them`);
    }
    return batch;
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
    const cost = optimizer.minimize(
      () => {
        let total = baseLoss();
        for (const p of this.plugins) {
          const terms = p[hook]?.(s);
          if (!terms) continue;
          for (const [key, value] of Object.entries(terms)) {
            if (!(value instanceof tf.Tensor) || value.rank !== 0) {
              throw new GankitError('plugin', `plugin '${p.name}' returned ${phase} term '${key}' that is not a scalar tensor`);
            }
            kept.set(`${p.name}/${key}`, tf.keep(value));
            total = tf.add(total, value);
          }
        }
        return total;
      },
      true,
      vars,
    );
    if (!cost) throw new GankitError('internal', `${phase} update returned no loss`);
    return cost;
  }

  /**
   * Runs one iteration: k discriminator updates, then one generator update, then the plugins'
   * `onStepEnd`. Returns the iteration's logs.
   */
  async step(): Promise<StepLogs> {
    await this.setup();
    const t0 = performance.now();
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
        const z = this.sampleLatent(this.info.batchSize);
        toDispose.push(z);
        const labels = this.conditional ? batch.labels : undefined;
        // G's forward pass for the D phase runs outside the gradient tape: the fakes are constants.
        const fake = tf.tidy(() => this.generator.apply(z, { training: true, labels }));
        toDispose.push(fake);
        const s = this.makeStepContext('discriminator', i, batch, z, () => fake);
        const last = i === this.info.discriminatorSteps - 1;
        if (dCost) dCost.dispose();
        // Only the last discriminator update is logged: drop the previous update's scalars.
        for (const v of kept.values()) v.dispose();
        kept.clear();
        dCost = this.runPhase('discriminator', s, this.discriminatorOptimizer, dVars, () => {
          const realOut = s.realOutput();
          const fakeOut = s.fakeOutput();
          if (last) {
            kept.set('d/real', tf.keep(this.discriminatorOutputMean(realOut)));
            kept.set('d/fake', tf.keep(this.discriminatorOutputMean(fakeOut)));
          }
          return this.loss.discriminator(realOut, fakeOut);
        }, kept);
        for (const p of this.plugins) if (p.afterDiscriminatorStep) tf.tidy(() => p.afterDiscriminatorStep!(s));
      }
      const batch = lastBatch!;
      const z = this.sampleLatent(this.info.batchSize);
      toDispose.push(z);
      const labels = this.conditional ? batch.labels : undefined;
      const s = this.makeStepContext('generator', 0, batch, z, () => this.generator.apply(z, { training: true, labels }));
      const gTerms = new Map<string, tf.Scalar>();
      gCost = this.runPhase('generator', s, this.generatorOptimizer, gVars, () => {
        const fakeOut = s.fakeOutput();
        return this.loss.generator(fakeOut, this.loss.generatorUsesReal ? s.realOutput() : undefined);
      }, gTerms);
      for (const p of this.plugins) if (p.afterGeneratorStep) tf.tidy(() => p.afterGeneratorStep!(s));

      // One read of every logged scalar.
      const names = ['dLoss', 'gLoss', ...kept.keys(), ...gTerms.keys()];
      const scalars = [dCost!, gCost, ...kept.values(), ...gTerms.values()];
      const values = tf.tidy(() => tf.stack(scalars).dataSync());
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
      this.stepCount++;
      logs.seconds = (performance.now() - t0) / 1000;
      for (const p of this.plugins) await p.onStepEnd?.(this.context, logs);
      return logs;
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
    for (; done < steps; ) {
      if (options.signal?.aborted) {
        this.stopReason ??= 'aborted';
        break;
      }
      last = await this.step();
      done++;
      await options.onStep?.(last);
      if (this.stopReason) break;
    }
    for (const p of this.plugins) await p.onTrainEnd?.(this.context);
    return { steps: done, seconds: (performance.now() - t0) / 1000, last, stopReason: this.stopReason };
  }

  /** Frees the optimizers' state and every plugin (the networks belong to the caller). */
  dispose(): void {
    this.generatorOptimizer.dispose();
    this.discriminatorOptimizer.dispose();
    for (const p of this.plugins) p.dispose?.();
  }
}
