import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { buildLayer } from '../layer';
import { batchNorm } from './batch-norm';
import { conditionalBatchNorm } from './conditional-batch-norm';

/** Per-channel mean and biased variance of an NHWC-like array flattened to [rows, channels]. */
function channelStats(values: Float32Array | Int32Array | Uint8Array, channels: number): { mean: number[]; variance: number[] } {
  const rows = values.length / channels;
  const mean = new Array(channels).fill(0);
  const variance = new Array(channels).fill(0);
  for (let i = 0; i < values.length; i++) mean[i % channels] += values[i] / rows;
  for (let i = 0; i < values.length; i++) variance[i % channels] += (values[i] - mean[i % channels]) ** 2 / rows;
  return { mean, variance };
}

function shiftedBatch(rng: RandomSource, shape: number[]): tf.Tensor {
  // channels with different means and scales
  const c = shape[shape.length - 1];
  return tf.tidy(() => tf.add(tf.mul(rng.normal(shape), tf.range(1, c + 1)), tf.mul(tf.range(0, c), 3)));
}

describe('batchNorm', () => {
  it('training output has per-channel mean ~0 and variance ~1', () => {
    const layer = buildLayer(batchNorm(), [5, 5, 4], { name: 'bn' });
    const x = shiftedBatch(new RandomSource(1), [8, 5, 5, 4]);
    const y = layer.apply(x, { training: true });
    const { mean, variance } = channelStats(y.dataSync(), 4);
    for (let c = 0; c < 4; c++) {
      expect(Math.abs(mean[c])).toBeLessThan(1e-4);
      // variance/(variance+eps) ~ 1 - eps/variance
      expect(Math.abs(variance[c] - 1)).toBeLessThan(1e-3);
    }
    tf.dispose([x, y]);
    layer.dispose();
  });

  it('moving statistics follow moving = m·moving + (1-m)·batch, only in training', () => {
    for (const momentum of [0.9, 0.5]) {
      const layer = buildLayer(batchNorm({ momentum }), [3], { name: 'bn' });
      const [movingMean, movingVariance] = layer.nonTrainableVariables;
      expect(movingMean.name).toBe('bn/moving_mean');
      expect(movingVariance.name).toBe('bn/moving_variance');
      expect(movingMean.trainable).toBe(false);
      let mm = [0, 0, 0];
      let mv = [1, 1, 1];
      const rng = new RandomSource(2);
      for (let step = 0; step < 3; step++) {
        const x = shiftedBatch(rng, [16, 3]);
        const { mean, variance } = channelStats(x.dataSync(), 3);
        tf.dispose(layer.apply(x, { training: true }));
        mm = mm.map((v, c) => momentum * v + (1 - momentum) * mean[c]);
        mv = mv.map((v, c) => momentum * v + (1 - momentum) * variance[c]);
        const gotMean = Array.from(movingMean.dataSync());
        const gotVar = Array.from(movingVariance.dataSync());
        for (let c = 0; c < 3; c++) {
          expect(gotMean[c]).toBeCloseTo(mm[c], 4);
          expect(gotVar[c]).toBeCloseTo(mv[c], 3);
        }
        x.dispose();
      }
      layer.dispose();
    }
  });

  it('inference uses the moving statistics and changes nothing', () => {
    const layer = buildLayer(batchNorm({ epsilon: 1e-3 }), [2, 2, 3], { name: 'bn' });
    const [gamma, beta] = layer.trainableVariables;
    gamma.assign(tf.tensor1d([2, 0.5, -1]));
    beta.assign(tf.tensor1d([0.1, -0.2, 0.3]));
    const rng = new RandomSource(4);
    const warm = shiftedBatch(rng, [4, 2, 2, 3]);
    tf.dispose(layer.apply(warm, { training: true }));
    const snapshot = [...layer.trainableVariables, ...layer.nonTrainableVariables].map((v) => v.dataSync().slice());
    const mm = Array.from(layer.nonTrainableVariables[0].dataSync());
    const mv = Array.from(layer.nonTrainableVariables[1].dataSync());
    const g = [2, 0.5, -1];
    const b = [0.1, -0.2, 0.3];
    const x = shiftedBatch(rng, [3, 2, 2, 3]);
    const before = tf.memory().numTensors;
    const y = layer.apply(x, { training: false });
    expect(tf.memory().numTensors).toBe(before + 1);
    const xv = x.dataSync();
    const yv = y.dataSync();
    for (let i = 0; i < xv.length; i++) {
      const c = i % 3;
      expect(yv[i]).toBeCloseTo((g[c] * (xv[i] - mm[c])) / Math.sqrt(mv[c] + 1e-3) + b[c], 4);
    }
    const after = [...layer.trainableVariables, ...layer.nonTrainableVariables].map((v) => v.dataSync());
    after.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(snapshot[i])));
    tf.dispose([warm, x, y]);
    layer.dispose();
  });

  it('does not leak in training mode; dispose frees its four variables', () => {
    const before0 = tf.memory().numTensors;
    const layer = buildLayer(batchNorm(), [6], { name: 'bn' });
    expect(tf.memory().numTensors).toBe(before0 + 4);
    const x = tf.randomNormal([5, 6], 0, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    const y = layer.apply(x, { training: true });
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, y]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before0);
  });

  it('rejects a bad momentum', () => {
    expect(() => batchNorm({ momentum: 1 })).toThrow(GankitError);
    expect(() => batchNorm({ momentum: -0.1 })).toThrow(/momentum must be in \[0, 1\), got -0.1/);
  });
});

describe('conditionalBatchNorm', () => {
  it('scales and shifts each example by its class', () => {
    const layer = buildLayer(conditionalBatchNorm({ numClasses: 3 }), [2], { name: 'cbn' });
    const [gamma, beta] = layer.trainableVariables;
    expect(gamma.shape).toEqual([3, 2]);
    gamma.assign(
      tf.tensor2d([
        [1, 1],
        [2, 3],
        [-1, 0.5],
      ]),
    );
    beta.assign(
      tf.tensor2d([
        [0, 0],
        [10, 20],
        [-5, 5],
      ]),
    );
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ]);
    const labels = tf.tensor1d([0, 1, 2, 1], 'int32');
    const y = layer.apply(x, { training: true, labels });
    // batch statistics per channel: mean [4, 5], variance 5
    const norm = [-3, -1, 1, 3].map((v) => v / Math.sqrt(5 + 1e-5));
    const G = [
      [1, 1],
      [2, 3],
      [-1, 0.5],
    ];
    const B = [
      [0, 0],
      [10, 20],
      [-5, 5],
    ];
    const got = y.arraySync() as number[][];
    [0, 1, 2, 1].forEach((k, n) => {
      for (let c = 0; c < 2; c++) expect(got[n][c]).toBeCloseTo(G[k][c] * norm[n] + B[k][c], 4);
    });
    expect(() => layer.apply(x, { training: false })).toThrow(/layer 'cbn' is conditional: pass int32 class labels \[4\]/);
    const bad = tf.tensor1d([0, 1, 2, 1], 'float32');
    expect(() => layer.apply(x, { training: false, labels: bad })).toThrow(/labels must be int32, got float32/);
    tf.dispose([x, labels, y, bad]);
    layer.dispose();
  });

  it('works on images and does not leak', () => {
    const layer = buildLayer(conditionalBatchNorm({ numClasses: 10 }), [4, 4, 3], { name: 'cbn' });
    const x = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 3);
    const labels = tf.tensor1d([7, 2], 'int32');
    for (const training of [true, false]) {
      const before = tf.memory().numTensors;
      const y = layer.apply(x, { training, labels });
      expect(y.shape).toEqual([2, 4, 4, 3]);
      expect(tf.memory().numTensors).toBe(before + 1);
      y.dispose();
    }
    tf.dispose([x, labels]);
    layer.dispose();
  });
});
