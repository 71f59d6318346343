import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { GankitError, type GanPlugin, type StepLogs } from '@gankit/core';
import { Trainer } from './trainer';
import { affine, expectIdentical, gaussian1d, mlp, nonSaturating, snapshot } from './test-utils';

function makeTrainer(opts: Partial<ConstructorParameters<typeof Trainer>[0]> = {}, seed = 1) {
  const generator = mlp('generator', 2, 16, 1, seed);
  const discriminator = mlp('discriminator', 1, 16, 1, seed + 100);
  return new Trainer({ generator, discriminator, loss: nonSaturating, data: gaussian1d(2, 0.5), batchSize: 32, seed, ...opts });
}

function disposeAll(t: Trainer) {
  t.dispose();
  t.generator.dispose();
  t.discriminator.dispose();
}

describe('Trainer', () => {
  it('the generator phase never moves the discriminator, and vice versa', async () => {
    // D's learning rate 0: if G's update touched D's variables, D would change anyway.
    const t1 = makeTrainer({ discriminatorOptimizer: tf.train.sgd(0), generatorOptimizer: tf.train.sgd(0.1) });
    const d0 = snapshot(t1.discriminator);
    const g0 = snapshot(t1.generator);
    await t1.fit({ steps: 3 });
    expectIdentical(snapshot(t1.discriminator), d0);
    expect(() => expectIdentical(snapshot(t1.generator), g0)).toThrow();
    disposeAll(t1);

    const t2 = makeTrainer({ discriminatorOptimizer: tf.train.sgd(0.1), generatorOptimizer: tf.train.sgd(0) });
    const d1 = snapshot(t2.discriminator);
    const g1 = snapshot(t2.generator);
    await t2.fit({ steps: 3 });
    expectIdentical(snapshot(t2.generator), g1);
    expect(() => expectIdentical(snapshot(t2.discriminator), d1)).toThrow();
    disposeAll(t2);
  });

  it('runs k discriminator updates per iteration, each on a fresh real batch', async () => {
    const data = gaussian1d(0, 1);
    const dCalls: number[] = [];
    const counter: GanPlugin = {
      name: 'counter',
      afterDiscriminatorStep: (s) => void dCalls.push(s.discriminatorStep),
    };
    const t = makeTrainer({ data, discriminatorSteps: 3, plugins: [counter] });
    await t.fit({ steps: 4 });
    expect(data.calls).toBe(12);
    expect(dCalls).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
    disposeAll(t);
  });

  it('runs plugin hooks in ascending order, ties in the given order', async () => {
    const calls: string[] = [];
    const mk = (name: string, order?: number): GanPlugin => ({
      name,
      order,
      setup: () => void calls.push(`${name}.setup`),
      discriminatorLoss: () => void calls.push(`${name}.dLoss`),
      generatorLoss: () => void calls.push(`${name}.gLoss`),
      afterDiscriminatorStep: () => void calls.push(`${name}.afterD`),
      afterGeneratorStep: () => void calls.push(`${name}.afterG`),
      onStepEnd: async () => void calls.push(`${name}.end`),
      onTrainEnd: () => void calls.push(`${name}.trainEnd`),
    });
    const t = makeTrainer({ plugins: [mk('late', 100), mk('a'), mk('early', -5), mk('b')] });
    await t.fit({ steps: 1 });
    const order = ['early', 'a', 'b', 'late'];
    const phase = (h: string) => order.map((n) => `${n}.${h}`);
    expect(calls).toEqual([
      ...phase('setup'),
      ...phase('dLoss'),
      ...phase('afterD'),
      ...phase('gLoss'),
      ...phase('afterG'),
      ...phase('end'),
      ...phase('trainEnd'),
    ]);
    disposeAll(t);
  });

  it('adds plugin loss terms to the player loss and logs each term', async () => {
    const plain = makeTrainer({}, 7);
    const withTerm = makeTrainer(
      {
        plugins: [{ name: 'const', discriminatorLoss: () => ({ five: tf.scalar(5) }), generatorLoss: () => ({ two: tf.scalar(2) }) }],
      },
      7,
    );
    const a = await plain.step();
    const b = await withTerm.step();
    expect(b.terms).toEqual({ 'const/five': 5, 'const/two': 2 });
    expect(b.discriminatorLoss - a.discriminatorLoss).toBeCloseTo(5, 5);
    expect(b.generatorLoss - a.generatorLoss).toBeCloseTo(2, 5);
    disposeAll(plain);
    disposeAll(withTerm);
  });

  it("a plugin term that depends on D's weights changes the update (its gradient is used)", async () => {
    const l2: GanPlugin = {
      name: 'l2',
      discriminatorLoss: (s) => ({
        l2: tf.mul(100, tf.addN(s.discriminator.trainableVariables.map((v) => tf.sum(tf.square(v))))) as tf.Scalar,
      }),
    };
    const sgd = () => tf.train.sgd(0.001);
    const t = makeTrainer({ plugins: [l2], discriminatorOptimizer: sgd(), generatorOptimizer: sgd() }, 3);
    const norm = () => t.discriminator.trainableVariables.reduce((acc, v) => acc + tf.tidy(() => tf.sum(tf.square(v)).dataSync()[0]), 0);
    const before = norm();
    await t.fit({ steps: 5 });
    // Each SGD step scales weights by (1 - 2·100·0.001) = 0.8 up to the small adversarial gradient.
    expect(norm()).toBeLessThan(before * 0.8 ** 5 * 1.5);
    disposeAll(t);
  });

  it('logs losses and mean D outputs as probabilities for a probabilistic loss', async () => {
    const t = makeTrainer();
    const logs: StepLogs[] = [];
    await t.fit({ steps: 3, onStep: (l) => void logs.push(l) });
    expect(logs.map((l) => l.step)).toEqual([0, 1, 2]);
    for (const l of logs) {
      expect(Number.isFinite(l.discriminatorLoss) && Number.isFinite(l.generatorLoss)).toBe(true);
      expect(l.dReal).toBeGreaterThan(0);
      expect(l.dReal).toBeLessThan(1);
      expect(l.dFake).toBeGreaterThan(0);
      expect(l.dFake).toBeLessThan(1);
      expect(l.seconds).toBeGreaterThan(0);
    }
    disposeAll(t);
  });

  it('repeats bit for bit with the same seed, and differs with another', async () => {
    const run = async (seed: number) => {
      const t = makeTrainer({}, 1);
      // Same initial weights (network seed 1), run seed varies.
      const t2 = new Trainer({
        generator: t.generator,
        discriminator: t.discriminator,
        loss: nonSaturating,
        data: gaussian1d(2, 0.5),
        batchSize: 32,
        seed,
      });
      t.dispose();
      await t2.fit({ steps: 20 });
      const out = [...snapshot(t2.generator), ...snapshot(t2.discriminator)];
      disposeAll(t2);
      return out;
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expectIdentical(a, b);
    expect(() => expectIdentical(a, c)).toThrow();
  });

  it('keeps the tensor count flat over hundreds of steps, with plugins', async () => {
    const plugin: GanPlugin = {
      name: 'p',
      discriminatorLoss: (s) => ({ r: tf.mean(tf.square(s.realOutput())) as tf.Scalar }),
      generatorLoss: (s) => ({ f: tf.mean(s.fakeOutput()) as tf.Scalar }),
      afterGeneratorStep: (s) => void tf.square(s.z),
    };
    const t = makeTrainer({ plugins: [plugin], discriminatorSteps: 2 });
    await t.fit({ steps: 5 }); // optimizer slots are created on the first steps
    const before = tf.memory().numTensors;
    await t.fit({ steps: 300 });
    expect(tf.memory().numTensors).toBe(before);
    const samples = t.sample(10);
    expect(samples.shape).toEqual([10, 1]);
    samples.dispose();
    expect(tf.memory().numTensors).toBe(before);
    disposeAll(t);
  });

  it('learns: an affine generator moves its samples onto a 1-D Gaussian', async () => {
    const generator = affine('generator', 1, -2);
    const discriminator = mlp('discriminator', 1, 32, 1, 5);
    const t = new Trainer({
      generator,
      discriminator,
      loss: nonSaturating,
      data: gaussian1d(3, 0.5),
      batchSize: 128,
      generatorOptimizer: tf.train.adam(0.02, 0.5),
      discriminatorOptimizer: tf.train.adam(0.02, 0.5),
      seed: 4,
    });
    await t.fit({ steps: 600 });
    const s = t.sample(4000);
    const { mean, variance } = tf.moments(s);
    const m = mean.dataSync()[0];
    const sd = Math.sqrt(variance.dataSync()[0]);
    tf.dispose([s, mean, variance]);
    expect(Math.abs(m - 3)).toBeLessThan(0.3);
    expect(sd).toBeGreaterThan(0.2);
    expect(sd).toBeLessThan(1.0);
    disposeAll(t);
  });

  it('stops when a plugin requests it, and when the signal aborts', async () => {
    const t = makeTrainer({
      plugins: [{ name: 'stopper', onStepEnd: (ctx) => (ctx.step === 4 ? ctx.requestStop('enough') : undefined) }],
    });
    const r = await t.fit({ steps: 50 });
    expect(r.steps).toBe(4);
    expect(r.stopReason).toBe('enough');
    disposeAll(t);
    const ac = new AbortController();
    const t2 = makeTrainer();
    const r2 = await t2.fit({ steps: 50, onStep: (l) => (l.step === 2 ? ac.abort() : undefined), signal: ac.signal });
    expect(r2.steps).toBe(3);
    expect(r2.stopReason).toBe('aborted');
    disposeAll(t2);
  });

  it('names the problem for bad setups before training', () => {
    const g = mlp('generator', 2, 4, 3, 1);
    const d = mlp('discriminator', 1, 4, 1, 2);
    const d2 = mlp('discriminator', 3, 4, 2, 2);
    expect(() => new Trainer({ generator: g, discriminator: d, loss: nonSaturating, data: gaussian1d(0, 1) })).toThrow(
      /generator 'generator' outputs \[3\] per example but data 'gaussian1d' has examples of \[1\]/,
    );
    const g1 = mlp('generator', 2, 4, 1, 1);
    expect(() => new Trainer({ generator: g1, discriminator: d2, loss: nonSaturating, data: gaussian1d(0, 1) })).toThrow(
      /discriminator 'discriminator' takes \[3\]/,
    );
    const small = { ...gaussian1d(0, 1), size: 10 };
    expect(() => new Trainer({ generator: g1, discriminator: d, loss: nonSaturating, data: small, batchSize: 64 })).toThrow(
      /batchSize 64 is larger than data set 'gaussian1d' \(10 examples\)/,
    );
    const empty = { ...gaussian1d(0, 1), size: 0 };
    expect(() => new Trainer({ generator: g1, discriminator: d, loss: nonSaturating, data: empty })).toThrow(/is empty/);
    const opt = tf.train.adam();
    expect(
      () =>
        new Trainer({
          generator: g1,
          discriminator: d,
          loss: nonSaturating,
          data: gaussian1d(0, 1),
          generatorOptimizer: opt,
          discriminatorOptimizer: opt,
        }),
    ).toThrow(GankitError);
    expect(() => new Trainer({ generator: g1, discriminator: d, loss: nonSaturating, data: gaussian1d(0, 1), batchSize: 0 })).toThrow(
      /batchSize must be a positive integer/,
    );
    expect(
      () =>
        new Trainer({
          generator: g1,
          discriminator: d,
          loss: nonSaturating,
          data: gaussian1d(0, 1),
          plugins: [{ name: 'x' }, { name: 'x' }],
        }),
    ).toThrow(/two plugins are named 'x'/);
    [g, d, d2, g1].forEach((n) => n.dispose());
  });

  it('rejects a data batch of the wrong shape or dtype with a clear error', async () => {
    const bad = { name: 'bad', sampleShape: [1], nextBatch: (n: number) => ({ x: tf.zeros([n, 2]) }) };
    const t = makeTrainer({ data: bad });
    await expect(t.step()).rejects.toThrow(/data 'bad' returned a batch of \[32, 2\], expected \[32, 1\]/);
    disposeAll(t);
    const badType = { name: 'ints', sampleShape: [1], nextBatch: (n: number) => ({ x: tf.zeros([n, 1], 'int32') }) };
    const t2 = makeTrainer({ data: badType });
    await expect(t2.step()).rejects.toThrow(/dtype int32, expected float32/);
    disposeAll(t2);
  });
});
