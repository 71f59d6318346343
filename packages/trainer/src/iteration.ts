// The synchronous body of one iteration of any game: draws, fakes, each player's updates with the
// plugins' hooks, the numerical-fault check and the replicas' all-reduce, and the logged values.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, type Batch, type StepContext, type StepLogs } from '@gankit/core';
import { outputMean } from './adversarial';
import { type Draws, drawBatches, drawInputs, inputOf } from './draws';
import type { UpdateContext } from './game';
import { type FakeHolder, type KernelParts, type PairContext, type ResolvedPlayer, pluginContext } from './kernel';
import { NumericalFault, findFault } from './nan-guard';
import { reduceGradients, reduceNonTrainable } from './replicas';
import { adversarialPart, pairContext, runHooks, transformFakes } from './step-context';

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
    if (spec.draw === 'batch' || !draws.batches) drawBatches(this.k, draws);
    if (spec.draw !== 'none' || draws.inputs.size === 0) drawInputs(this.k, player.pairs, draws);
    const batches = draws.batches as Record<string, Batch>;
    const holders = new Map<string, FakeHolder>();
    const inputs = new Map(player.pairs.map((pair) => [pair.name, inputOf(pair, draws)]));
    for (const pair of player.pairs) {
      const input = inputs.get(pair.name) as ReturnType<typeof inputOf>;
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
      pairContext(
        this.k,
        step,
        player,
        r,
        pair,
        batches,
        (inputs.get(pair.name) as ReturnType<typeof inputOf>).z,
        holders.get(pair.name) as FakeHolder,
      ),
    );
    const pairsView = Object.freeze(contexts.map((c) => c.context));
    for (const c of contexts) (c.context as { pairs: readonly StepContext[] }).pairs = pairsView;
    const first = contexts[0].context;
    if (spec.fakes !== 'tape') for (const c of contexts) transformFakes(this.k, c.context, c.holder, draws.toDispose);
    if (spec.kind === 'generator')
      runHooks(
        this.k,
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
    runHooks(this.k, spec.kind === 'discriminator' ? 'afterDiscriminatorStep' : 'afterGeneratorStep', first, []);
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
            const realOut = adversarialPart(this.k, s.realOutput(), c.pair);
            const fakeOut = adversarialPart(this.k, s.fakeOutput(), c.pair);
            if (lastRepeat) {
              // Each mean once; the primary pair's are also the logs' dReal and dFake (readLogs).
              const [realName, fakeName] = meanNames(game, c.pair);
              keepLog(realName, outputMean(loss, realOut));
              keepLog(fakeName, outputMean(loss, fakeOut));
            }
            value = loss.discriminator(realOut, fakeOut);
            if (multi) keepLog(`${game.name}/discriminator${c.pair.name}`, value);
          } else {
            const fakeOut = adversarialPart(this.k, s.fakeOutput(), c.pair);
            value = loss.generator(fakeOut, loss.generatorUsesReal ? adversarialPart(this.k, s.realOutput(), c.pair) : undefined);
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
    const [realName, fakeName] = meanNames(this.k.game, this.k.game.pairs[0]);
    return {
      step,
      discriminatorLoss: byName.get('dLoss') ?? NaN,
      generatorLoss: byName.get('gLoss') ?? NaN,
      dReal: byName.get(realName) ?? NaN,
      dFake: byName.get(fakeName) ?? NaN,
      terms,
      metrics: {},
      seconds: 0,
    };
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
      tf.tidy(() => adversarialPart(this.k, game.networks[pair.discriminator].apply(batch.x, { training: false, labels }), pair));
    }
    this.selectorChecked = true;
  }
}

/**
 * The log names of a pair's mean discriminator outputs: `d/real` and `d/fake` (the logs' `dReal`
 * and `dFake`) in a one-pair game; `<game>/dReal<pair>` and `<game>/dFake<pair>` with several pairs.
 */
function meanNames(game: KernelParts['game'], pair: KernelParts['game']['pairs'][number]): [string, string] {
  return game.pairs.length > 1 ? [`${game.name}/dReal${pair.name}`, `${game.name}/dFake${pair.name}`] : ['d/real', 'd/fake'];
}
