import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource, ensureGradients } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { constant } from '../initializers';
import { buildLayer } from '../layer';
import { dense } from './dense';
import { asLinearConditionalBatchNorm, linearConditionalBatchNorm } from './conditional-batch-norm-linear';

/** Builds the layer for `[channels]` (or spatial) inputs and returns it typed. */
function build(conditionDim: number, inputShape: number[], init?: number) {
  const spec = linearConditionalBatchNorm({ conditionDim, kernelInitializer: init === undefined ? undefined : constant(init) });
  return asLinearConditionalBatchNorm(buildLayer(spec, inputShape, { name: 'cbn', seed: 3 }));
}

describe('linearConditionalBatchNorm', () => {
  it('computes (1 + c·W_γ) ⊙ (x − μ)/√(σ² + ε) + c·W_β with batch statistics in training (by hand)', () => {
    const layer = build(2, [2]);
    const [gammaKernel, betaKernel] = layer.trainableVariables;
    expect(gammaKernel.name).toBe('cbn/gamma_kernel');
    expect(betaKernel.name).toBe('cbn/beta_kernel');
    expect(gammaKernel.shape).toEqual([2, 2]);
    const Wg = [
      [0.5, -1],
      [2, 0.25],
    ];
    const Wb = [
      [1, 0],
      [-0.5, 3],
    ];
    gammaKernel.assign(tf.tensor2d(Wg));
    betaKernel.assign(tf.tensor2d(Wb));
    const xs = [
      [1, 10],
      [3, 14],
      [5, 12],
    ];
    const cs = [
      [1, 0],
      [0, 1],
      [0.5, -2],
    ];
    const x = tf.tensor2d(xs);
    const c = tf.tensor2d(cs);
    const y = layer.applyConditioned(x, c, { training: true }).arraySync() as number[][];
    for (let ch = 0; ch < 2; ch++) {
      const col = xs.map((r) => r[ch]);
      const mean = col.reduce((s, v) => s + v, 0) / 3;
      const variance = col.reduce((s, v) => s + (v - mean) ** 2, 0) / 3;
      for (let i = 0; i < 3; i++) {
        const gamma = 1 + cs[i][0] * Wg[0][ch] + cs[i][1] * Wg[1][ch];
        const beta = cs[i][0] * Wb[0][ch] + cs[i][1] * Wb[1][ch];
        const expected = (gamma * (xs[i][ch] - mean)) / Math.sqrt(variance + 1e-5) + beta;
        expect(y[i][ch]).toBeCloseTo(expected, 4);
      }
    }
    tf.dispose([x, c]);
    layer.dispose();
  });

  it('keeps moving statistics like batch norm and uses them in inference, changing nothing', () => {
    const layer = build(3, [4, 4, 2], 0);
    const [movingMean, movingVariance] = layer.nonTrainableVariables;
    expect(movingMean.name).toBe('cbn/moving_mean');
    const rng = new RandomSource(1);
    const x = tf.tidy(() => tf.add(tf.mul(rng.normal([5, 4, 4, 2]), 2), 3));
    const c = rng.normal([5, 3]);
    tf.dispose(layer.applyConditioned(x, c, { training: true }));
    // momentum 0.9: moving = 0.1 · batch statistic after one step from (0, 1)
    const { mean, variance } = tf.tidy(() => tf.moments(x, [0, 1, 2]));
    const m = Array.from(mean.dataSync());
    const v = Array.from(variance.dataSync());
    Array.from(movingMean.dataSync()).forEach((got, i) => expect(got).toBeCloseTo(0.1 * m[i], 4));
    Array.from(movingVariance.dataSync()).forEach((got, i) => expect(got).toBeCloseTo(0.9 + 0.1 * v[i], 4));
    // inference with zero projections: plain (x − moving mean)/√(moving var + ε), statistics unchanged
    const y = layer.applyConditioned(x, c, { training: false });
    const expected = tf.tidy(() => tf.div(tf.sub(x, movingMean), tf.sqrt(tf.add(movingVariance, 1e-5))));
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0])).toBeLessThan(1e-5);
    Array.from(movingMean.dataSync()).forEach((got, i) => expect(got).toBeCloseTo(0.1 * m[i], 4));
    tf.dispose([x, c, y, expected, mean, variance]);
    layer.dispose();
  });

  it('the condition steers the output per example, and the gradient reaches both projections and the condition', () => {
    ensureGradients();
    const layer = build(2, [3]);
    const rng = new RandomSource(4);
    const x = rng.normal([4, 3]);
    const c1 = rng.normal([4, 2]);
    const c2 = rng.normal([4, 2]);
    const y1 = layer.applyConditioned(x, c1, { training: false });
    const y2 = layer.applyConditioned(x, c2, { training: false });
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(y1, y2))).dataSync()[0])).toBeGreaterThan(1e-4);
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.square(layer.applyConditioned(x, c1, { training: true }))) as tf.Scalar,
      [...layer.trainableVariables],
    );
    for (const v of layer.trainableVariables) expect(tf.tidy(() => tf.norm(grads[v.name]).dataSync()[0])).toBeGreaterThan(0);
    const gc = tf.grad((c: tf.Tensor) => tf.sum(layer.applyConditioned(x, c, { training: false })))(c1);
    expect(tf.tidy(() => tf.norm(gc).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([x, c1, c2, y1, y2, gc, ...Object.values(grads)]);
    layer.dispose();
  });

  it('adds only its result (no leaks) and refuses a missing or mis-shaped condition in one line', () => {
    const layer = build(2, [3]);
    const x = tf.ones([4, 3]);
    const c = tf.ones([4, 2]);
    for (const training of [true, false]) {
      const before = tf.memory().numTensors;
      const y = layer.applyConditioned(x, c, { training });
      expect(tf.memory().numTensors).toBe(before + 1);
      y.dispose();
    }
    expect(() => layer.apply(x, { training: false })).toThrow(/layer 'cbn' is conditioned on a vector: call applyConditioned/);
    const wrong = tf.ones([4, 3]);
    expect(() => layer.applyConditioned(x, wrong, { training: false })).toThrow(
      "layer 'cbn': the condition must have shape [4, 2], got [4, 3]",
    );
    const ints = tf.ones([4, 2], 'int32');
    expect(() => layer.applyConditioned(x, ints, { training: false })).toThrow(/the condition must be float32, got int32/);
    expect(() => linearConditionalBatchNorm({ conditionDim: 0 })).toThrow(/conditionDim must be a positive integer, got 0/);
    const other = buildLayer(dense({ units: 2 }), [3], { name: 'not_cbn' });
    expect(() => asLinearConditionalBatchNorm(other)).toThrow(GankitError);
    tf.dispose([x, c, wrong, ints]);
    other.dispose();
    layer.dispose();
  });
});
