// CycleGAN (Zhu et al. 2017): unpaired translation between two domains with two G/D pairs.
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
  type JsonValue,
  type LossPair,
  type Network,
  type Phase,
  type StepContext,
  type StepLogs,
  type TrainContext,
  type TrainInfo,
} from '@gankit/core';
import { capture, loadTrainerState, toTrainerState } from './state';
import type { LoadStateOptions, StateParts, TrainerState } from './state';
import { checkDiscriminatorOutput } from './trainer';
import type { FitOptions, FitResult } from './trainer';

/** The format name of a {@link CycleGanTrainer}'s state. */
export const CYCLEGAN_STATE_FORMAT = 'gankit-cyclegan-state';

/**
 * The least-squares loss pair (Mao et al. 2017) that CycleGAN uses by default:
 * D minimises `½·E[(D(real) − 1)²] + ½·E[D(fake)²]` (the paper's "divide D's objective by 2"),
 * G minimises `½·E[(D(fake) − 1)²]`. Outputs are raw scores; every element of a patch map counts.
 * (The same as `leastSquares()` of `@gankit/losses`, written here so the trainer needs no losses package.)
 */
export const cycleGanLeastSquares: LossPair = Object.freeze({
  name: 'least-squares',
  probabilistic: false,
  discriminator: (real: tf.Tensor, fake: tf.Tensor) =>
    tf.tidy(() => tf.mul(0.5, tf.add(tf.mean(tf.square(tf.sub(real, 1))), tf.mean(tf.square(fake)))) as tf.Scalar),
  generator: (fake: tf.Tensor) => tf.tidy(() => tf.mul(0.5, tf.mean(tf.square(tf.sub(fake, 1)))) as tf.Scalar),
});

/** Mean absolute difference over every element (the L1 of the cycle and identity terms). */
function meanAbsolute(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.mean(tf.abs(tf.sub(a, b))) as tf.Scalar;
}

/** Options of a {@link CycleGanTrainer}. */
export interface CycleGanTrainerOptions {
  /** G: domain A → domain B (input `dataA.sampleShape`, output `dataB.sampleShape`). */
  readonly generatorAB: Network;
  /** F: domain B → domain A. */
  readonly generatorBA: Network;
  /** D_A: real A versus F(b); one value per example or a patch map `[h, w, 1]`. */
  readonly discriminatorA: Network;
  /** D_B: real B versus G(a); one value per example or a patch map `[h, w, 1]`. */
  readonly discriminatorB: Network;
  /** Examples of domain A. */
  readonly dataA: DataSource;
  /** Examples of domain B (unpaired with A: the two are drawn independently). */
  readonly dataB: DataSource;
  /** Adversarial loss of both pairs (default {@link cycleGanLeastSquares}, as the paper). */
  readonly loss?: LossPair | undefined;
  /** λ, the weight of the cycle-consistency terms (default 10). */
  readonly cycleWeight?: number | undefined;
  /** Weight of the identity terms (default 0.5·λ, as the paper; 0 turns them off). Needs A and B of the same shape. */
  readonly identityWeight?: number | undefined;
  /** Examples per batch of each domain (default 1, as the paper). */
  readonly batchSize?: number | undefined;
  /** Optimizer of both generators' variables together (default Adam 2e-4, β₁ = 0.5). */
  readonly generatorOptimizer?: tf.Optimizer | undefined;
  /** Optimizer of both discriminators' variables together (default Adam 2e-4, β₁ = 0.5). */
  readonly discriminatorOptimizer?: tf.Optimizer | undefined;
  /**
   * Plugins. Their step hooks see the A→B pair as `generator`/`discriminator` (G and D_B, with the
   * B batch as `batch` and the A batch as `z`); all four networks are in `networks`. The hooks
   * `transformFakes` and `beforeGeneratorStep` are not supported (a plugin with them is refused).
   */
  readonly plugins?: readonly GanPlugin[] | undefined;
  /** The run seed (default 0): the same seed, backend and options repeat a run bit for bit. */
  readonly seed?: number | undefined;
}

/** The four networks of a {@link CycleGanTrainer} by role. */
export interface CycleGanNetworks {
  /** G: A → B. */
  readonly generatorAB: Network;
  /** F: B → A. */
  readonly generatorBA: Network;
  /** D_A. */
  readonly discriminatorA: Network;
  /** D_B. */
  readonly discriminatorB: Network;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new GankitError('config', `${name} must be a positive integer, got ${v}`);
  return v;
}

function nonNegative(name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new GankitError('config', `${name} must be a finite number >= 0, got ${String(v)}`);
  return v;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * CycleGAN (Zhu et al. 2017): learns G: A → B and F: B → A from unpaired examples of two domains.
 * Each iteration draws a batch `a` of A and `b` of B, then
 *
 * 1. updates both generators jointly (one optimizer over G's and F's variables) on
 *    `L_adv(D_B(G(a))) + L_adv(D_A(F(b))) + λ·(|F(G(a)) − a|₁ + |G(F(b)) − b|₁) + λ_id·(|G(b) − b|₁ + |F(a) − a|₁)`
 *    plus the plugins' generator terms;
 * 2. updates both discriminators jointly on `L_D(D_A(a), D_A(F(b))) + L_D(D_B(b), D_B(G(a)))`, with
 *    the fakes of step 1 as constants, plus the plugins' discriminator terms.
 *
 * The order (generators first, then discriminators on the same fakes) follows the paper's code and
 * saves two forward passes. The defaults follow the paper: least-squares loss, λ = 10,
 * λ_id = 0.5·λ, Adam 2e-4 with β₁ = 0.5, batch size 1. Not included: the paper's history of 50
 * fakes and the learning-rate decay. The numerical-fault guard of `Trainer` is not offered here.
 *
 * Logs: `discriminatorLoss`/`generatorLoss` are the totals; `dReal`/`dFake` are D_B's mean outputs
 * on b and G(a); `terms` holds `cyclegan/adversarialAB`, `adversarialBA`, `cycleA`, `cycleB`,
 * `identityA`, `identityB` (unweighted L1 means), `discriminatorA`, `discriminatorB`, `dRealA`,
 * `dFakeA`, and every plugin term.
 *
 * @example
 * ```ts
 * const t = new CycleGanTrainer({ generatorAB, generatorBA, discriminatorA, discriminatorB, dataA, dataB });
 * await t.fit({ steps: 1000 });
 * const toB = t.translate(a, 'AB');
 * ```
 */
export class CycleGanTrainer {
  /** G: A → B. */
  readonly generatorAB: Network;
  /** F: B → A. */
  readonly generatorBA: Network;
  /** D_A. */
  readonly discriminatorA: Network;
  /** D_B. */
  readonly discriminatorB: Network;
  /** The four networks by role (also `TrainContext.networks` and `StepContext.networks`). */
  readonly networks: CycleGanNetworks;
  /** Domain A's data. */
  readonly dataA: DataSource;
  /** Domain B's data. */
  readonly dataB: DataSource;
  /** The adversarial loss of both pairs. */
  readonly loss: LossPair;
  /** λ, the cycle-consistency weight. */
  readonly cycleWeight: number;
  /** The identity weight. */
  readonly identityWeight: number;
  /** Optimizer of both generators. */
  readonly generatorOptimizer: tf.Optimizer;
  /** Optimizer of both discriminators. */
  readonly discriminatorOptimizer: tf.Optimizer;
  /** Plugins in the order their hooks run. */
  readonly plugins: readonly GanPlugin[];
  /** The run's seeded random source. */
  readonly random: RandomSource;
  /** Static facts about the run (`latentShape` is domain A's example shape; `discriminatorSteps` 1). */
  readonly info: TrainInfo;

  private stepCount = 0;
  private setupDone = false;
  private stopReason: string | undefined;
  private readonly context: TrainContext;
  private readonly dataPair: { readonly name: string; state(): JsonValue; loadState(s: JsonValue): void };

  /** Checks the options (shapes, weights, plugins) and prepares training; nothing runs yet. */
  constructor(options: CycleGanTrainerOptions) {
    ensureGradients();
    const { generatorAB, generatorBA, discriminatorA, discriminatorB, dataA, dataB } = options;
    for (const [k, v] of Object.entries({ generatorAB, generatorBA, discriminatorA, discriminatorB })) {
      if (!v || typeof v.apply !== 'function') throw new GankitError('config', `CycleGanTrainer needs a network '${k}'`);
    }
    for (const [k, v] of Object.entries({ dataA, dataB })) {
      if (!v || typeof v.nextBatch !== 'function')
        throw new GankitError('config', `CycleGanTrainer '${k}' must be a DataSource with nextBatch(batchSize, random)`);
    }
    const shapeA = dataA.sampleShape;
    const shapeB = dataB.sampleShape;
    const expect = (net: Network, what: 'inputShape' | 'outputShape', shape: readonly number[], domain: string) => {
      if (!sameShape(net[what], shape)) {
        throw new GankitError(
          'shape',
          `network '${net.name}' has ${what === 'inputShape' ? 'inputs' : 'outputs'} of ${formatShape(net[what])} per example, but domain ${domain} ('${domain === 'A' ? dataA.name : dataB.name}') has examples of ${formatShape(shape)}`,
        );
      }
    };
    expect(generatorAB, 'inputShape', shapeA, 'A');
    expect(generatorAB, 'outputShape', shapeB, 'B');
    expect(generatorBA, 'inputShape', shapeB, 'B');
    expect(generatorBA, 'outputShape', shapeA, 'A');
    expect(discriminatorA, 'inputShape', shapeA, 'A');
    expect(discriminatorB, 'inputShape', shapeB, 'B');
    checkDiscriminatorOutput(discriminatorA, false);
    checkDiscriminatorOutput(discriminatorB, false);
    const loss = options.loss ?? cycleGanLeastSquares;
    if (typeof loss.discriminator !== 'function' || typeof loss.generator !== 'function') {
      throw new GankitError('config', 'CycleGanTrainer `loss` must be a loss pair { discriminator(real, fake), generator(fake) }');
    }
    if (loss.generatorUsesReal)
      throw new GankitError('config', `CycleGanTrainer does not support losses whose generator term needs real outputs ('${loss.name}')`);
    this.cycleWeight = nonNegative('cycleWeight', options.cycleWeight ?? 10);
    this.identityWeight = nonNegative('identityWeight', options.identityWeight ?? 0.5 * this.cycleWeight);
    if (this.identityWeight > 0 && !sameShape(shapeA, shapeB)) {
      throw new GankitError(
        'shape',
        `the identity terms need domains of the same shape, but A has ${formatShape(shapeA)} and B ${formatShape(shapeB)}; pass identityWeight: 0`,
      );
    }
    const batchSize = positiveInt('batchSize', options.batchSize ?? 1);
    for (const d of [dataA, dataB]) {
      if (d.size !== undefined && batchSize > d.size)
        throw new GankitError('config', `batchSize ${batchSize} is larger than data set '${d.name}' (${d.size} examples)`);
    }
    if (options.generatorOptimizer && options.generatorOptimizer === options.discriminatorOptimizer) {
      throw new GankitError(
        'config',
        'generators and discriminators need separate optimizer instances: one shared optimizer mixes their state',
      );
    }
    const plugins = sortPlugins(options.plugins ?? []);
    for (const p of plugins) {
      for (const hook of ['transformFakes', 'beforeGeneratorStep'] as const) {
        if (p[hook]) throw new GankitError('plugin', `plugin '${p.name}' uses ${hook}, which CycleGanTrainer does not support`);
      }
    }
    this.generatorAB = generatorAB;
    this.generatorBA = generatorBA;
    this.discriminatorA = discriminatorA;
    this.discriminatorB = discriminatorB;
    this.networks = Object.freeze({ generatorAB, generatorBA, discriminatorA, discriminatorB });
    this.dataA = dataA;
    this.dataB = dataB;
    this.loss = loss;
    this.generatorOptimizer = options.generatorOptimizer ?? tf.train.adam(2e-4, 0.5);
    this.discriminatorOptimizer = options.discriminatorOptimizer ?? tf.train.adam(2e-4, 0.5);
    this.plugins = plugins;
    this.random = new RandomSource(options.seed ?? 0);
    this.info = { batchSize, discriminatorSteps: 1, latentShape: [...shapeA], seed: this.random.seed, loss: loss.name };
    this.dataPair = {
      name: `${dataA.name}+${dataB.name}`,
      state: () => ({ A: dataA.state?.() ?? null, B: dataB.state?.() ?? null }),
      loadState: (s: JsonValue) => {
        const o = (s ?? {}) as { A?: JsonValue | undefined; B?: JsonValue | undefined };
        for (const [k, d] of [
          ['A', dataA],
          ['B', dataB],
        ] as const) {
          const v = o[k] ?? null;
          if (v === null) continue;
          if (!d.loadState)
            throw new GankitError('checkpoint', `the state holds a position of data ${k}, but data '${d.name}' has no loadState()`);
          d.loadState(v);
        }
      },
    };
    const self = this;
    this.context = {
      get step() {
        return self.stepCount;
      },
      info: this.info,
      generator: generatorAB,
      discriminator: discriminatorB,
      networks: this.networks as unknown as Record<string, Network>,
      random: this.random,
      sampleLatent: (n: number) => this.sampleA(n),
      requestStop: (reason: string) => {
        this.stopReason = reason;
      },
    };
  }

  /** Iterations completed so far. */
  get iteration(): number {
    return this.stepCount;
  }

  /** The context that asynchronous plugin hooks receive (`generator` = G, `discriminator` = D_B). */
  get trainContext(): TrainContext {
    return this.context;
  }

  private get parts(): StateParts {
    return {
      format: CYCLEGAN_STATE_FORMAT,
      networks: { ...this.networks },
      optimizers: { generator: this.generatorOptimizer, discriminator: this.discriminatorOptimizer },
      optimizerVariables: { generator: this.generatorVariables(), discriminator: this.discriminatorVariables() },
      plugins: this.plugins,
      data: this.dataPair,
      random: this.random,
      info: this.info,
    };
  }

  private generatorVariables(): tf.Variable[] {
    return [...this.generatorAB.trainableVariables, ...this.generatorBA.trainableVariables];
  }

  private discriminatorVariables(): tf.Variable[] {
    return [...this.discriminatorA.trainableVariables, ...this.discriminatorB.trainableVariables];
  }

  /** `n` examples of domain A (drawn from `dataA` with the run's random source; labels dropped). */
  private sampleA(n: number): tf.Tensor {
    const b = this.dataA.nextBatch(n, this.random);
    if (b.labels) b.labels.dispose();
    return b.x;
  }

  /**
   * Everything needed to go on exactly from here: the four networks' variables (roles
   * `generatorAB`, `generatorBA`, `discriminatorA`, `discriminatorB`), both optimizers' state
   * (`generator` over G's then F's variables, `discriminator` over D_A's then D_B's), the plugins'
   * state, the random source, both data positions and the step, in the layout of `TrainerState`
   * with format {@link CYCLEGAN_STATE_FORMAT}. The caller disposes the returned tensors.
   */
  async state(): Promise<TrainerState> {
    await this.setup();
    const snap = await capture(this.parts, this.stepCount, 0, true);
    return toTrainerState(this.parts, snap);
  }

  /**
   * Restores a state from {@link CycleGanTrainer.state}. Everything is checked first; a mismatch
   * is a `GankitError('checkpoint')` naming the entry and leaves the trainer as it was. The state's
   * tensors stay the caller's. `options` as for `Trainer.loadState`.
   */
  async loadState(state: TrainerState, options: LoadStateOptions = {}): Promise<void> {
    const loaded = await loadTrainerState(this.parts, state, options, { step: this.stepCount, skippedSteps: 0 }, 'CycleGAN trainer');
    this.stepCount = loaded.step;
  }

  /** Runs every plugin's `setup` once; {@link CycleGanTrainer.step} calls it on first use. */
  async setup(): Promise<void> {
    if (this.setupDone) return;
    this.setupDone = true;
    for (const p of this.plugins) await p.setup?.(this.context);
  }

  /**
   * Translates a batch with a generator in inference mode: `'AB'` applies G (A → B), `'BA'`
   * applies F (B → A). The caller disposes the result.
   */
  translate(x: tf.Tensor, direction: 'AB' | 'BA'): tf.Tensor {
    if (direction !== 'AB' && direction !== 'BA')
      throw new GankitError('argument', `translate: direction must be 'AB' or 'BA', got ${JSON.stringify(direction)}`);
    const net = direction === 'AB' ? this.generatorAB : this.generatorBA;
    if (!(x instanceof tf.Tensor) || !sameShape(x.shape.slice(1), net.inputShape)) {
      const got = x instanceof tf.Tensor ? formatShape(x.shape) : typeof x;
      throw new GankitError('shape', `translate '${direction}': expected a batch [n, ${net.inputShape.join(', ')}], got ${got}`);
    }
    return tf.tidy(() => net.apply(x, { training: false }));
  }

  private nextBatch(data: DataSource): Batch {
    const batch = data.nextBatch(this.info.batchSize, this.random);
    const shape = batch.x.shape;
    if (shape[0] !== this.info.batchSize || !sameShape(shape.slice(1), data.sampleShape) || batch.x.dtype !== 'float32') {
      tf.dispose([batch.x, batch.labels as tf.Tensor]);
      throw new GankitError(
        'shape',
        `data '${data.name}' returned a batch of ${formatShape(shape)} ${batch.x.dtype}, expected ${formatShape([this.info.batchSize, ...data.sampleShape])} float32`,
      );
    }
    return batch;
  }

  private makeContext(phase: Phase, a: Batch, b: Batch, fake: () => tf.Tensor): StepContext {
    let fakeB: tf.Tensor | undefined;
    let realOut: tf.Tensor | undefined;
    let fakeOut: tf.Tensor | undefined;
    const discriminate = (x: tf.Tensor) => this.discriminatorB.apply(x, { training: true });
    const getFake = () => (fakeB ??= fake());
    return {
      step: this.stepCount,
      phase,
      discriminatorStep: 0,
      batch: b,
      z: a.x,
      generator: this.generatorAB,
      discriminator: this.discriminatorB,
      networks: this.networks as unknown as Record<string, Network>,
      random: this.random,
      loss: this.loss,
      adversarial: (o: tf.Tensor) => o,
      fake: getFake,
      realOutput: () => (realOut ??= discriminate(b.x)),
      fakeOutput: () => (fakeOut ??= discriminate(getFake())),
      discriminate,
    };
  }

  /** Adds the plugins' terms of a phase to `total`, keeping each under `plugin/term`. */
  private pluginTerms(phase: Phase, s: StepContext, total: tf.Scalar, kept: Map<string, tf.Scalar>): tf.Scalar {
    const hook = phase === 'discriminator' ? 'discriminatorLoss' : 'generatorLoss';
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
  }

  private minimize(optimizer: tf.Optimizer, vars: tf.Variable[], f: () => tf.Scalar): tf.Scalar {
    const { value, grads } = optimizer.computeGradients(f, vars);
    optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name] as tf.Tensor })));
    tf.dispose(grads);
    return value;
  }

  private mean(out: tf.Tensor): tf.Scalar {
    return this.loss.probabilistic ? tf.mean(tf.sigmoid(out)) : tf.mean(out);
  }

  /** Runs one iteration (both generators, then both discriminators, then `onStepEnd`) and returns its logs. */
  async step(): Promise<StepLogs> {
    await this.setup();
    const t0 = performance.now();
    const logs = this.iterate();
    this.stepCount++;
    logs.seconds = (performance.now() - t0) / 1000;
    for (const p of this.plugins) await p.onStepEnd?.(this.context, logs);
    return logs;
  }

  private iterate(): StepLogs {
    const kept = new Map<string, tf.Scalar>();
    const toDispose: tf.Tensor[] = [];
    try {
      const a = this.nextBatch(this.dataA);
      toDispose.push(a.x);
      if (a.labels) toDispose.push(a.labels);
      const b = this.nextBatch(this.dataB);
      toDispose.push(b.x);
      if (b.labels) toDispose.push(b.labels);
      const { generatorAB: G, generatorBA: F, discriminatorA: DA } = this.networks;
      const train = { training: true };
      const lam = this.cycleWeight;
      const lamId = this.identityWeight;
      const keep = (name: string, t: tf.Scalar) => kept.set(name, tf.keep(t));

      // 1. Both generators.
      let fakeA: tf.Tensor | undefined;
      let fakeB: tf.Tensor | undefined;
      const sG = this.makeContext('generator', a, b, () => G.apply(a.x, train));
      const gCost = this.minimize(this.generatorOptimizer, this.generatorVariables(), () => {
        const fB = sG.fake();
        const fA = F.apply(b.x, train);
        fakeA = tf.keep(fA);
        fakeB = tf.keep(fB);
        const advAB = this.loss.generator(sG.fakeOutput());
        const advBA = this.loss.generator(DA.apply(fA, train));
        const cycleA = meanAbsolute(F.apply(fB, train), a.x);
        const cycleB = meanAbsolute(G.apply(fA, train), b.x);
        keep('cyclegan/adversarialAB', advAB);
        keep('cyclegan/adversarialBA', advBA);
        keep('cyclegan/cycleA', cycleA);
        keep('cyclegan/cycleB', cycleB);
        let total = tf.addN([advAB, advBA, tf.mul(lam, tf.add(cycleA, cycleB))]) as tf.Scalar;
        if (lamId > 0) {
          const idA = meanAbsolute(F.apply(a.x, train), a.x);
          const idB = meanAbsolute(G.apply(b.x, train), b.x);
          keep('cyclegan/identityA', idA);
          keep('cyclegan/identityB', idB);
          total = tf.add(total, tf.mul(lamId, tf.add(idA, idB)));
        }
        return this.pluginTerms('generator', sG, total, kept);
      });
      toDispose.push(gCost, fakeA!, fakeB!);
      for (const p of this.plugins) if (p.afterGeneratorStep) tf.tidy(() => p.afterGeneratorStep!(sG));

      // 2. Both discriminators, on the fakes of step 1 (constants).
      const sD = this.makeContext('discriminator', a, b, () => fakeB!);
      const dCost = this.minimize(this.discriminatorOptimizer, this.discriminatorVariables(), () => {
        const realB = sD.realOutput();
        const fakeOutB = sD.fakeOutput();
        const realA = DA.apply(a.x, train);
        const fakeOutA = DA.apply(fakeA!, train);
        const lossB = this.loss.discriminator(realB, fakeOutB);
        const lossA = this.loss.discriminator(realA, fakeOutA);
        keep('cyclegan/discriminatorA', lossA);
        keep('cyclegan/discriminatorB', lossB);
        keep('d/real', this.mean(realB));
        keep('d/fake', this.mean(fakeOutB));
        keep('cyclegan/dRealA', this.mean(realA));
        keep('cyclegan/dFakeA', this.mean(fakeOutA));
        return this.pluginTerms('discriminator', sD, tf.add(lossA, lossB), kept);
      });
      toDispose.push(dCost);
      for (const p of this.plugins) if (p.afterDiscriminatorStep) tf.tidy(() => p.afterDiscriminatorStep!(sD));

      const names = [...kept.keys()];
      const values = tf.tidy(() => tf.stack([gCost, dCost, ...kept.values()]).dataSync());
      const terms: Record<string, number> = {};
      names.forEach((n, i) => {
        if (n !== 'd/real' && n !== 'd/fake') terms[n] = values[i + 2];
      });
      return {
        step: this.stepCount,
        discriminatorLoss: values[1],
        generatorLoss: values[0],
        dReal: values[2 + names.indexOf('d/real')],
        dFake: values[2 + names.indexOf('d/fake')],
        terms,
        metrics: {},
        seconds: 0,
      };
    } finally {
      tf.dispose(toDispose);
      tf.dispose([...kept.values()]);
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

  /** Frees both optimizers' state and every plugin (the networks belong to the caller). */
  dispose(): void {
    this.generatorOptimizer.dispose();
    this.discriminatorOptimizer.dispose();
    for (const p of this.plugins) p.dispose?.();
  }
}
