// Conditional GANs: the labels of the fake batch ('real' or seeded 'uniform') and the AC-GAN
// auxiliary-classifier plugin.
import { type Batch, type DataSource, type Network, RandomSource } from '@gankit/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { acgan, acganAdversarialOutput } from './acgan';
import { sampleUniformLabels } from './adversarial';
import { dispose, mean, recorder, softplus } from './test-recorder';
import { gaussian1d, mlp, nonSaturating } from './test-utils';
import { Trainer } from './trainer';

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
