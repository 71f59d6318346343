import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { RandomSource, DataSource, GanPlugin, Network, StepContext } from '@gankit/core';
import { cycleGan, type CycleGanGame, type CycleGanOptions } from './cyclegan';
import type { GameTrainerOptions } from './options';
import { Trainer } from './trainer';
import { gradientPenalty, weightClipping } from '@gankit/regularizers';
import { expectIdentical, mlp, snapshot } from './test-utils';

/** Anisotropic 2-D Gaussian points; domain B is domain A rotated by 90°. */
function domain(name: string, rotate: boolean): DataSource {
  return {
    name,
    sampleShape: [2],
    nextBatch(n: number, random: RandomSource) {
      return {
        x: tf.tidy(() => {
          const p = tf.mul(random.normal([n, 2], 0, 1, name), tf.tensor1d([1, 0.3]));
          return rotate
            ? tf.matMul(
                p,
                tf.tensor2d([
                  [0, 1],
                  [-1, 0],
                ]),
              )
            : p;
        }),
      };
    },
  };
}

type BuildOptions = Partial<CycleGanOptions> & Omit<Partial<GameTrainerOptions>, 'game'>;

/** A CycleGAN trainer on the 2-D domains, with its game. */
function build(opts: BuildOptions = {}, seed = 1): Trainer & { readonly cycle: CycleGanGame } {
  const { plugins, nanGuard, replica, batchSize, seed: runSeed, ...gameOptions } = opts;
  const game = cycleGan({
    generatorAB: mlp('gab', 2, 16, 2, seed),
    generatorBA: mlp('gba', 2, 16, 2, seed + 1),
    discriminatorA: mlp('da', 2, 16, 1, seed + 2),
    discriminatorB: mlp('db', 2, 16, 1, seed + 3),
    dataA: domain('A', false),
    dataB: domain('B', true),
    generatorOptimizer: tf.train.adam(1e-2, 0.5),
    discriminatorOptimizer: tf.train.adam(1e-2, 0.5),
    ...gameOptions,
  });
  const t = new Trainer({ game, batchSize: batchSize ?? 32, seed: runSeed ?? 7, plugins, nanGuard, replica });
  return Object.assign(t, { cycle: game });
}

function disposeAll(t: Trainer) {
  t.dispose();
  Object.values(t.game.networks).forEach((n: Network) => n.dispose());
}

/** Every value of a trainer's state by tensor name, and its metadata without network names. */
async function values(t: Trainer): Promise<{ tensors: Record<string, number[]>; meta: unknown }> {
  const s = await t.state();
  const tensors: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(s.tensors)) tensors[k] = Array.from(v.dataSync());
  tf.dispose(Object.values(s.tensors));
  const meta = JSON.parse(JSON.stringify(s.meta)) as { networks: Record<string, { name?: string }> };
  for (const n of Object.values(meta.networks)) delete n.name;
  return { tensors, meta };
}

describe('cycleGan: CycleGAN as a game of the one Trainer', () => {
  it('checks shapes, translates both ways, and logs every term with the paper’s weights', async () => {
    const t = build();
    const n0 = tf.memory().numTensors;
    const a = tf.ones([5, 2]);
    const ab = t.cycle.translate(a, 'AB');
    const ba = t.cycle.translate(a, 'BA');
    expect(ab.shape).toEqual([5, 2]);
    const [refAB, refBA] = [
      t.game.networks.generatorAB.apply(a, { training: false }),
      t.game.networks.generatorBA.apply(a, { training: false }),
    ];
    expect(Array.from(ab.dataSync())).toEqual(Array.from(refAB.dataSync()));
    expect(Array.from(ba.dataSync())).toEqual(Array.from(refBA.dataSync()));
    expect(Array.from(ab.dataSync())).not.toEqual(Array.from(ba.dataSync()));
    tf.dispose([a, ab, ba, refAB, refBA]);
    expect(tf.memory().numTensors).toBe(n0);
    expect(() => t.cycle.translate(tf.zeros([2, 3]), 'AB')).toThrow(/translate 'AB': expected a batch \[n, 2\], got \[2, 3\]/);
    expect(() => t.cycle.translate(tf.zeros([2, 2]), 'XY' as never)).toThrow(/direction must be 'AB' or 'BA'/);
    const logs = await t.step();
    const k = logs.terms;
    for (const term of [
      'adversarialAB',
      'adversarialBA',
      'cycleA',
      'cycleB',
      'identityA',
      'identityB',
      'discriminatorAB',
      'discriminatorBA',
      'dRealAB',
      'dFakeAB',
      'dRealBA',
      'dFakeBA',
    ]) {
      expect(Number.isFinite(k[`cyclegan/${term}`])).toBe(true);
    }
    expect([t.cycle.cycleWeight, t.cycle.identityWeight, t.loss.name, t.info.batchSize]).toEqual([10, 5, 'least-squares', 32]);
    expect([logs.dReal, logs.dFake]).toEqual([k['cyclegan/dRealAB'], k['cyclegan/dFakeAB']]);
    const g =
      k['cyclegan/adversarialAB'] +
      k['cyclegan/adversarialBA'] +
      10 * (k['cyclegan/cycleA'] + k['cyclegan/cycleB']) +
      5 * (k['cyclegan/identityA'] + k['cyclegan/identityB']);
    expect(logs.generatorLoss).toBeCloseTo(g, 4);
    expect(logs.discriminatorLoss).toBeCloseTo(k['cyclegan/discriminatorAB'] + k['cyclegan/discriminatorBA'], 5);
    disposeAll(t);

    const bad = (o: BuildOptions) => () => build(o);
    expect(bad({ generatorAB: mlp('g3', 3, 4, 2, 1) })).toThrow(
      /generator 'g3' takes \[3\] per example but data 'A' has examples of \[2\]/,
    );
    expect(bad({ discriminatorB: mlp('d2', 2, 4, 2, 1) })).toThrow(/discriminator 'd2' outputs \[2\] per example/);
    expect(bad({ cycleWeight: -1 })).toThrow(/cycleWeight must be a finite number >= 0, got -1/);
    const unsupported: GanPlugin = { name: 'u', beforeGeneratorStep: () => undefined };
    expect(bad({ plugins: [unsupported] })).toThrow(
      /plugin 'u' uses beforeGeneratorStep, which game 'cyclegan' cannot host: player 'generator' of game 'cyclegan' trains 2 generators at once/,
    );
  });

  it('the generator phase moves only the generators and the discriminator phase only the discriminators', async () => {
    const t1 = build({ generatorOptimizer: tf.train.sgd(0.1), discriminatorOptimizer: tf.train.sgd(0) });
    const n1 = t1.game.networks;
    const d0 = [...snapshot(n1.discriminatorA), ...snapshot(n1.discriminatorB)];
    const g0 = [snapshot(n1.generatorAB), snapshot(n1.generatorBA)];
    await t1.fit({ steps: 2 });
    expectIdentical([...snapshot(n1.discriminatorA), ...snapshot(n1.discriminatorB)], d0);
    expect(() => expectIdentical(snapshot(n1.generatorAB), g0[0])).toThrow();
    expect(() => expectIdentical(snapshot(n1.generatorBA), g0[1])).toThrow();
    disposeAll(t1);
    const t2 = build({ generatorOptimizer: tf.train.sgd(0), discriminatorOptimizer: tf.train.sgd(0.1) });
    const n2 = t2.game.networks;
    const g1 = [...snapshot(n2.generatorAB), ...snapshot(n2.generatorBA)];
    const d1 = [snapshot(n2.discriminatorA), snapshot(n2.discriminatorB)];
    await t2.fit({ steps: 2 });
    expectIdentical([...snapshot(n2.generatorAB), ...snapshot(n2.generatorBA)], g1);
    expect(() => expectIdentical(snapshot(n2.discriminatorA), d1[0])).toThrow();
    expect(() => expectIdentical(snapshot(n2.discriminatorB), d1[1])).toThrow();
    disposeAll(t2);
  });

  it('plugins see every pair: loss hooks run once per pair, per-update hooks see the A→B pair and all pairs', async () => {
    const seen: string[] = [];
    const plugin: GanPlugin = {
      name: 'p',
      apiVersion: 3,
      setup: (ctx) => void seen.push(`setup:${Object.keys(ctx.networks).join(',')}:${ctx.generator.name}/${ctx.discriminator.name}`),
      generatorLoss: (s: StepContext) => {
        seen.push(`g:${s.generator.name}/${s.discriminator.name}:${s.fake().shape}:${s.batch.x.shape}`);
        return { zero: tf.mul(0, tf.sum(s.fakeOutput())) as tf.Scalar };
      },
      discriminatorLoss: (s: StepContext) => {
        seen.push(`d:${s.pair}:${s.discriminator.name}:${s.networks.discriminatorA.name}`);
        return { one: tf.scalar(1) };
      },
      afterDiscriminatorStep: (s: StepContext) => void seen.push(`after:${s.player}:${s.pairs.map((p) => p.discriminator.name).join(',')}`),
    };
    const t = build({ plugins: [plugin] });
    const logs = await t.step();
    expect(seen).toEqual([
      'setup:generatorAB,generatorBA,discriminatorA,discriminatorB:gab/db',
      'g:gab/db:32,2:32,2',
      'g:gba/da:32,2:32,2',
      'd:AB:db:da',
      'd:BA:da:da',
      'after:discriminator:db,da',
    ]);
    expect([logs.terms['p/AB/one'], logs.terms['p/BA/one']]).toEqual([1, 1]);
    expect(logs.discriminatorLoss).toBeCloseTo(logs.terms['cyclegan/discriminatorAB'] + logs.terms['cyclegan/discriminatorBA'] + 2, 5);
    disposeAll(t);
  });

  it('learns: the cycle-consistency loss falls on 2-D points (B = A rotated by 90°) within 150 steps, leak-free', async () => {
    const t = build();
    await t.step();
    const n0 = tf.memory().numTensors;
    const cycle: number[] = [];
    await t.fit({ steps: 150, onStep: (l) => void cycle.push(l.terms['cyclegan/cycleA'] + l.terms['cyclegan/cycleB']) });
    expect(tf.memory().numTensors).toBe(n0);
    const avg = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const early = avg(cycle.slice(0, 10));
    const late = avg(cycle.slice(-10));
    expect(early).toBeGreaterThan(0.3);
    expect(late).toBeLessThan(early / 4);
    disposeAll(t);
  });

  it('state() and loadState() cover all four networks, both optimizers and both data positions: an exact resume', async () => {
    const t = build();
    await t.fit({ steps: 4 });
    const s = await t.state();
    expect(Object.keys((s.meta as { networks: object }).networks)).toEqual([
      'generatorAB',
      'generatorBA',
      'discriminatorA',
      'discriminatorB',
    ]);
    expect((s.meta as { format: string }).format).toBe('gankit-cyclegan-state');
    const fresh = build({}, 50); // other initial weights
    const n0 = tf.memory().numTensors;
    await fresh.loadState(s);
    // The only new tensors are the optimizers' slot variables, created by the load.
    expect(tf.memory().numTensors).toBe(n0 + Object.keys(s.tensors).filter((k) => k.includes('/slots/')).length);
    tf.dispose(Object.values(s.tensors));
    expect(await values(fresh)).toEqual(await values(t));
    await t.fit({ steps: 3 });
    await fresh.fit({ steps: 3 });
    expect(await values(fresh)).toEqual(await values(t));
    expect(fresh.iteration).toBe(7);
    // A trainer state is not a CycleGAN state.
    const bad = { tensors: {}, meta: { ...(s.meta as object), format: 'gankit-trainer-state' } };
    await expect(fresh.loadState(bad as never)).rejects.toThrow(/meta.format is "gankit-trainer-state", expected 'gankit-cyclegan-state'/);
    disposeAll(t);
    disposeAll(fresh);
  });

  it('has the NaN guard of every run: a NaN batch of B in iteration 3 stops in exactly the state of a clean 2-iteration run', async () => {
    const poisoned = (name: string, at: number): DataSource => {
      const base = domain(name, true);
      let calls = 0;
      return {
        ...base,
        nextBatch(n: number, random: RandomSource) {
          const b = base.nextBatch(n, random);
          if (++calls !== at) return b;
          const x = tf.mul(b.x, NaN);
          b.x.dispose();
          return { x };
        },
      };
    };
    const t = build({ dataB: poisoned('B', 3), nanGuard: { action: 'stop' } });
    const fit = await t.fit({ steps: 5 });
    expect(fit.steps).toBe(2);
    expect(fit.fault).toMatchObject({ iteration: 3, player: 'generator' });
    expect(fit.fault?.detail).toMatch(/the generator loss is NaN/);
    const clean = build();
    await clean.fit({ steps: 2 });
    expect(await values(t)).toEqual(await values(clean));
    disposeAll(t);
    disposeAll(clean);
    // 'skip' goes on, leak-free, and counts the skipped iteration.
    const s = build({ dataB: poisoned('B', 2), nanGuard: { action: 'skip' } });
    await s.step();
    const n0 = tf.memory().numTensors;
    const logs = await s.fit({ steps: 3 });
    expect(tf.memory().numTensors).toBe(n0);
    expect([s.iteration, s.skippedSteps, logs.last?.metrics['nanGuard/skippedSteps']]).toEqual([4, 1, 1]);
    disposeAll(s);
  });

  it('regularises both discriminators: a gradient penalty adds a term per pair, weight clipping clips D_A and D_B', async () => {
    const t = build({ plugins: [gradientPenalty({ lambda: 10 }), weightClipping({ c: 0.05 })] });
    const logs = await t.step();
    const ab = logs.terms['gradient-penalty/AB/penalty'];
    const ba = logs.terms['gradient-penalty/BA/penalty'];
    expect(ab).toBeGreaterThan(0);
    expect(ba).toBeGreaterThan(0);
    expect(ab).not.toBe(ba);
    for (const role of ['discriminatorA', 'discriminatorB']) {
      const w = t.game.networks[role].trainableVariables.flatMap((v) => Array.from(v.dataSync()));
      expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(0.05 + 1e-7);
    }
    // The generators are not clipped.
    const g = t.game.networks.generatorAB.trainableVariables.flatMap((v) => Array.from(v.dataSync()));
    expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(0.05);
    disposeAll(t);
  });
});
