import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { GankitError, networkVariables } from '@gankit/core';
import type { GanPlugin, JsonValue } from '@gankit/core';
import type { TrainerState } from './state';
import { Trainer } from './trainer';
import { buildTrainer, disposeTrainer, expectSameState, stateValues } from './test-model';
import { gaussian1d, mlp, nonSaturating } from './test-utils';

function disposeState(s: TrainerState): void {
  tf.dispose(Object.values(s.tensors));
}

/** A copy of a state whose tensors and metadata can be edited without touching the original. */
function editable(s: TrainerState): { tensors: tf.NamedTensorMap; meta: Record<string, any> } {
  return { tensors: { ...s.tensors }, meta: JSON.parse(JSON.stringify(s.meta)) };
}

describe('Trainer.state / loadState', () => {
  it('names tensors by role and position and records shapes, optimizer, plugins, data, random and step', async () => {
    const t = buildTrainer('layout');
    await t.fit({ steps: 3 });
    const s = await t.state();
    const meta = s.meta as Record<string, any>;
    const g = networkVariables(t.generator);
    const d = networkVariables(t.discriminator);
    expect(meta.format).toBe('gankit-trainer-state');
    expect(meta.step).toBe(3);
    expect(meta.random).toEqual(t.random.state());
    expect(meta.data).toEqual({ name: 'arcs', state: t.data.state!() as JsonValue });
    expect(meta.networks.generator.variables).toEqual(
      g.map((v, i) => ({ shape: v.shape, dtype: 'float32', trainable: i < t.generator.trainableVariables.length })),
    );
    // 2 batch-norm statistics in G, 2 spectral-norm vectors per dense layer of D.
    expect(g.length - t.generator.trainableVariables.length).toBe(2);
    expect(d.length - t.discriminator.trainableVariables.length).toBe(4);
    g.forEach((v, i) => expect(Array.from(s.tensors[`networks/generator/${i}`].dataSync())).toEqual(Array.from(v.dataSync())));
    expect(meta.optimizers.generator).toMatchObject({
      className: 'Adam',
      iterations: 3,
      slots: 2 * t.generator.trainableVariables.length,
      extra: ['accBeta1', 'accBeta2'],
    });
    expect(s.tensors['optimizers/generator/accBeta1'].dataSync()[0]).toBeCloseTo(0.5 ** 4, 7);
    expect(meta.plugins.ema.tensors).toEqual(g.map((_, i) => `averaged/${i}`));
    expect(meta.plugins.ema.meta).toMatchObject({ kind: 'ema', updates: 3 });
    // Nothing but the described entries.
    const expectedCount =
      g.length + d.length + 2 * (t.generator.trainableVariables.length + t.discriminator.trainableVariables.length) + 4 + g.length;
    expect(Object.keys(s.tensors)).toHaveLength(expectedCount);
    // The state is a snapshot: training on does not change it.
    const before = Array.from(s.tensors['networks/generator/0'].dataSync());
    await t.step();
    expect(Array.from(s.tensors['networks/generator/0'].dataSync())).toEqual(before);
    expect(Array.from(g[0].dataSync())).not.toEqual(before);
    disposeState(s);
    disposeTrainer(t);
  });

  it('state() and loadState() leak no tensors; a round trip changes nothing', async () => {
    const t = buildTrainer('leak');
    await t.fit({ steps: 2 });
    const n0 = tf.memory().numTensors;
    const s = await t.state();
    const before = await stateValues(t);
    await t.loadState(s);
    await t.loadState(s);
    disposeState(s);
    expect(tf.memory().numTensors).toBe(n0);
    expectSameState(await stateValues(t), before);
    expect(tf.memory().numTensors).toBe(n0);
    disposeTrainer(t);
  });

  it('skipUnknownPlugins passes over the state of plugins the trainer lacks (a replica without the file writers), and only that', async () => {
    const a = buildTrainer('with-extra');
    await a.fit({ steps: 2 });
    const s = editable(await a.state());
    // A stateful plugin that this trainer does not have, with a tensor of its own.
    s.meta.plugins.recorder = { meta: { every: 2 }, tensors: ['z'] };
    s.tensors['plugins/recorder/z'] = tf.ones([3, 4]);
    const b = buildTrainer('without-extra');
    await expect(b.loadState(s as TrainerState)).rejects.toThrow(/plugin 'recorder'.*no plugin of that name/);
    await b.loadState(s as TrainerState, { skipUnknownPlugins: true });
    expect(b.iteration).toBe(2);
    expectSameState(await stateValues(b), await stateValues(a));
    // The trainer's own plugins still have to be there, and stray tensors are still refused.
    delete s.meta.plugins.ema;
    await expect(b.loadState(s as TrainerState, { skipUnknownPlugins: true })).rejects.toThrow(
      /plugin 'ema' keeps state, but the state has none/,
    );
    tf.dispose(Object.values(s.tensors));
    disposeTrainer(a);
    disposeTrainer(b);
  });

  it('restores into a trainer built afresh (other variable names), also before its first step', async () => {
    const a = buildTrainer('src');
    await a.fit({ steps: 4 });
    const s = await a.state();
    const b = buildTrainer('dst');
    await b.loadState(s);
    expect(b.iteration).toBe(4);
    expectSameState(await stateValues(b), await stateValues(a));
    // And both go on identically.
    await a.fit({ steps: 3 });
    await b.fit({ steps: 3 });
    expectSameState(await stateValues(b), await stateValues(a));
    disposeState(s);
    disposeTrainer(a);
    disposeTrainer(b);
  });

  it('refuses a bad state, naming the entry, and leaves the trainer exactly as it was', async () => {
    const src = buildTrainer('good');
    await src.fit({ steps: 2 });
    const good = await src.state();
    const t = buildTrainer('target');
    await t.fit({ steps: 5 });
    const before = await stateValues(t);
    const n0 = tf.memory().numTensors;

    const cases: [string, (s: ReturnType<typeof editable>) => void, RegExp][] = [
      ['missing network tensor', (s) => delete s.tensors['networks/discriminator/3'], /tensor 'networks\/discriminator\/3' is missing/],
      ['missing optimizer slot', (s) => delete s.tensors['optimizers/generator/slots/5'], /'optimizers\/generator\/slots\/5' is missing/],
      ['missing accBeta', (s) => delete s.tensors['optimizers/discriminator/accBeta2'], /'optimizers\/discriminator\/accBeta2' is missing/],
      ['missing plugin tensor', (s) => delete s.tensors['plugins/ema/averaged/1'], /'plugins\/ema\/averaged\/1' is missing/],
      [
        'wrong shape',
        (s) => (s.tensors['networks/generator/0'] = tf.zeros([3, 3])),
        /'networks\/generator\/0' has shape \[3, 3\], the trainer expects \[4, 16\]/,
      ],
      [
        'wrong dtype',
        (s) => (s.tensors['networks/generator/1'] = tf.zeros([16], 'int32')),
        /'networks\/generator\/1' has dtype int32, the trainer expects float32/,
      ],
      ['wrong plugin shape', (s) => (s.tensors['plugins/ema/averaged/0'] = tf.zeros([2])), /'plugins\/ema\/averaged\/0' has shape \[2\]/],
      [
        'unknown plugin',
        (s) => {
          s.meta.plugins.mystery = { meta: null, tensors: [] };
        },
        /plugin 'mystery'.*no plugin of that name/,
      ],
      ['missing plugin', (s) => delete s.meta.plugins.ema, /plugin 'ema' keeps state, but the state has none/],
      ['unexpected tensor', (s) => (s.tensors['networks/generator/99'] = tf.zeros([1])), /unexpected tensor 'networks\/generator\/99'/],
      [
        'other optimizer',
        (s) => (s.meta.optimizers.generator.className = 'SGD'),
        /generator optimizer is Adam but the state was saved from "SGD"/,
      ],
      ['variable count', (s) => s.meta.networks.generator.variables.pop(), /the generator has 8 variables .* the state holds 7/],
      ['bad step', (s) => (s.meta.step = -1), /meta.step must be a non-negative integer/],
      ['bad format', (s) => (s.meta.format = 'other'), /meta.format is "other"/],
      // Passes the trainer's checks but the data set's own check fails late, after the plugins and
      // networks were restored: the trainer must be rolled back.
      ['bad data position', (s) => (s.meta.data.state = { epoch: 0, position: 9999, seed: 1 }), /position/],
    ];
    for (const [what, edit, message] of cases) {
      const s = editable(good);
      const made = new Set(Object.values(s.tensors));
      edit(s);
      const err = await t.loadState(s as TrainerState).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, what).toBeInstanceOf(GankitError);
      expect((err as GankitError).code, what).toBe('checkpoint');
      expect((err as Error).message, what).toMatch(message);
      tf.dispose(Object.values(s.tensors).filter((x) => !made.has(x)));
      expectSameState(await stateValues(t), before);
    }
    expect(tf.memory().numTensors).toBe(n0);
    disposeState(good);
    disposeTrainer(src);
    disposeTrainer(t);
  });

  it('works with any tfjs optimizer that reports its weights (SGD, momentum, RMSProp) and names one that does not', async () => {
    const make = (opt: () => tf.Optimizer, seed: number) =>
      new Trainer({
        generator: mlp(`g${seed}`, 2, 8, 1, 1),
        discriminator: mlp(`d${seed}`, 1, 8, 1, 2),
        loss: nonSaturating,
        data: gaussian1d(1, 0.5),
        batchSize: 16,
        generatorOptimizer: opt(),
        discriminatorOptimizer: opt(),
        seed: 5,
      });
    const opts: [string, () => tf.Optimizer][] = [
      ['sgd', () => tf.train.sgd(0.05)],
      ['momentum', () => tf.train.momentum(0.05, 0.9)],
      ['rmsprop', () => tf.train.rmsprop(0.01, 0.9, 0.1, 1e-7, true)],
    ];
    let seed = 10;
    for (const [name, opt] of opts) {
      const whole = make(opt, seed++);
      await whole.fit({ steps: 6 });
      const half = make(opt, seed++);
      await half.fit({ steps: 3 });
      const s = await half.state();
      const resumed = make(opt, seed++);
      await resumed.loadState(s);
      disposeState(s);
      await resumed.fit({ steps: 3 });
      expectSameState(await stateValues(resumed), await stateValues(whole));
      expect(name).toBeTruthy();
      [whole, half, resumed].forEach(disposeTrainer);
    }
    const adamax = make(() => tf.train.adamax(0.01), seed++);
    await adamax.step();
    await expect(adamax.state()).rejects.toThrow(/the generator optimizer \(Adamax\) cannot report its state/);
    disposeTrainer(adamax);
  });

  it("runs the plugins' setup before the first state, so that a plugin such as EMA has state to report", async () => {
    let setups = 0;
    const counter: GanPlugin = {
      name: 'counter',
      setup: () => void setups++,
      state: () => ({ tensors: {}, meta: { setups } }),
      loadState: () => undefined,
    };
    const t = buildTrainer('fresh', { plugins: [counter] });
    const s = await t.state();
    expect(setups).toBe(1);
    expect((s.meta as any).plugins.counter).toEqual({ meta: { setups: 1 }, tensors: [] });
    expect((s.meta as any).optimizers.generator).toMatchObject({ iterations: 0, slots: 0 });
    disposeState(s);
    disposeTrainer(t);
  });
});
