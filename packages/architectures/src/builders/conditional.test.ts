import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, networkVariables } from '@gankit/core';
import type { Network } from '@gankit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGradientsFlow, expectNoLeak, maxAbsDiff } from '../test-helpers';
import { acganDiscriminator, conditionalDiscriminator, conditionalGenerator, splitAcganOutput } from './conditional';

const K = 10;
const labelsA = (): tf.Tensor => tf.tensor1d([0, 3, 9], 'int32');
const labelsB = (): tf.Tensor => tf.tensor1d([5, 7, 1], 'int32');

/** Builds, checks that dispose frees every tensor the network made. */
function expectDisposeFreesAll(make: () => Network): void {
  const before = tf.memory().numTensors;
  const net = make();
  expect(tf.memory().numTensors).toBe(before + networkVariables(net).length);
  net.dispose();
  expect(tf.memory().numTensors).toBe(before);
}

describe('conditionalGenerator', () => {
  for (const conditioning of ['embedding', 'one-hot'] as const) {
    it(`'${conditioning}': z [b, latentDim] + labels -> [b, 28, 28, 1] in [-1, 1]; the label changes the image`, () => {
      const g = conditionalGenerator({ numClasses: K, latentDim: 8, conditioning, baseFilters: 4, seed: 1 });
      expect(g.inputShape).toEqual([8]);
      expect(g.outputShape).toEqual([28, 28, 1]);
      expect(g.usesLabels).toBe(true);
      const names = g.trainableVariables.map((v) => v.name);
      expect(names.includes('generator/concat_label_0/embeddings')).toBe(conditioning === 'embedding');
      // the first dense layer takes z and the label vector (10 one-hot or a 10-long embedding)
      const denseKernel = g.trainableVariables.find((v) => v.name === 'generator/dense_0/kernel');
      expect(denseKernel?.shape).toEqual([8 + K, 7 * 7 * 8]);
      const z = new RandomSource(2).normal([3, 8]);
      const [a, b] = [labelsA(), labelsB()];
      const xa = g.apply(z, { training: false, labels: a });
      const xb = g.apply(z, { training: false, labels: b });
      expect(xa.shape).toEqual([3, 28, 28, 1]);
      expect(tf.tidy(() => tf.max(tf.abs(xa)).dataSync()[0])).toBeLessThanOrEqual(1);
      expect(maxAbsDiff(xa, xb)).toBeGreaterThan(1e-4);
      expect(() => g.apply(z, { training: false })).toThrow(/is conditional: pass int32 class labels \[3\]/);
      const bad = tf.tensor1d([0, 10, 2], 'int32');
      expect(() => g.apply(z, { training: false, labels: bad })).toThrow(
        "network 'generator': label 10 at position 1 is out of range; labels must be integers in [0, 10)",
      );
      expectNoLeak(g, z, a);
      tf.dispose([z, a, b, xa, xb, bad]);
      g.dispose();
    });
  }

  it('rejects bad configurations', () => {
    expect(() => conditionalGenerator({ numClasses: K, conditioning: 'projection' as never })).toThrow(
      `conditionalGenerator: conditioning must be 'embedding' or 'one-hot', got "projection"`,
    );
    expect(() => conditionalGenerator({ numClasses: 0, conditioning: 'one-hot' })).toThrow(/numClasses must be a positive integer, got 0/);
    expect(() => conditionalGenerator({ numClasses: K, conditioning: 'one-hot', embeddingDim: 4 })).toThrow(
      /embeddingDim only applies to conditioning 'embedding'/,
    );
    expectDisposeFreesAll(() =>
      conditionalGenerator({ numClasses: K, conditioning: 'embedding', embeddingDim: 5, latentDim: 4, baseFilters: 2 }),
    );
  });
});

describe('conditionalDiscriminator', () => {
  for (const conditioning of ['embedding', 'one-hot', 'projection'] as const) {
    it(`'${conditioning}': [b, 28, 28, 1] + labels -> [b, 1]; the label changes the logit`, () => {
      const d = conditionalDiscriminator({ numClasses: K, conditioning, baseFilters: 4, seed: 3 });
      expect(d.inputShape).toEqual([28, 28, 1]);
      expect(d.outputShape).toEqual([1]);
      const x = new RandomSource(4).normal([3, 28, 28, 1]);
      const [a, b] = [labelsA(), labelsB()];
      if (conditioning === 'projection') {
        // the embedding starts small (N(0, 0.02)); make the label term clearly visible
        const embed = d.trainableVariables.find((v) => v.name === 'discriminator/embed/embeddings') as tf.Variable;
        tf.tidy(() => embed.assign(new RandomSource(5).normal(embed.shape)));
      } else {
        // the label enters as k extra input channels of the first conv
        const k0 = d.trainableVariables.find((v) => v.name === 'discriminator/conv2d_0/kernel');
        expect(k0?.shape).toEqual([4, 4, 1 + K, 4]);
      }
      const ya = d.apply(x, { training: false, labels: a });
      const yb = d.apply(x, { training: false, labels: b });
      expect(ya.shape).toEqual([3, 1]);
      expect(maxAbsDiff(ya, yb)).toBeGreaterThan(1e-4);
      expect(() => d.apply(x, { training: false })).toThrow(/is conditional/);
      expectNoLeak(d, x, a);
      tf.dispose([x, a, b, ya, yb]);
      d.dispose();
    });
  }

  it("'projection': output = psi(phi(x)) + <embed(y), phi(x)>, the inner product checked by hand", () => {
    const numClasses = 3;
    const d = conditionalDiscriminator({ numClasses, conditioning: 'projection', baseFilters: 4, seed: 6 });
    expect(d.endpointNames).toEqual(['features']);
    expect(d.endpointShape('features')).toEqual([7 * 7 * 8]);
    const embed = d.trainableVariables.find((v) => v.name === 'discriminator/embed/embeddings') as tf.Variable;
    expect(embed.shape).toEqual([numClasses, 7 * 7 * 8]);
    tf.tidy(() => embed.assign(new RandomSource(7).normal(embed.shape)));
    const x = new RandomSource(8).normal([4, 28, 28, 1]);
    const labels = tf.tensor1d([2, 0, 1, 2], 'int32');
    const options = { training: false, labels };
    const out = d.apply(x, options);
    const h = d.applyEndpoint('features', x, options);
    const psiLayer = d.layers.find((l) => l.name === 'discriminator/psi');
    const psi = psiLayer?.apply(h, options) as tf.Tensor;
    const features = h.arraySync() as number[][];
    const table = embed.arraySync() as number[][];
    const y = labels.arraySync() as number[];
    const got = out.arraySync() as number[][];
    const psiValues = psi.arraySync() as number[][];
    let largest = 0;
    for (let i = 0; i < 4; i++) {
      let dot = 0;
      for (let j = 0; j < features[i].length; j++) dot += table[y[i]][j] * features[i][j];
      largest = Math.max(largest, Math.abs(dot));
      expect(got[i][0] - psiValues[i][0]).toBeCloseTo(dot, 4);
    }
    expect(largest).toBeGreaterThan(1e-2); // the projection term is not negligible in this check
    tf.dispose([x, labels, out, h, psi]);
    d.dispose();
  });

  it('rejects a bad conditioning and frees everything on dispose', () => {
    expect(() => conditionalDiscriminator({ numClasses: K, conditioning: 'film' as never })).toThrow(
      /conditioning must be 'embedding', 'one-hot' or 'projection', got "film"/,
    );
    expectDisposeFreesAll(() => conditionalDiscriminator({ numClasses: K, conditioning: 'projection', baseFilters: 2 }));
    expectDisposeFreesAll(() => conditionalDiscriminator({ numClasses: K, conditioning: 'embedding', baseFilters: 2 }));
  });
});

describe('acganDiscriminator', () => {
  it('returns [b, 1 + K]: column 0 the real/fake head, the rest the class head; splitAcganOutput splits it', () => {
    const d = acganDiscriminator({ numClasses: K, baseFilters: 4, seed: 9 });
    expect(d.outputShape).toEqual([1 + K]);
    expect(d.usesLabels).toBe(false);
    const x = new RandomSource(10).normal([3, 28, 28, 1]);
    const out = d.apply(x, { training: false });
    expect(out.shape).toEqual([3, 1 + K]);
    const before = tf.memory().numTensors;
    const { adversarial, classLogits } = splitAcganOutput(out, K);
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(adversarial.shape).toEqual([3, 1]);
    expect(classLogits.shape).toEqual([3, K]);
    const rows = out.arraySync() as number[][];
    expect((adversarial.arraySync() as number[][]).map((r) => r[0])).toEqual(rows.map((r) => r[0]));
    expect(classLogits.arraySync()).toEqual(rows.map((r) => r.slice(1)));
    // column 0 is the 'adversarial' head and the rest the 'classifier' head, both on the shared features
    const h = d.applyEndpoint('features', x, { training: false });
    const advHead = d.layers.find((l) => l.name === 'discriminator/adversarial')?.apply(h, { training: false }) as tf.Tensor;
    const clsHead = d.layers.find((l) => l.name === 'discriminator/classifier')?.apply(h, { training: false }) as tf.Tensor;
    expect(maxAbsDiff(adversarial, advHead)).toBeLessThan(1e-6);
    expect(maxAbsDiff(classLogits, clsHead)).toBeLessThan(1e-6);
    expectNoLeak(d, x);
    const wrong = tf.zeros([3, 1]);
    expect(() => splitAcganOutput(wrong)).toThrow('splitAcganOutput: expected [batch, 1 + numClasses] with numClasses >= 1, got [3, 1]');
    expect(() => splitAcganOutput(out, 4)).toThrow('splitAcganOutput: expected [batch, 5] for 4 classes, got [3, 11]');
    tf.dispose([x, out, adversarial, classLogits, h, advHead, clsHead, wrong]);
    d.dispose();
    expectDisposeFreesAll(() => acganDiscriminator({ numClasses: 3, baseFilters: 2 }));
  });
});

describe('conditional networks: gradients (cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('wasm');
  });

  it('reach every trainable variable of G (both conditionings) and D (all three, and ACGAN)', () => {
    const z = new RandomSource(11).normal([3, 4]);
    const x = new RandomSource(12).normal([3, 28, 28, 1]);
    const labels = labelsA();
    for (const conditioning of ['embedding', 'one-hot'] as const) {
      const g = conditionalGenerator({ numClasses: K, latentDim: 4, conditioning, baseFilters: 2, seed: 1 });
      expectGradientsFlow(g, z, labels);
      g.dispose();
    }
    for (const conditioning of ['embedding', 'one-hot', 'projection'] as const) {
      const d = conditionalDiscriminator({ numClasses: K, conditioning, baseFilters: 2, seed: 2 });
      expectGradientsFlow(d, x, labels);
      d.dispose();
    }
    const ac = acganDiscriminator({ numClasses: K, baseFilters: 2, seed: 3 });
    expectGradientsFlow(ac, x);
    ac.dispose();
    tf.dispose([z, x, labels]);
  });
});
