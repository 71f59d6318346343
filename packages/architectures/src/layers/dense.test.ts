import * as tf from '@tensorflow/tfjs-core';
import { GankitError } from '@gankit/core';
import type { WeightParametrization, WeightParametrizationFactory } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { constant } from '../initializers';
import { buildLayer } from '../layer';
import { dense } from './dense';

describe('dense', () => {
  it('computes x·W + b (checked against a hand-written loop)', () => {
    const layer = buildLayer(dense({ units: 3, biasInitializer: constant(0.5) }), [4], { name: 'd', seed: 11 });
    const [kernel, bias] = layer.trainableVariables;
    expect(kernel.name).toBe('d/kernel');
    expect(bias.name).toBe('d/bias');
    expect(kernel.shape).toEqual([4, 3]);
    const W = kernel.arraySync() as number[][];
    const b = bias.arraySync() as number[];
    const xs = [
      [1, -2, 0.5, 3],
      [0, 0.25, -1, 2],
    ];
    const x = tf.tensor2d(xs);
    const y = layer.apply(x, { training: false });
    expect(y.shape).toEqual([2, 3]);
    const got = y.arraySync() as number[][];
    for (let n = 0; n < 2; n++) {
      for (let j = 0; j < 3; j++) {
        let want = b[j];
        for (let i = 0; i < 4; i++) want += xs[n][i] * W[i][j];
        expect(got[n][j]).toBeCloseTo(want, 5);
      }
    }
    tf.dispose([x, y]);
    layer.dispose();
  });

  it('has no bias with useBias: false', () => {
    const layer = buildLayer(dense({ units: 2, useBias: false, kernelInitializer: constant(1) }), [3]);
    expect(layer.trainableVariables.map((v) => v.name)).toEqual(['dense_0/kernel']);
    const x = tf.tensor2d([[1, 2, 3]]);
    const y = layer.apply(x, { training: true });
    expect(Array.from(y.dataSync())).toEqual([6, 6]);
    tf.dispose([x, y]);
    layer.dispose();
  });

  it('rejects image inputs with a clear error', () => {
    expect(() => buildLayer(dense({ units: 2 }), [7, 7, 3], { name: 'g/dense_0' })).toThrow(GankitError);
    expect(() => buildLayer(dense({ units: 2 }), [7, 7, 3], { name: 'g/dense_0' })).toThrow(
      "layer 'g/dense_0' expects input of shape [?, ?] (rank 2 with the batch), got [?, 7, 7, 3]; put a flatten() layer before a dense layer on images",
    );
    expect(() => dense({ units: 0 })).toThrow(/units must be a positive integer, got 0/);
  });

  it('uses a weight parametrization on its kernel and reports its state', () => {
    const calls: { shape: readonly number[]; name: string }[] = [];
    let disposed = false;
    // a parametrization that doubles the kernel and counts training calls in its own variable
    const factory: WeightParametrizationFactory = (shape, name) => {
      calls.push({ shape, name });
      const count = tf.variable(tf.scalar(0), false, `${name}/count`);
      const p: WeightParametrization = {
        name: 'double',
        variables: [count],
        apply: (kernel, options) => {
          if (options.training) count.assign(tf.add(count, 1));
          return tf.mul(kernel, 2);
        },
        dispose: () => {
          disposed = true;
          count.dispose();
        },
      };
      return p;
    };
    const layer = buildLayer(dense({ units: 2, useBias: false, kernelInitializer: constant(0.5), weightParametrization: factory }), [2], {
      name: 'sn',
    });
    expect(calls).toEqual([{ shape: [2, 2], name: 'sn/kernel' }]);
    expect(layer.nonTrainableVariables.map((v) => v.name)).toEqual(['sn/kernel/count']);
    const x = tf.tensor2d([[1, 3]]);
    const before = tf.memory().numTensors;
    const y = layer.apply(x, { training: true });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(Array.from(y.dataSync())).toEqual([4, 4]);
    expect(layer.nonTrainableVariables[0].dataSync()[0]).toBe(1);
    tf.dispose([x, y]);
    const baseline = tf.memory().numTensors;
    layer.dispose();
    expect(disposed).toBe(true);
    expect(tf.memory().numTensors).toBe(baseline - 2);
  });
});
