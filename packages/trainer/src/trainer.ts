import * as tf from '@tensorflow/tfjs-core';
import {
  GankitError,
  RandomSource,
  ensureGradients,
  pluginApiVersion,
  sortPlugins,
  type DataSource,
  type GanPlugin,
  type LossPair,
  type Network,
  type StepLogs,
  type TrainContext,
  type TrainInfo,
} from '@gankit/core';
import { checkPositiveInt } from './adversarial';
import { CLASSIC_KEYS, checkHooks, dataPart, resolveGame } from './check-game';
import { classicGame } from './classic';
import type { Game, LatentSampler } from './game';
import { IterationRunner } from './iteration';
import type { ResolvedPlayer } from './kernel';
import { NumericalFault, type NanGuardOptions } from './nan-guard';
import type { FitOptions, FitResult, TrainerOptions } from './options';
import { ReplicaRandomSource, checkReplica, checkReplicasAgree, type ReplicaOptions } from './replicas';
import { capture, disposeSnapshot, loadTrainerState, restore, toTrainerState } from './state';
import type { LoadStateOptions, Snapshot, StateParts, TrainerState } from './state';

/**
 * The one GAN training loop: it runs any {@link Game} (which players there are, what each generator
 * takes, each player's terms and the update schedule) with the same machinery: plugins at their
 * hooks, the numerical-fault guard ({@link NanGuardOptions}), data-parallel replicas
 * ({@link ReplicaOptions}) and an exact, checkpointable state. Given a generator, a discriminator, a
 * loss and data it runs the classic GAN ({@link classicGame}: Algorithm 1 of Goodfellow et al. 2014,
 * k discriminator updates on fresh real and fake batches, then one generator update); given
 * `game: cycleGan({...})` it runs CycleGAN. Each update changes only its player's trainable
 * variables, with the player's own optimizer.
 *
 * @example
 * ```ts
 * const trainer = new Trainer({ generator, discriminator, loss: nonSaturating, data: ringMixture() });
 * await trainer.fit({ steps: 1000 });
 * const samples = trainer.sample(500);
 * ```
 */
export class Trainer {
  /** The game this trainer runs. */
  readonly game: Game;
  /** The generator of the primary pair. */
  readonly generator: Network;
  /** The discriminator of the primary pair. */
  readonly discriminator: Network;
  /** The adversarial loss of the primary pair. */
  readonly loss: LossPair;
  /** The real data of the primary pair. */
  readonly data: DataSource;
  /** Every player's optimizer by player name. */
  readonly optimizers: Readonly<Record<string, tf.Optimizer>>;
  /** Plugins in the order their hooks run. */
  readonly plugins: readonly GanPlugin[];
  /** The run's seeded random source (noise, data order, plugin draws). */
  readonly random: RandomSource;
  /** Static facts about the run. */
  readonly info: TrainInfo;

  private readonly players: readonly ResolvedPlayer[];
  private readonly latentSampler: LatentSampler;
  private readonly runner: IterationRunner;
  private stepCount = 0;
  private setupDone = false;
  private stopReason: string | undefined;
  private fault: FitResult['fault'];
  private readonly context: TrainContext;
  private readonly guard: NanGuardOptions | undefined;
  private readonly replica: ReplicaOptions | undefined;
  private skipped = 0;

  /** Checks the options (shapes, sizes, players, plugin names and hooks) and prepares training; nothing runs yet. */
  constructor(options: TrainerOptions) {
    ensureGradients();
    if (!options || typeof options !== 'object') throw new GankitError('config', 'Trainer needs an options object');
    let game: Game;
    if (options.game !== undefined) {
      const extra = CLASSIC_KEYS.filter((k) => (options as unknown as Record<string, unknown>)[k] !== undefined);
      if (extra.length > 0) {
        throw new GankitError(
          'config',
          `Trainer options ${extra.join(', ')} describe the classic GAN; with a \`game\`, set them in the game`,
        );
      }
      game = options.game;
    } else {
      game = classicGame(options);
    }
    const batchSize = checkPositiveInt('batchSize', options.batchSize ?? game.defaultBatchSize ?? 64);
    this.players = resolveGame(game, batchSize);
    this.game = game;
    const primary = game.pairs[0];
    this.generator = game.networks[primary.generator];
    this.discriminator = game.networks[primary.discriminator];
    this.loss = primary.loss;
    this.data = game.data[primary.data];
    this.optimizers = Object.fromEntries(this.players.map((p) => [p.spec.name, p.optimizer]));
    this.plugins = sortPlugins(options.plugins ?? []);
    checkHooks(game, this.players, this.plugins);
    this.random = new RandomSource(options.seed ?? 0);
    const latentShape = [...game.latentShape];
    this.latentSampler = game.latent ?? ((n, random) => random.normal([n, ...latentShape], 0, 1, 'latent'));
    const d = this.players.find((p) => p.spec.kind === 'discriminator');
    this.info = { batchSize, discriminatorSteps: d?.steps ?? 1, latentShape, seed: this.random.seed, loss: primary.loss.name };
    this.replica = checkReplica(options.replica, batchSize);
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
    this.runner = new IterationRunner({
      game,
      players: this.players,
      plugins: this.plugins,
      versions: new Map(this.plugins.map((p) => [p, pluginApiVersion(p)])),
      random: this.random,
      pluginRandom: this.replica ? new ReplicaRandomSource(this.random, this.replica.index) : this.random,
      batchSize,
      latent: this.latentSampler,
      replica: this.replica,
      guard: this.guard,
    });
    const self = this;
    this.context = {
      get step() {
        return self.stepCount;
      },
      info: this.info,
      generator: this.generator,
      discriminator: this.discriminator,
      networks: game.networks,
      random: this.random,
      sampleLatent: (n: number) => this.sampleLatent(n),
      requestStop: (reason: string) => {
        this.stopReason = reason;
      },
    };
  }

  /** The optimizer of the first generator-side player (`generator` in the classic GAN and CycleGAN). */
  get generatorOptimizer(): tf.Optimizer {
    return (this.players.find((p) => p.spec.kind === 'generator') ?? this.players[0]).optimizer;
  }

  /** The optimizer of the first discriminator-side player. */
  get discriminatorOptimizer(): tf.Optimizer {
    return (this.players.find((p) => p.spec.kind === 'discriminator') ?? this.players[0]).optimizer;
  }

  /** Whether class labels are passed to the networks. */
  get conditional(): boolean {
    return this.game.conditional ?? false;
  }

  /** How fake batches get their labels in conditional training (see `ClassicGameOptions.fakeLabels`). */
  get fakeLabels(): 'real' | 'uniform' {
    return this.game.fakeLabels ?? 'real';
  }

  /** Picks the adversarial part of D's output (see `ClassicGameOptions.adversarialOutput`). */
  get adversarialOutput(): ((output: tf.Tensor) => tf.Tensor) | undefined {
    return this.game.adversarialOutput;
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
    // Generator-side optimizers first: the layout of every earlier checkpoint.
    const ordered = [...this.players].sort((a, b) => (a.spec.kind === b.spec.kind ? 0 : a.spec.kind === 'generator' ? -1 : 1));
    return {
      format: this.game.stateFormat,
      networks: { ...this.game.networks },
      optimizers: Object.fromEntries(ordered.map((p) => [p.spec.name, p.optimizer])),
      optimizerVariables: Object.fromEntries(ordered.map((p) => [p.spec.name, p.networks.flatMap((n) => [...n.trainableVariables])])),
      plugins: this.plugins,
      data: dataPart(this.game),
      random: this.random,
      info: this.info,
    };
  }

  /**
   * Everything needed to go on exactly from here (see {@link TrainerState} for the layout): every
   * network's variables, every optimizer's state, every plugin's state, the random source, the data
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
   * gives a `GankitError` with code `'checkpoint'` naming the entry, and the trainer is left as it
   * was. The state's tensors are copied; the caller still owns (and disposes) them. On a new
   * trainer it runs before the plugins' `setup`, which then sees the restored step.
   */
  async loadState(state: TrainerState, options: LoadStateOptions = {}): Promise<void> {
    const what = this.game.name === 'gan' ? 'trainer' : `${this.game.name} trainer`;
    const loaded = await loadTrainerState(this.parts, state, options, { step: this.stepCount, skippedSteps: this.skipped }, what);
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
    if (this.replica) checkReplicasAgree(this.replica, Object.values(this.game.networks));
    for (const p of this.plugins) await p.setup?.(this.context);
  }

  /**
   * Draws `n` inputs of the primary generator: latent vectors from the run's latent distribution,
   * or, where the generator takes another data set's examples (CycleGAN), `n` of those. The caller
   * disposes them.
   */
  sampleLatent(n: number): tf.Tensor {
    const input = this.game.pairs[0].input;
    if (input.kind === 'latent') return this.latentSampler(n, this.random);
    const b = this.game.data[input.data].nextBatch(n, this.random);
    if (b.labels) b.labels.dispose();
    return b.x;
  }

  /**
   * Generates `n` samples with the primary generator in inference mode (batch norm uses its moving
   * statistics; nothing is updated). Pass `z` to use fixed inputs.
   */
  sample(n: number, options: { z?: tf.Tensor | undefined; labels?: tf.Tensor | undefined } = {}): tf.Tensor {
    return tf.tidy(() => {
      const z = options.z ?? this.sampleLatent(n);
      return this.generator.apply(z, { training: false, labels: options.labels });
    });
  }

  /**
   * Runs one iteration: every player's updates in the game's order, then the plugins'
   * `onStepEnd`. Returns the iteration's logs.
   */
  async step(): Promise<StepLogs> {
    await this.setup();
    const t0 = performance.now();
    const guard = this.guard;
    const before: Snapshot | undefined = guard ? await capture(this.parts, this.stepCount, this.skipped, false) : undefined;
    let logs: StepLogs;
    try {
      logs = this.runner.run(this.stepCount);
    } catch (e) {
      if (!(e instanceof NumericalFault) || !before || !guard) throw e;
      await restore(this.parts, before, guard.action === 'skip');
      if (guard.action === 'stop') {
        const n = this.stepCount;
        this.fault = { iteration: n + 1, player: e.player, detail: e.detail };
        throw new GankitError(
          'numerical',
          `numerical fault in iteration ${n + 1} (${e.player} update): ${e.detail}. The update was not applied and the trainer is back in the last good state, after ${n} completed iterations (save a checkpoint now to keep it). Check the data for NaN/Inf, lower the learning rate, or use nanGuard { action: 'skip' }.`,
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

  /** Frees every player's optimizer state and every plugin (the networks belong to the caller). */
  dispose(): void {
    for (const p of this.players) p.optimizer.dispose();
    for (const p of this.plugins) p.dispose?.();
  }
}
