// The checks every game gets before training: roles, shapes, data sizes, players and optimizers.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape, type GanPlugin, type JsonValue, type Network } from '@gankit/core';
import { checkDiscriminatorOutput, checkPositiveInt, sameShape } from './adversarial';
import type { Game, PairSpec } from './game';
import type { ResolvedPlayer } from './kernel';
import type { StateParts } from './state';

function fail(message: string, code: 'config' | 'shape' | 'data' = 'config'): never {
  throw new GankitError(code, message);
}

function network(game: Game, role: string, what: string): Network {
  const n = game.networks[role];
  if (!n || typeof n.apply !== 'function') fail(`${what} names network '${role}', but game '${game.name}' has no network of that role`);
  return n;
}

function data(game: Game, key: string, what: string) {
  const d = game.data[key];
  if (!d || typeof d.nextBatch !== 'function') fail(`${what} names data '${key}', but game '${game.name}' has no data set of that key`);
  return d;
}

/** Checks one pair: its roles exist and the shapes of its networks fit its data. */
function checkPair(game: Game, pair: PairSpec): void {
  const what = `pair '${pair.name}'`;
  const g = network(game, pair.generator, what);
  const d = network(game, pair.discriminator, what);
  const real = data(game, pair.data, what);
  if (!pair.loss || typeof pair.loss.discriminator !== 'function' || typeof pair.loss.generator !== 'function') {
    fail(`${what} needs a loss pair { discriminator(real, fake), generator(fake, real) }, e.g. from @gankit/losses`);
  }
  if (!sameShape(g.outputShape, real.sampleShape)) {
    fail(
      `generator '${g.name}' outputs ${formatShape(g.outputShape)} per example but data '${real.name}' has examples of ${formatShape(real.sampleShape)}`,
      'shape',
    );
  }
  if (!sameShape(d.inputShape, real.sampleShape)) {
    fail(
      `discriminator '${d.name}' takes ${formatShape(d.inputShape)} per example but data '${real.name}' has examples of ${formatShape(real.sampleShape)}`,
      'shape',
    );
  }
  if (pair.input.kind === 'data') {
    const source = data(game, pair.input.data, what);
    if (!sameShape(g.inputShape, source.sampleShape)) {
      fail(
        `generator '${g.name}' takes ${formatShape(g.inputShape)} per example but data '${source.name}' has examples of ${formatShape(source.sampleShape)}`,
        'shape',
      );
    }
  } else if (pair.input.kind !== 'latent') {
    fail(`${what}: input must be { kind: 'latent' } or { kind: 'data', data }, got ${JSON.stringify(pair.input)}`);
  }
  checkDiscriminatorOutput(d, game.adversarialOutput !== undefined);
}

/**
 * Checks a game for a batch size and resolves its players (optimizers, networks, pairs, steps).
 * Every problem is a `GankitError` naming the part.
 * @internal
 */
export function resolveGame(game: Game, batchSize: number): ResolvedPlayer[] {
  if (!game || typeof game !== 'object' || !game.networks || !game.data || !Array.isArray(game.players) || !Array.isArray(game.pairs)) {
    fail('Trainer `game` must be a Game { name, networks, data, players, pairs, latentShape }, e.g. from classicGame() or cycleGan()');
  }
  if (game.adversarialOutput !== undefined && typeof game.adversarialOutput !== 'function') {
    fail(`adversarialOutput must be a function (output) => tensor, got ${typeof game.adversarialOutput}`);
  }
  if (game.pairs.length === 0) fail(`game '${game.name}' needs at least one generator/discriminator pair`);
  const pairNames = new Set<string>();
  for (const pair of game.pairs) {
    if (pairNames.has(pair.name)) fail(`game '${game.name}' has two pairs named '${pair.name}'`);
    pairNames.add(pair.name);
    checkPair(game, pair);
  }
  for (const d of Object.values(game.data)) {
    if (d.size === undefined) continue;
    if (d.size === 0) fail(`data set '${d.name}' is empty`, 'data');
    if (batchSize > d.size) fail(`batchSize ${batchSize} is larger than data set '${d.name}' (${d.size} examples)`);
  }
  if (game.players.length === 0) fail(`game '${game.name}' needs at least one player`);
  const names = new Set<string>();
  const optimizers = new Map<tf.Optimizer, string>();
  const players = game.players.map((spec): ResolvedPlayer => {
    const what = `player '${spec.name}'`;
    if (typeof spec.name !== 'string' || spec.name.length === 0) fail(`every player of game '${game.name}' needs a non-empty name`);
    if (names.has(spec.name)) fail(`game '${game.name}' has two players named '${spec.name}'`);
    names.add(spec.name);
    if (spec.kind !== 'discriminator' && spec.kind !== 'generator')
      fail(`${what}: kind must be 'discriminator' or 'generator', got ${JSON.stringify(spec.kind)}`);
    if (!['batch', 'inputs', 'none'].includes(spec.draw))
      fail(`${what}: draw must be 'batch', 'inputs' or 'none', got ${JSON.stringify(spec.draw)}`);
    if (!['constant', 'tape', 'previous'].includes(spec.fakes))
      fail(`${what}: fakes must be 'constant', 'tape' or 'previous', got ${JSON.stringify(spec.fakes)}`);
    const networks = spec.networks.map((role: string) => network(game, role, what));
    const side = spec.kind === 'discriminator' ? 'discriminator' : 'generator';
    const pairs = game.pairs.filter((p) => spec.networks.includes(p[side]));
    if (pairs.length === 0) fail(`${what} trains no ${side} of any pair of game '${game.name}'`);
    const stepsName = game.name === 'gan' && spec.name === 'discriminator' ? 'discriminatorSteps' : `player '${spec.name}' steps`;
    const steps = checkPositiveInt(stepsName, spec.steps ?? 1);
    const optimizer = spec.optimizer ?? tf.train.adam(2e-4, 0.5);
    const other = optimizers.get(optimizer);
    if (other !== undefined) {
      fail(
        game.name === 'gan'
          ? 'generator and discriminator need separate optimizer instances: one shared optimizer mixes their state'
          : `players '${other}' and '${spec.name}' need separate optimizer instances: one shared optimizer mixes their state`,
      );
    }
    optimizers.set(optimizer, spec.name);
    return { spec, optimizer, networks, pairs, steps };
  });
  if (players[0].spec.fakes === 'previous')
    fail(`player '${players[0].spec.name}' takes the previous update's fakes, but it is the first player`);
  return players;
}

/** Options of the classic GAN that a `game` replaces. @internal */
export const CLASSIC_KEYS = [
  'generator',
  'discriminator',
  'loss',
  'data',
  'discriminatorSteps',
  'generatorOptimizer',
  'discriminatorOptimizer',
  'latent',
  'conditional',
  'fakeLabels',
  'adversarialOutput',
] as const;

/**
 * The data of a game as one checkpointable part: the data set itself, or all of them by key.
 * @internal
 */
export function dataPart(game: Game): StateParts['data'] {
  const entries = Object.entries(game.data);
  if (entries.length === 1) return entries[0][1];
  return {
    name: entries.map(([, d]) => d.name).join('+'),
    state: () => Object.fromEntries(entries.map(([k, d]) => [k, d.state?.() ?? null])) as JsonValue,
    loadState: (s: JsonValue) => {
      const o = (s ?? {}) as Record<string, JsonValue | undefined>;
      for (const [k, d] of entries) {
        const v = o[k] ?? null;
        if (v === null) continue;
        if (!d.loadState)
          throw new GankitError('checkpoint', `the state holds a position of data ${k}, but data '${d.name}' has no loadState()`);
        d.loadState(v);
      }
    },
  };
}

/**
 * Refuses a plugin whose hook a game cannot host, naming the hook and the reason.
 * @internal
 */
export function checkHooks(game: Game, players: readonly ResolvedPlayer[], plugins: readonly GanPlugin[]): void {
  const reasons: Partial<Record<string, string>> = { ...game.unsupportedHooks };
  const multi = players.find((p) => p.spec.kind === 'generator' && p.pairs.length > 1);
  if (multi && reasons.beforeGeneratorStep === undefined) {
    reasons.beforeGeneratorStep = `player '${multi.spec.name}' of game '${game.name}' trains ${multi.pairs.length} generators at once, and the hook sees one discriminator`;
  }
  for (const p of plugins) {
    for (const [hook, why] of Object.entries(reasons)) {
      if (why !== undefined && typeof (p as unknown as Record<string, unknown>)[hook] === 'function') {
        throw new GankitError('plugin', `plugin '${p.name}' uses ${hook}, which game '${game.name}' cannot host: ${why}`);
      }
    }
  }
}
