// The synchronous body of one iteration of any game: draws, fakes, each player's updates with the
// plugins' hooks, the numerical-fault check and the replicas' all-reduce, and the logged values.
import * as tf from '@tensorflow/tfjs-core';
import {
  GankitError,
  formatShape,
  type Batch,
  type GanPlugin,
  type LossPair,
  type Network,
  type RandomSource,
  type StepContext,
  type StepLogs,
  PLUGIN_API_VERSION,
  stepContextFor,
} from '@gankit/core';
import { outputMean, sameShape, sampleUniformLabels, selectAdversarial } from './adversarial';
import type { Game, LatentSampler, PairSpec, PlayerSpec, UpdateContext } from './game';
import { NumericalFault, findFault, type NanGuardOptions } from './nan-guard';
import { reduceGradients, reduceNonTrainable, shard, type ReplicaOptions } from './replicas';

/** A player with its optimizer and the pairs it trains. @internal */
export interface ResolvedPlayer {
  readonly spec: PlayerSpec;
  readonly optimizer: tf.Optimizer;
  readonly networks: readonly Network[];
  /** Pairs whose discriminator (discriminator side) or generator (generator side) it trains. */
  readonly pairs: readonly PairSpec[];
  readonly steps: number;
}

/** What the iteration runner needs of its trainer. @internal */
export interface KernelParts {
  readonly game: Game;
  readonly players: readonly ResolvedPlayer[];
  readonly plugins: readonly GanPlugin[];
  readonly versions: ReadonlyMap<GanPlugin, number>;
  readonly random: RandomSource;
  readonly pluginRandom: RandomSource;
  readonly batchSize: number;
  readonly latent: LatentSampler;
  readonly replica: ReplicaOptions | undefined;
  readonly guard: NanGuardOptions | undefined;
}

/** The fake batch of one pair in one update, as its step context sees it. @internal */
export interface FakeHolder {
  /** The fake examples once made (`null` until then). */
  x: tf.Tensor | null;
  /** Their labels in conditional games. */
  labels: tf.Tensor1D | undefined;
  /** Makes the fakes (the generator's forward pass) on first use. */
  make: () => tf.Tensor;
  /** Set while a hook runs that must not make or read the fakes. */
  blocked?: string | undefined;
}

/** A pair's generator input in one update. */
interface PairInput {
  z: tf.Tensor;
  labels: tf.Tensor1D | undefined;
}

/** The state of one iteration in progress. */
interface Draws {
  batches: Record<string, Batch> | undefined;
  inputs: Map<string, PairInput>;
  previousFakes: Map<string, { x: tf.Tensor; labels: tf.Tensor1D | undefined }>;
  toDispose: tf.Tensor[];
}

/** Logged scalars of a player's last update. */
interface PlayerLogs {
  cost: tf.Scalar | undefined;
  kept: Map<string, tf.Scalar>;
}

/** Runs the iterations of a game. @internal */
export class IterationRunner {
  private selectorChecked = false;

  constructor(private readonly k: KernelParts) {}

  /** One iteration: every player's updates in order, then the logged values (no onStepEnd). */
  run(step: number): StepLogs {
    const draws: Draws = { batches: undefined, inputs: new Map(), previousFakes: new Map(), toDispose: [] };
    const logs = new Map<string, PlayerLogs>();
    const { players } = this.k;
    try {
      for (let pi = 0; pi < players.length; pi++) {
        const player = players[pi];
        const own: PlayerLogs = { cost: undefined, kept: new Map() };
        logs.set(player.spec.name, own);
        for (let r = 0; r < player.steps; r++) {
          const lastOfIteration = pi === players.length - 1 && r === player.steps - 1;
          this.update(step, player, r, r === player.steps - 1, lastOfIteration, draws, own);
        }
      }
      return this.readLogs(step, logs);
    } catch (e) {
      if (e instanceof NumericalFault && e.phase === 'generator') {
        const d = players.find((p) => p.spec.kind === 'discriminator');
        const cost = d ? logs.get(d.spec.name)?.cost : undefined;
        if (cost && !cost.isDisposed) e.otherLoss = cost.dataSync()[0];
      }
      throw e;
    } finally {
      tf.dispose(draws.toDispose);
      for (const l of logs.values()) {
        tf.dispose([...l.kept.values()]);
        l.cost?.dispose();
      }
    }
  }

  /** One update of one player. */
  private update(
    step: number,
    player: ResolvedPlayer,
    r: number,
    lastRepeat: boolean,
    lastOfIteration: boolean,
    draws: Draws,
    own: PlayerLogs,
  ): void {
    const { game } = this.k;
    const spec = player.spec;
    if (spec.draw === 'batch' || !draws.batches) this.drawBatches(draws);
    if (spec.draw !== 'none' || draws.inputs.size === 0) this.drawInputs(player.pairs, draws);
    const batches = draws.batches as Record<string, Batch>;
    const holders = new Map<string, FakeHolder>();
    for (const pair of player.pairs) {
      const input = this.inputOf(pair, draws);
      const g = game.networks[pair.generator];
      if (spec.fakes === 'constant') {
        // The generator's forward pass runs outside the gradient tape: the fakes are constants.
        const x = tf.tidy(() => g.apply(input.z, { training: true, labels: input.labels }));
        draws.toDispose.push(x);
        holders.set(pair.name, { x, labels: input.labels, make: () => x });
      } else if (spec.fakes === 'previous') {
        const prev = draws.previousFakes.get(pair.name);
        if (!prev) {
          throw new GankitError(
            'config',
            `player '${spec.name}' takes the previous update's fakes of pair '${pair.name}', but no earlier update made them`,
          );
        }
        holders.set(pair.name, { x: prev.x, labels: prev.labels, make: () => prev.x });
      } else {
        holders.set(pair.name, { x: null, labels: input.labels, make: () => g.apply(input.z, { training: true, labels: input.labels }) });
      }
    }
    if (!this.selectorChecked) this.checkSelector(batches);
    const contexts = player.pairs.map((pair) =>
      this.pairContext(step, player, r, pair, batches, this.inputOf(pair, draws).z, holders.get(pair.name) as FakeHolder),
    );
    const pairsView = Object.freeze(contexts.map((c) => c.context));
    for (const c of contexts) (c.context as { pairs: readonly StepContext[] }).pairs = pairsView;
    const first = contexts[0].context;
    if (spec.fakes !== 'tape') for (const c of contexts) this.transformFakes(c.context, c.holder, draws.toDispose);
    if (spec.kind === 'generator')
      this.runHooks(
        'beforeGeneratorStep',
        first,
        contexts.map((c) => c.holder),
      );
    // Only the last update of a player is logged: drop the previous update's scalars.
    own.cost?.dispose();
    own.cost = undefined;
    tf.dispose([...own.kept.values()]);
    own.kept.clear();
    const vars = player.networks.flatMap((n) => [...n.trainableVariables]);
    own.cost = this.minimize(step, player, contexts, batches, vars, lastRepeat, own.kept, draws);
    if (lastOfIteration) reduceNonTrainable(this.k.replica, Object.values(game.networks));
    this.runHooks(spec.kind === 'discriminator' ? 'afterDiscriminatorStep' : 'afterGeneratorStep', first, []);
    draws.previousFakes = new Map(contexts.map((c) => [c.pair.name, { x: c.holder.x as tf.Tensor, labels: c.holder.labels }]));
  }

  /** Computes a player's loss and gradients (adversarial terms, its own terms, plugin terms), checks and applies them. */
  private minimize(
    step: number,
    player: ResolvedPlayer,
    contexts: PairContext[],
    batches: Record<string, Batch>,
    vars: tf.Variable[],
    lastRepeat: boolean,
    kept: Map<string, tf.Scalar>,
    draws: Draws,
  ): tf.Scalar {
    const { game, guard, replica } = this.k;
    const spec = player.spec;
    const multi = game.pairs.length > 1;
    const hook = spec.kind === 'discriminator' ? 'discriminatorLoss' : 'generatorLoss';
    let base: tf.Scalar | undefined;
    const termNames: string[] = [];
    const keepLog = (name: string, t: tf.Scalar) => kept.set(name, tf.keep(t));
    let computed: { value: tf.Scalar; grads: tf.NamedTensorMap };
    try {
      computed = player.optimizer.computeGradients(() => {
        const adversarial: tf.Scalar[] = [];
        if (spec.fakes === 'tape') {
          for (const c of contexts) {
            const x = c.context.fake();
            // Fakes made in the scope are kept for a later player that takes them as constants.
            if (this.laterTakesPrevious(player)) draws.toDispose.push(tf.keep(x));
          }
        }
        for (const c of contexts) {
          const s = c.context;
          const loss = c.pair.loss;
          let value: tf.Scalar;
          if (spec.kind === 'discriminator') {
            const realOut = this.adversarial(s.realOutput(), c.pair);
            const fakeOut = this.adversarial(s.fakeOutput(), c.pair);
            if (lastRepeat) {
              const primary = c.pair === game.pairs[0];
              if (primary) {
                keepLog('d/real', outputMean(loss, realOut));
                keepLog('d/fake', outputMean(loss, fakeOut));
              }
              if (multi) {
                keepLog(`${game.name}/dReal${c.pair.name}`, outputMean(loss, realOut));
                keepLog(`${game.name}/dFake${c.pair.name}`, outputMean(loss, fakeOut));
              }
            }
            value = loss.discriminator(realOut, fakeOut);
            if (multi) keepLog(`${game.name}/discriminator${c.pair.name}`, value);
          } else {
            const fakeOut = this.adversarial(s.fakeOutput(), c.pair);
            value = loss.generator(fakeOut, loss.generatorUsesReal ? this.adversarial(s.realOutput(), c.pair) : undefined);
            if (multi) keepLog(`${game.name}/adversarial${c.pair.name}`, value);
          }
          adversarial.push(value);
        }
        let total = adversarial.reduce((a, b) => tf.add(a, b));
        if (spec.loss) {
          const own = spec.loss(this.updateContext(step, spec.name, batches, contexts));
          for (const t of own.terms) total = tf.add(total, t);
          for (const [key, t] of Object.entries(own.logs ?? {})) keepLog(`${game.name}/${key}`, t);
        }
        // A copy: without plugin terms `total` is the cost itself, which goes on to the update.
        if (guard) base = tf.keep(tf.clone(total));
        for (const p of this.k.plugins) {
          const fn = p[hook];
          if (!fn) continue;
          for (const c of contexts) {
            const terms = fn.call(p, pluginContext(c.context, p, this.k.versions));
            if (!terms) continue;
            for (const [key, value] of Object.entries(terms)) {
              if (!(value instanceof tf.Tensor) || value.rank !== 0) {
                throw new GankitError('plugin', `plugin '${p.name}' returned ${spec.kind} term '${key}' that is not a scalar tensor`);
              }
              const name = multi ? `${p.name}/${c.pair.name}/${key}` : `${p.name}/${key}`;
              kept.set(name, tf.keep(value));
              termNames.push(name);
              total = tf.add(total, value);
            }
          }
        }
        return total;
      }, vars);
    } catch (e) {
      base?.dispose();
      throw e;
    }
    let { value: cost, grads } = computed;
    if (replica) ({ cost, grads } = reduceGradients(replica, cost, grads, vars));
    if (guard) {
      let fault: NumericalFault | null;
      try {
        const lossName = game.pairs.length === 1 ? `${game.pairs[0].loss.name} loss` : `${spec.name} loss before plugin terms`;
        const named: [string, tf.Scalar][] = [
          [lossName, base as tf.Scalar],
          ...termNames.map((n): [string, tf.Scalar] => [n, kept.get(n) as tf.Scalar]),
        ];
        fault = findFault(spec.kind, spec.name, cost, grads, vars, named, guard.checkGradients ?? false, replica !== undefined);
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
    player.optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name] as tf.Tensor })));
    tf.dispose(grads);
    return cost;
  }

  /** Whether a player after this one takes this one's fakes. */
  private laterTakesPrevious(player: ResolvedPlayer): boolean {
    const i = this.k.players.indexOf(player);
    return this.k.players[i + 1]?.spec.fakes === 'previous';
  }

  private updateContext(step: number, player: string, batches: Record<string, Batch>, contexts: PairContext[]): UpdateContext {
    return {
      step,
      player,
      networks: this.k.game.networks,
      batches,
      pairs: contexts.map((c) => c.context),
      pair: (name: string) => {
        const c = contexts.find((x) => x.pair.name === name);
        if (!c) throw new GankitError('config', `player '${player}' trains no pair named '${name}'`);
        return c.context;
      },
    };
  }

  /** Reads every logged scalar at once and makes the iteration's logs. */
  private readLogs(step: number, logs: Map<string, PlayerLogs>): StepLogs {
    const { players, replica } = this.k;
    const d = players.find((p) => p.spec.kind === 'discriminator');
    const g = players.find((p) => p.spec.kind === 'generator');
    const names: string[] = [];
    const scalars: tf.Scalar[] = [];
    for (const p of players) {
      const l = logs.get(p.spec.name) as PlayerLogs;
      names.push(p === d ? 'dLoss' : p === g ? 'gLoss' : `${p.spec.name}/loss`);
      scalars.push(l.cost as tf.Scalar);
    }
    for (const p of players) {
      for (const [n, t] of (logs.get(p.spec.name) as PlayerLogs).kept) {
        names.push(n);
        scalars.push(t);
      }
    }
    const values = (tf.tidy(() => tf.stack(scalars).dataSync()) as Float32Array).slice();
    // Losses are already means over the replicas; the other logged values are made so here.
    if (replica) replica.allReduceMean(values);
    const byName = new Map(names.map((n, i) => [n, values[i]]));
    const terms: Record<string, number> = {};
    for (const n of names) if (n !== 'dLoss' && n !== 'gLoss' && n !== 'd/real' && n !== 'd/fake') terms[n] = byName.get(n) as number;
    return {
      step,
      discriminatorLoss: byName.get('dLoss') ?? NaN,
      generatorLoss: byName.get('gLoss') ?? NaN,
      dReal: byName.get('d/real') ?? NaN,
      dFake: byName.get('d/fake') ?? NaN,
      terms,
      metrics: {},
      seconds: 0,
    };
  }

  /** Runs a per-update hook of every plugin on the first pair's context (fakes blocked before a generator update). */
  private runHooks(
    hook: 'beforeGeneratorStep' | 'afterDiscriminatorStep' | 'afterGeneratorStep',
    s: StepContext,
    holders: FakeHolder[],
  ): void {
    for (const p of this.k.plugins) {
      const fn = p[hook];
      if (!fn) continue;
      for (const h of holders) h.blocked = `plugin '${p.name}''s ${hook}`;
      try {
        tf.tidy(() => fn.call(p, pluginContext(s, p, this.k.versions)));
      } finally {
        for (const h of holders) h.blocked = undefined;
      }
    }
  }

  /** Runs the plugins' transformFakes hooks in order on one pair's fakes before a discriminator update. */
  private transformFakes(s: StepContext, fakes: FakeHolder, toDispose: tf.Tensor[]): void {
    for (const p of this.k.plugins) {
      if (!p.transformFakes) continue;
      const before: Batch = { x: fakes.x as tf.Tensor, labels: fakes.labels };
      fakes.blocked = `plugin '${p.name}''s transformFakes`;
      let out: Partial<Batch>;
      try {
        out = tf.tidy(() => {
          const r = p.transformFakes?.(before, pluginContext(s, p, this.k.versions));
          return (r?.labels ? { x: r.x, labels: r.labels } : { x: r?.x }) as unknown as tf.TensorContainer;
        }) as unknown as Partial<Batch>;
      } finally {
        fakes.blocked = undefined;
      }
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

  /** The adversarial part of a discriminator output (checked). */
  private adversarial(output: tf.Tensor, pair: PairSpec): tf.Tensor {
    return selectAdversarial(this.k.game.adversarialOutput, output, this.k.game.networks[pair.discriminator].name);
  }

  /**
   * Checks `adversarialOutput` once on the primary discriminator's inference-mode output for a real
   * batch, outside any gradient tape: an exception inside the tape would leak the tensors tfjs
   * saved for the backward pass.
   */
  private checkSelector(batches: Record<string, Batch>): void {
    const { game } = this.k;
    if (game.adversarialOutput) {
      const pair = game.pairs[0];
      const batch = batches[pair.data];
      const labels = game.conditional ? batch.labels : undefined;
      tf.tidy(() => this.adversarial(game.networks[pair.discriminator].apply(batch.x, { training: false, labels }), pair));
    }
    this.selectorChecked = true;
  }

  /** Draws a fresh batch of every data set of the game, checked and sharded. */
  private drawBatches(draws: Draws): void {
    const { game, batchSize, random, replica } = this.k;
    const batches: Record<string, Batch> = {};
    for (const [key, data] of Object.entries(game.data)) {
      const batch = data.nextBatch(batchSize, random);
      const shape = batch.x.shape;
      if (shape[0] !== batchSize || !sameShape(shape.slice(1), data.sampleShape)) {
        tf.dispose([batch.x, batch.labels as tf.Tensor]);
        throw new GankitError(
          'shape',
          `data '${data.name}' returned a batch of ${formatShape(shape)}, expected ${formatShape([batchSize, ...data.sampleShape])}`,
        );
      }
      if (batch.x.dtype !== 'float32') {
        tf.dispose([batch.x, batch.labels as tf.Tensor]);
        throw new GankitError('dtype', `data '${data.name}' returned a batch of dtype ${batch.x.dtype}, expected float32`);
      }
      if (game.conditional && !batch.labels && game.pairs.some((p) => p.data === key && p.input.kind === 'latent')) {
        tf.dispose(batch.x);
        throw new GankitError('data', `conditional training needs labels, but data '${data.name}' returned a batch without them`);
      }
      const b: Batch = replica
        ? { ...batch, x: shard(replica, batch.x), labels: batch.labels ? shard(replica, batch.labels) : undefined }
        : batch;
      draws.toDispose.push(b.x);
      if (b.labels) draws.toDispose.push(b.labels);
      batches[key] = b;
    }
    draws.batches = batches;
  }

  /** Draws fresh latent points (and fake labels) for the pairs with latent input. */
  private drawInputs(pairs: readonly PairSpec[], draws: Draws): void {
    const { game, batchSize, random, replica, latent } = this.k;
    const batches = draws.batches as Record<string, Batch>;
    for (const pair of pairs) {
      if (pair.input.kind !== 'latent') continue;
      const z = shard(replica, latent(batchSize, random));
      draws.toDispose.push(z);
      let labels: tf.Tensor1D | undefined;
      if (game.conditional) {
        const real = batches[pair.data].labels;
        if (game.fakeLabels === 'uniform') {
          labels = shard(replica, sampleUniformLabels(batchSize, game.data[pair.data].numClasses as number, random));
          draws.toDispose.push(labels);
        } else {
          labels = real;
        }
      }
      draws.inputs.set(pair.name, { z, labels });
    }
  }

  /** A pair's generator input: its latent draw, or the examples of its input data set. */
  private inputOf(pair: PairSpec, draws: Draws): PairInput {
    if (pair.input.kind === 'data') return { z: (draws.batches as Record<string, Batch>)[pair.input.data].x, labels: undefined };
    return draws.inputs.get(pair.name) as PairInput;
  }

  /** The step context of one pair in one update. */
  private pairContext(
    step: number,
    player: ResolvedPlayer,
    r: number,
    pair: PairSpec,
    batches: Record<string, Batch>,
    z: tf.Tensor,
    holder: FakeHolder,
  ): PairContext {
    const { game, plugins, versions } = this.k;
    const batch = batches[pair.data];
    const labels = game.conditional && pair.input.kind === 'latent' ? batch.labels : undefined;
    const d = game.networks[pair.discriminator];
    let realOut: tf.Tensor | undefined;
    let fakeOut: tf.Tensor | undefined;
    const discriminate = (x: tf.Tensor, l: tf.Tensor | undefined = labels) => d.apply(x, { training: true, labels: l });
    const fake = (): tf.Tensor => {
      if (holder.blocked) throw new GankitError('plugin', `s.fake() and s.fakeOutput() cannot be called in ${holder.blocked}`);
      if (holder.x === null) holder.x = holder.make();
      return holder.x;
    };
    const transformInput = (x: tf.Tensor, source: 'real' | 'fake'): tf.Tensor => {
      for (const p of plugins) {
        if (!p.transformDiscriminatorInput) continue;
        const out = p.transformDiscriminatorInput(x, pluginContext(context, p, versions), source);
        if (!(out instanceof tf.Tensor) || out.dtype !== x.dtype || !sameShape(out.shape, x.shape)) {
          const got = out instanceof tf.Tensor ? `${formatShape(out.shape)} ${out.dtype}` : typeof out;
          throw new GankitError(
            'plugin',
            `plugin '${p.name}''s transformDiscriminatorInput returned ${got} for the ${source} batch, expected ${formatShape(x.shape)} ${x.dtype}`,
          );
        }
        x = out;
      }
      return x;
    };
    const context: StepContext = {
      step,
      phase: player.spec.kind,
      player: player.spec.name,
      pair: pair.name,
      pairs: [],
      discriminatorStep: player.spec.kind === 'discriminator' ? r : 0,
      batch,
      z,
      generator: game.networks[pair.generator],
      discriminator: d,
      networks: game.networks,
      random: this.k.pluginRandom,
      get fakeLabels() {
        return holder.labels;
      },
      loss: pair.loss as LossPair,
      adversarial: (output: tf.Tensor) => this.adversarial(output, pair),
      fake,
      realOutput: () => (realOut ??= discriminate(transformInput(batch.x, 'real'))),
      fakeOutput: () => (fakeOut ??= discriminate(transformInput(fake(), 'fake'), holder.labels)),
      discriminate,
    };
    return { pair, holder, context };
  }
}

/** A pair's step context with what the runner keeps beside it. */
interface PairContext {
  readonly pair: PairSpec;
  readonly holder: FakeHolder;
  readonly context: StepContext;
}

/** The step context a plugin sees: fields newer than its contract version refuse to be read. */
function pluginContext(s: StepContext, p: GanPlugin, versions: ReadonlyMap<GanPlugin, number>): StepContext {
  return stepContextFor(s, p, versions.get(p) ?? PLUGIN_API_VERSION);
}
