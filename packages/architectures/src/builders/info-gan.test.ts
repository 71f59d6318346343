import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, ensureGradients } from '@gankit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGradientsFlow, expectNoLeak } from '../test-helpers';
import { infoganDiscriminator, infoganGenerator } from './info-gan';

describe('infoganGenerator', () => {
  it("takes [noise + K + C] (the paper's 62 + 10 + 2 by default) and makes [b, 28, 28, 1] in (-1, 1)", () => {
    const g = infoganGenerator({ hiddenUnits: 8, baseFilters: 2, seed: 1 });
    expect(g.inputShape).toEqual([74]);
    expect(g.outputShape).toEqual([28, 28, 1]);
    const names = g.trainableVariables.map((v) => v.name);
    expect(g.trainableVariables.find((v) => v.name === 'generator/dense_0/kernel')?.shape).toEqual([74, 8]);
    expect(names).toContain('generator/conv2d_transpose_1/kernel');
    const z = new RandomSource(2).normal([3, 74]);
    const x = g.apply(z, { training: false });
    expect(x.shape).toEqual([3, 28, 28, 1]);
    expect(tf.tidy(() => tf.max(tf.abs(x)).dataSync()[0])).toBeLessThanOrEqual(1);
    expectNoLeak(g, z);
    tf.dispose([z, x]);
    g.dispose();
    const small = infoganGenerator({ noiseDim: 5, numCategories: 0, numContinuous: 3, hiddenUnits: 4, baseFilters: 2 });
    expect(small.inputShape).toEqual([8]);
    small.dispose();
  });

  it('refuses a bad count or an empty input in one line', () => {
    expect(() => infoganGenerator({ numContinuous: -1 })).toThrow('infoganGenerator: numContinuous must be an integer >= 0, got -1');
    expect(() => infoganGenerator({ noiseDim: 0, numCategories: 0, numContinuous: 0 })).toThrow(
      'infoganGenerator: noiseDim, numCategories and numContinuous are all 0; the generator has no input',
    );
  });
});

describe('infoganDiscriminator', () => {
  it('returns [b, 1 + K + C] (fixed σ) or [b, 1 + K + 2C] (learned σ), both heads on the shared body', () => {
    const x = new RandomSource(3).normal([3, 28, 28, 1]);
    for (const [continuousStd, width] of [
      ['fixed', 13],
      ['learned', 15],
    ] as const) {
      const d = infoganDiscriminator({ continuousStd, hiddenUnits: 8, qHiddenUnits: 4, baseFilters: 2, seed: 4 });
      expect(d.outputShape).toEqual([width]);
      expect(d.usesLabels).toBe(false);
      const out = d.apply(x, { training: false });
      expect(out.shape).toEqual([3, width]);
      // The heads read the body's features: re-applying them to the 'features' endpoint gives the columns.
      const h = d.applyEndpoint('features', x, { training: false });
      expect(h.shape).toEqual([3, 8]);
      const adv = d.layers.find((l) => l.name === 'discriminator/adversarial')?.apply(h, { training: false }) as tf.Tensor;
      const rows = out.arraySync() as number[][];
      expect(Array.from(adv.dataSync())).toEqual(rows.map((r) => r[0]));
      expectNoLeak(d, x);
      tf.dispose([out, h, adv]);
      d.dispose();
    }
    x.dispose();
  });

  it('refuses a bad σ kind or nothing to predict', () => {
    expect(() => infoganDiscriminator({ continuousStd: 'wide' as never })).toThrow(
      `infoganDiscriminator: continuousStd must be 'fixed' or 'learned', got "wide"`,
    );
    expect(() => infoganDiscriminator({ numCategories: 0, numContinuous: 0 })).toThrow(
      'infoganDiscriminator: numCategories and numContinuous are both 0; Q has nothing to predict',
    );
  });
});

describe('infogan networks: gradients (cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend('wasm');
  });

  it('reach every variable of G and D; the Q columns move the body and the Q head but not the real/fake head', () => {
    ensureGradients();
    const g = infoganGenerator({ noiseDim: 3, hiddenUnits: 4, baseFilters: 2, seed: 1 });
    const z = new RandomSource(5).normal([3, 15]);
    expectGradientsFlow(g, z);
    const d = infoganDiscriminator({ hiddenUnits: 4, qHiddenUnits: 4, baseFilters: 2, seed: 2 });
    const x = new RandomSource(6).normal([3, 28, 28, 1]);
    expectGradientsFlow(d, x);
    const vars = d.trainableVariables as tf.Variable[];
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.slice(d.apply(x, { training: true }), [0, 1], [-1, -1])) as tf.Scalar, vars);
    const norms = Object.fromEntries(Object.entries(grads).map(([k, v]) => [k, tf.tidy(() => tf.norm(v).dataSync()[0])]));
    expect(norms['discriminator/adversarial/kernel']).toBe(0);
    expect(norms['discriminator/body/conv2d_0/kernel']).toBeGreaterThan(0);
    expect(Object.keys(norms).some((k) => k.startsWith('discriminator/q/') && norms[k] > 0)).toBe(true);
    tf.dispose([value, ...Object.values(grads), x, z]);
    g.dispose();
    d.dispose();
  });
});
