import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, networkVariables } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { expectGradientsFlow, expectNoLeak, maxAbsDiff } from '../test-helpers';
import { bigganGenerator, bigganLatentLayout } from './biggan';

const labels = (): tf.Tensor => tf.tensor1d([0, 3, 9], 'int32');

describe('bigganGenerator', () => {
  it('z [b, 60] + labels -> [b, 28, 28, 1] in [-1, 1]: one shared embedding, a conditional batch norm per block fed [z_i, e(y)]', () => {
    const g = bigganGenerator({ numClasses: 10, baseFilters: 4, seed: 1 });
    expect(g.inputShape).toEqual([60]);
    expect(g.outputShape).toEqual([28, 28, 1]);
    expect(g.usesLabels).toBe(true);
    const shapes = Object.fromEntries(g.trainableVariables.map((v) => [v.name, v.shape]));
    expect(shapes).toEqual({
      'generator/dense/kernel': [20 + 32, 7 * 7 * 8],
      'generator/shared/embeddings': [10, 32],
      'generator/cbn_0/gamma_kernel': [52, 8],
      'generator/cbn_0/beta_kernel': [52, 8],
      'generator/up_0/kernel': [4, 4, 4, 8],
      'generator/cbn_1/gamma_kernel': [52, 4],
      'generator/cbn_1/beta_kernel': [52, 4],
      'generator/up_1/kernel': [4, 4, 1, 4],
      'generator/up_1/bias': [1],
    });
    const z = new RandomSource(2).normal([3, 60]);
    const y = labels();
    const x = g.apply(z, { training: false, labels: y });
    expect(x.shape).toEqual([3, 28, 28, 1]);
    expect(tf.tidy(() => tf.max(tf.abs(x)).dataSync()[0])).toBeLessThanOrEqual(1);
    expect(() => g.apply(z, { training: false })).toThrow(/is conditional: pass int32 class labels \[3\]/);
    expectNoLeak(g, z, y);
    expectGradientsFlow(g, z, y);
    tf.dispose([z, y, x]);
    g.dispose();
  });

  it('every chunk of z and the label change the image (the hierarchy reaches every block)', () => {
    const g = bigganGenerator({ numClasses: 10, latentDim: 12, embeddingDim: 4, baseFilters: 4, seed: 3 });
    const z = new RandomSource(5).normal([3, 12]);
    const y = labels();
    const base = g.apply(z, { training: false, labels: y });
    for (let chunk = 0; chunk < 3; chunk++) {
      const changed = tf.tidy(() => {
        const mask = tf.concat([tf.zeros([3, 4 * chunk]), tf.ones([3, 4]), tf.zeros([3, 8 - 4 * chunk])], 1);
        return g.apply(tf.add(z, mask), { training: false, labels: y });
      });
      expect(maxAbsDiff(base, changed), `chunk ${chunk}`).toBeGreaterThan(1e-4);
      changed.dispose();
    }
    const other = tf.tensor1d([1, 4, 2], 'int32');
    const byLabel = g.apply(z, { training: false, labels: other });
    expect(maxAbsDiff(base, byLabel)).toBeGreaterThan(1e-4);
    tf.dispose([z, y, base, other, byLabel]);
    g.dispose();
  });

  it('is seeded, lays out other image sizes, frees every tensor, and refuses a latentDim that does not split', () => {
    const weights = (seed: number) => {
      const g = bigganGenerator({ numClasses: 3, baseFilters: 2, seed });
      const values = g.trainableVariables.map((v) => Array.from(v.dataSync()));
      g.dispose();
      return values;
    };
    expect(weights(7)).toEqual(weights(7));
    expect(weights(7)).not.toEqual(weights(8));
    expect(bigganLatentLayout({ numClasses: 3, imageShape: [32, 32, 3] })).toEqual({ chunks: 4, chunkDim: 20, conditionDim: 52 });
    const before = tf.memory().numTensors;
    const g = bigganGenerator({ numClasses: 3, imageShape: [32, 32, 3], baseFilters: 2 });
    expect(g.outputShape).toEqual([32, 32, 3]);
    expect(tf.memory().numTensors).toBe(before + networkVariables(g).length);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => bigganGenerator({ numClasses: 10, latentDim: 100 })).toThrow(
      'bigganGenerator: latentDim 100 must split into 3 equal chunks (one for the first layer, one per upsampling block); use a multiple of 3',
    );
    expect(() => bigganGenerator({ numClasses: 10, embeddingDim: 0 })).toThrow(/embeddingDim must be a positive integer, got 0/);
    // The original BigGAN's first layer sees z₀ alone.
    const plain = bigganGenerator({ numClasses: 3, baseFilters: 2, conditionFirstLayer: false });
    expect(plain.trainableVariables.find((v) => v.name === 'generator/dense/kernel')?.shape).toEqual([20, 7 * 7 * 4]);
    const z = new RandomSource(1).normal([2, 60]);
    const y = tf.tensor1d([0, 2], 'int32');
    tf.dispose([plain.apply(z, { training: false, labels: y }), z, y]);
    plain.dispose();
    expect(() => bigganGenerator({ numClasses: 3, conditionFirstLayer: 'yes' as never })).toThrow(
      /conditionFirstLayer must be true or false/,
    );
  });
});
