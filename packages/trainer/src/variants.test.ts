// Patch-map and multi-head discriminators, fake labels, AC-GAN, and the plugin API 2 hooks.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { RandomSource, type Batch, type DataSource, type GanPlugin, type Network, type StepContext } from '@gankit/core';
import { sampleUniformLabels } from './adversarial';
import { Trainer } from './trainer';
import { acgan, acganAdversarialOutput } from './acgan';
import { gaussian1d, mlp, nonSaturating } from './test-utils';

const softplus = (v: number) => Math.log1p(Math.exp(-Math.abs(v))) + Math.max(v, 0);
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const flat = (t: tf.Tensor) => Array.from(t.dataSync());
const rows = (t: tf.Tensor) => t.arraySync() as number[][];

/** D: [1] → a 2×2 patch map of logits [2, 2, 1]. */
function patchDiscriminator(seed: number): Network {
  const rng = new RandomSource(seed);
  const w = tf.variable(rng.normal([1, 4]));
  const b = tf.variable(rng.normal([4], 0, 0.1));
  return {
    name: 'patch',
    inputShape: [1],
    outputShape: [2, 2, 1],
    trainableVariables: [w, b],
    nonTrainableVariables: [],
    apply: (x) => tf.tidy(() => tf.reshape(tf.add(tf.matMul(x as tf.Tensor2D, w), b), [-1, 2, 2, 1])),
    dispose: () => [w, b].forEach((v) => v.dispose()),
  };
}

/** Three labelled 1-D clusters N(3k, 0.1²), k = 0, 1, 2. */
function labelled(): DataSource {
  return {
    name: 'clusters',
    sampleShape: [1],
    numClasses: 3,
    nextBatch(n: number, random: RandomSource): Batch {
      const next = random.floats('clusters');
      const labels = Int32Array.from({ length: n }, () => Math.floor(next() * 3));
      const x = Float32Array.from(labels, (k) => 3 * k + 0.1 * (next() - 0.5));
      return { x: tf.tensor2d(x, [n, 1]), labels: tf.tensor1d(labels, 'int32') };
    },
  };
}

/** A conditional generator [z, onehot(label)] → [1] that records the labels it was given. */
function conditionalGenerator(seed: number): Network & { seen: number[][] } {
  const inner = mlp('cg', 2 + 3, 8, 1, seed);
  const seen: number[][] = [];
  return {
    ...inner,
    name: 'conditional-generator',
    inputShape: [2],
    seen,
    apply: (z, options) => {
      if (!options.labels) throw new Error('conditionalGenerator needs labels');
      seen.push(Array.from(options.labels.dataSync()));
      return tf.tidy(() => inner.apply(tf.concat([z, tf.oneHot(options.labels as tf.Tensor1D, 3)], 1), options));
    },
  };
}

/** Records, per phase, D's outputs and the labels each hook sees. */
function recorder(): GanPlugin & { d: Record<string, unknown>[]; g: Record<string, unknown>[] } {
  const d: Record<string, unknown>[] = [];
  const g: Record<string, unknown>[] = [];
  const grab = (s: StepContext) => ({
    real: rows(s.realOutput()),
    fake: rows(s.fakeOutput()),
    realFlat: flat(s.realOutput()),
    fakeFlat: flat(s.fakeOutput()),
    fakeX: flat(s.fake()),
    labels: s.batch.labels ? flat(s.batch.labels) : undefined,
    fakeLabels: s.fakeLabels ? flat(s.fakeLabels) : undefined,
  });
  return {
    name: 'recorder',
    apiVersion: 2,
    order: 50,
    d,
    g,
    discriminatorLoss: (s) => void d.push(grab(s)),
    generatorLoss: (s) => void g.push(grab(s)),
  };
}

/** Mean sparse softmax cross-entropy of rows of logits, in plain JS. */
function crossEntropy(logits: number[][], labels: number[]): number {
  return mean(
    logits.map((row, i) => {
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      return lse - row[labels[i]];
    }),
  );
}

function dispose(t: Trainer) {
  t.dispose();
  t.generator.dispose();
  t.discriminator.dispose();
}

describe('discriminators with more than one output', () => {
  it('trains a patch-map discriminator: losses and dReal/dFake average over every element', async () => {
    const rec = recorder();
    const t = new Trainer({
      generator: mlp('g', 2, 8, 1, 1),
      discriminator: patchDiscriminator(2),
      loss: nonSaturating,
      data: gaussian1d(1, 0.5),
      batchSize: 16,
      plugins: [rec],
    });
    const logs = await t.step();
    const d = rec.d[0] as { realFlat: number[]; fakeFlat: number[] };
    const g = rec.g[0] as { fakeFlat: number[] };
    expect(d.realFlat).toHaveLength(16 * 4);
    expect(logs.dReal).toBeCloseTo(mean(d.realFlat.map(sigmoid)), 5);
    expect(logs.dFake).toBeCloseTo(mean(d.fakeFlat.map(sigmoid)), 5);
    expect(logs.discriminatorLoss).toBeCloseTo(mean(d.realFlat.map((v) => softplus(-v))) + mean(d.fakeFlat.map(softplus)), 5);
    expect(logs.generatorLoss).toBeCloseTo(mean(g.fakeFlat.map((v) => softplus(-v))), 5);
    dispose(t);
  });

  it('refuses a multi-head discriminator without adversarialOutput, naming the shape and the fix', () => {
    const g = mlp('g', 2, 8, 1, 1);
    const d = mlp('heads', 1, 8, 4, 2);
    expect(() => new Trainer({ generator: g, discriminator: d, loss: nonSaturating, data: gaussian1d(0, 1) })).toThrow(
      /discriminator 'heads' outputs \[4\] per example.*pass `adversarialOutput`/,
    );
    const wide: Network = { ...patchDiscriminator(3), outputShape: [2, 3] };
    expect(() => new Trainer({ generator: g, discriminator: wide, loss: nonSaturating, data: gaussian1d(0, 1) })).toThrow(
      /outputs \[2, 3\] per example/,
    );
    expect(
      () => new Trainer({ generator: g, discriminator: d, loss: nonSaturating, data: gaussian1d(0, 1), adversarialOutput: 3 as never }),
    ).toThrow(/adversarialOutput must be a function/);
    tf.dispose([...g.trainableVariables, ...d.trainableVariables, ...wide.trainableVariables]);
  });

  it('with adversarialOutput the loss and the logs see only the adversarial column', async () => {
    const rec = recorder();
    const t = new Trainer({
      generator: mlp('g', 2, 8, 1, 1),
      discriminator: mlp('heads', 1, 8, 4, 2),
      loss: nonSaturating,
      data: gaussian1d(1, 0.5),
      batchSize: 16,
      adversarialOutput: acganAdversarialOutput,
      plugins: [rec],
    });
    const logs = await t.step();
    const d = rec.d[0] as { real: number[][]; fake: number[][] };
    const g = rec.g[0] as { fake: number[][] };
    expect(d.real[0]).toHaveLength(4); // hooks see the whole output
    const r0 = d.real.map((r) => r[0]);
    const f0 = d.fake.map((r) => r[0]);
    expect(logs.dReal).toBeCloseTo(mean(r0.map(sigmoid)), 5);
    expect(logs.dFake).toBeCloseTo(mean(f0.map(sigmoid)), 5);
    expect(logs.discriminatorLoss).toBeCloseTo(mean(r0.map((v) => softplus(-v))) + mean(f0.map(softplus)), 5);
    expect(logs.generatorLoss).toBeCloseTo(mean(g.fake.map((r) => softplus(-r[0]))), 5);
    dispose(t);
  });

  it('rejects an adversarialOutput that does not give one value per example', async () => {
    const t = new Trainer({
      generator: mlp('g', 2, 8, 1, 1),
      discriminator: mlp('heads', 1, 8, 4, 2),
      loss: nonSaturating,
      data: gaussian1d(1, 0.5),
      batchSize: 8,
      adversarialOutput: (o) => o,
    });
    const n0 = tf.memory().numTensors;
    await expect(t.step()).rejects.toThrow(/adversarialOutput turned discriminator 'heads''s output \[8, 4\] into \[8, 4\]/);
    expect(tf.memory().numTensors).toBe(n0);
    dispose(t);
  });
});

describe('labels of the fake batch', () => {
  it("'real' gives G the real batch's labels; 'uniform' draws them from the seeded source; the context exposes them", async () => {
    for (const mode of ['real', 'uniform'] as const) {
      const rec = recorder();
      const g = conditionalGenerator(1);
      const t = new Trainer({
        generator: g,
        discriminator: mlp('d', 1, 8, 1, 2),
        loss: nonSaturating,
        data: labelled(),
        batchSize: 64,
        fakeLabels: mode,
        plugins: [rec],
        seed: 5,
      });
      await t.fit({ steps: 2 });
      // G ran on: D phase, G phase (per iteration). The context's fakeLabels are those labels.
      expect(g.seen).toHaveLength(4);
      for (const [i, phase] of [rec.d[0], rec.g[0], rec.d[1], rec.g[1]].entries()) {
        const p = phase as { labels: number[]; fakeLabels: number[] };
        expect(p.fakeLabels).toEqual(g.seen[i]);
        if (mode === 'real') expect(p.fakeLabels).toEqual(p.labels);
        else {
          expect(p.fakeLabels).not.toEqual(p.labels);
          expect(p.fakeLabels.every((k) => Number.isInteger(k) && k >= 0 && k < 3)).toBe(true);
        }
      }
      if (mode === 'uniform') {
        // Seeded: a second run draws the same labels.
        const g2 = conditionalGenerator(1);
        const t2 = new Trainer({
          generator: g2,
          discriminator: mlp('d', 1, 8, 1, 2),
          loss: nonSaturating,
          data: labelled(),
          batchSize: 64,
          fakeLabels: mode,
          seed: 5,
        });
        await t2.fit({ steps: 2 });
        expect(g2.seen).toEqual(g.seen);
        dispose(t2);
      }
      dispose(t);
    }
  });

  it('sampleUniformLabels is uniform, seeded and leak-free; uniform needs numClasses', () => {
    const n0 = tf.memory().numTensors;
    const l = sampleUniformLabels(6000, 3, new RandomSource(1));
    expect(l.dtype).toBe('int32');
    const v = Array.from(l.dataSync());
    const counts = [0, 1, 2].map((k) => v.filter((x) => x === k).length);
    // Each count is Binomial(6000, 1/3): sd ≈ 36.5; 5 sd.
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(183);
    expect(counts.reduce((a, b) => a + b)).toBe(6000);
    const again = sampleUniformLabels(6000, 3, new RandomSource(1));
    expect(Array.from(again.dataSync())).toEqual(v);
    tf.dispose([l, again]);
    expect(tf.memory().numTensors).toBe(n0);
    const g = conditionalGenerator(1);
    const d = mlp('d', 1, 8, 1, 2);
    const noClasses = { ...labelled(), numClasses: undefined };
    expect(
      () => new Trainer({ generator: g, discriminator: d, loss: nonSaturating, data: noClasses, conditional: true, fakeLabels: 'uniform' }),
    ).toThrow(/fakeLabels 'uniform' needs the number of classes/);
    expect(() => new Trainer({ generator: g, discriminator: d, loss: nonSaturating, data: labelled(), fakeLabels: 'x' as never })).toThrow(
      /fakeLabels must be 'real' or 'uniform'/,
    );
    tf.dispose([...g.trainableVariables, ...d.trainableVariables]);
  });
});

describe('acgan', () => {
  it('adds weight·CE on real and fake labels to D and weight·CE on fake labels to G, with the adversarial loss on column 0', async () => {
    const rec = recorder();
    const weight = 0.5;
    const t = new Trainer({
      generator: conditionalGenerator(1),
      discriminator: mlp('acgan-d', 1, 8, 4, 2),
      loss: nonSaturating,
      data: labelled(),
      batchSize: 32,
      fakeLabels: 'uniform',
      adversarialOutput: acganAdversarialOutput,
      plugins: [acgan({ weight }), rec],
    });
    const logs = await t.step();
    const d = rec.d[0] as { real: number[][]; fake: number[][]; labels: number[]; fakeLabels: number[] };
    const g = rec.g[0] as { fake: number[][]; fakeLabels: number[] };
    const classes = (m: number[][]) => m.map((r) => r.slice(1));
    const realCE = crossEntropy(classes(d.real), d.labels);
    const fakeCE = crossEntropy(classes(d.fake), d.fakeLabels);
    const gCE = crossEntropy(classes(g.fake), g.fakeLabels);
    expect(logs.terms['acgan/real']).toBeCloseTo(weight * realCE, 5);
    expect(logs.terms['acgan/fake']).toBeCloseTo(weight * fakeCE, 5);
    expect(logs.terms['acgan/class']).toBeCloseTo(weight * gCE, 5);
    const adv = mean(d.real.map((r) => softplus(-r[0]))) + mean(d.fake.map((r) => softplus(r[0])));
    expect(logs.discriminatorLoss).toBeCloseTo(adv + weight * (realCE + fakeCE), 5);
    expect(logs.generatorLoss).toBeCloseTo(mean(g.fake.map((r) => softplus(-r[0]))) + weight * gCE, 5);
    dispose(t);
  });

  it('makes G class-consistent: after 100 steps G(z, k) lands on cluster k, which a plain conditional GAN does not learn; no leaks', async () => {
    const accuracy = async (withAcgan: boolean) => {
      const t = new Trainer({
        generator: conditionalGenerator(1),
        discriminator: mlp('acgan-d', 1, 16, 4, 2),
        loss: nonSaturating,
        data: labelled(),
        batchSize: 64,
        fakeLabels: 'uniform',
        adversarialOutput: acganAdversarialOutput,
        discriminatorOptimizer: tf.train.adam(0.01, 0.5),
        generatorOptimizer: tf.train.adam(0.01, 0.5),
        plugins: withAcgan ? [acgan()] : [],
      });
      await t.step();
      const n0 = tf.memory().numTensors;
      const r = await t.fit({ steps: 99 });
      expect(tf.memory().numTensors).toBe(n0);
      // G's samples for labels 0, 1, 2, ...: the share nearest the cluster of their label.
      const labels = tf.tensor1d(
        Int32Array.from({ length: 300 }, (_, i) => i % 3),
        'int32',
      );
      const x = t.sample(300, { labels });
      const hits = Array.from(x.dataSync()).filter((v, i) => Math.round(Math.min(2, Math.max(0, v / 3))) === i % 3).length;
      tf.dispose([labels, x]);
      dispose(t);
      return { accuracy: hits / 300, terms: r.last!.terms };
    };
    const plain = await accuracy(false);
    const withClassifier = await accuracy(true);
    expect(withClassifier.accuracy).toBeGreaterThan(0.9);
    expect(plain.accuracy).toBeLessThan(0.6); // chance is 1/3: the adversarial loss alone ignores the label
    expect(withClassifier.terms['acgan/real']).toBeLessThan(0.3); // D classifies the real clusters (log 3 ≈ 1.1 at chance)
  });

  it('names the problem: no labels, bad weight, bad logits', async () => {
    expect(() => acgan({ weight: -1 })).toThrow(/weight must be a finite number >= 0, got -1/);
    const t = new Trainer({
      generator: mlp('g', 2, 8, 1, 1),
      discriminator: mlp('d', 1, 8, 4, 2),
      loss: nonSaturating,
      data: gaussian1d(0, 1),
      adversarialOutput: acganAdversarialOutput,
      plugins: [acgan()],
    });
    await expect(t.step()).rejects.toThrow(/acgan needs labelled real and fake batches.*no real labels and no fake labels/);
    dispose(t);
    const logits = tf.zeros([2, 3]);
    expect(() => acganAdversarialOutput(tf.zeros([2, 1]))).toThrow(
      /expected an ACGAN discriminator output \[batch, 1\+numClasses\].*got \[2, 1\]/,
    );
    tf.dispose(logits);
  });
});

describe('plugin API 2 hooks', () => {
  it('runs transformFakes and beforeGeneratorStep at their places, in plugin order, and blocks s.fake() there', async () => {
    const calls: string[] = [];
    const mk = (name: string, order: number): GanPlugin => ({
      name,
      order,
      apiVersion: 2,
      transformFakes: (f, s) => {
        calls.push(`${name}.transform`);
        expect(() => s.fake()).toThrow(/cannot be called in plugin '.*''s transformFakes/);
        return f;
      },
      discriminatorLoss: () => void calls.push(`${name}.dLoss`),
      afterDiscriminatorStep: () => void calls.push(`${name}.afterD`),
      beforeGeneratorStep: (s) => {
        calls.push(`${name}.beforeG`);
        expect(() => s.fakeOutput()).toThrow(/cannot be called in plugin '.*''s beforeGeneratorStep/);
      },
      generatorLoss: () => void calls.push(`${name}.gLoss`),
      afterGeneratorStep: () => void calls.push(`${name}.afterG`),
    });
    const t = new Trainer({
      generator: mlp('g', 2, 8, 1, 1),
      discriminator: mlp('d', 1, 8, 1, 2),
      loss: nonSaturating,
      data: gaussian1d(0, 1),
      discriminatorSteps: 2,
      plugins: [mk('b', 1), mk('a', 0)],
    });
    await t.step();
    const both = (h: string) => [`a.${h}`, `b.${h}`];
    const dStep = [...both('transform'), ...both('dLoss'), ...both('afterD')];
    expect(calls).toEqual([...dStep, ...dStep, ...both('beforeG'), ...both('gLoss'), ...both('afterG')]);
    dispose(t);
  });

  it('D sees the transformed fakes, chained in order; G trains on its own; a bad result is refused', async () => {
    const rec = recorder();
    const constant = (v: number, order: number): GanPlugin => ({
      name: `c${v}`,
      order,
      transformFakes: (f) => ({ x: tf.add(tf.mul(f.x, 0), v) }),
    });
    const t = new Trainer({
      generator: mlp('g', 2, 8, 1, 1),
      discriminator: mlp('d', 1, 8, 1, 2),
      loss: nonSaturating,
      data: gaussian1d(0, 1),
      batchSize: 8,
      plugins: [constant(7, 1), constant(5, 0), rec],
    });
    await t.step(); // creates the optimizers' slots
    const n0 = tf.memory().numTensors;
    await t.fit({ steps: 2 });
    expect(tf.memory().numTensors).toBe(n0);
    for (const d of rec.d) expect((d as { fakeX: number[] }).fakeX).toEqual(new Array(8).fill(7));
    for (const g of rec.g) expect((g as { fakeX: number[] }).fakeX).not.toContain(7);
    dispose(t);
    const bad: GanPlugin = { name: 'bad', transformFakes: (f) => ({ x: tf.concat([f.x, f.x]) }) };
    const t2 = new Trainer({
      generator: mlp('g', 2, 8, 1, 1),
      discriminator: mlp('d', 1, 8, 1, 2),
      loss: nonSaturating,
      data: gaussian1d(0, 1),
      batchSize: 8,
      plugins: [bad],
    });
    const n1 = tf.memory().numTensors;
    await expect(t2.step()).rejects.toThrow(/plugin 'bad''s transformFakes returned fakes of \[16, 1\] float32, expected \[8, 1\] float32/);
    expect(tf.memory().numTensors).toBe(n1);
    dispose(t2);
  });
});
