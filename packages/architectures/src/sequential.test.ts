import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource, countParameters, networkVariables } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { batchNorm } from './layers/batch-norm';
import { conv2d } from './layers/conv2d';
import { concatLabel } from './layers/concat-label';
import { dense } from './layers/dense';
import { embedding } from './layers/embedding';
import { leakyRelu, relu } from './layers/activations';
import { flatten } from './layers/shape-layers';
import { sequential } from './sequential';

function smallNet(name = 'net', seed = 1) {
  return sequential({
    name,
    inputShape: [4],
    seed,
    layers: [
      dense({ units: 8 }),
      batchNorm(),
      relu(),
      dense({ units: 8, name: 'hidden' }),
      leakyRelu(),
      dense({ units: 2, useBias: false }),
    ],
  });
}

describe('sequential', () => {
  it('names variables <network>/<layer>/<variable> in a fixed order', () => {
    const net = smallNet();
    expect(net.trainableVariables.map((v) => v.name)).toEqual([
      'net/dense_0/kernel',
      'net/dense_0/bias',
      'net/batch_norm_0/gamma',
      'net/batch_norm_0/beta',
      'net/hidden/kernel',
      'net/hidden/bias',
      'net/dense_1/kernel',
    ]);
    expect(net.nonTrainableVariables.map((v) => v.name)).toEqual(['net/batch_norm_0/moving_mean', 'net/batch_norm_0/moving_variance']);
    expect(net.trainableVariables.every((v) => v.trainable)).toBe(true);
    expect(net.nonTrainableVariables.every((v) => !v.trainable)).toBe(true);
    expect(net.outputShape).toEqual([2]);
    expect(countParameters(net)).toBe(4 * 8 + 8 + 16 + 8 * 8 + 8 + 8 * 2);
    expect(net.summary()).toContain('net/hidden');
    net.dispose();
  });

  it('the same seed gives bit-identical weights, another seed different ones', () => {
    const read = (seed: number) => {
      const net = smallNet('net', seed);
      const values = networkVariables(net).map((v) => v.dataSync().slice());
      net.dispose();
      return values;
    };
    const a = read(5);
    const b = read(5);
    const c = read(6);
    a.forEach((v, i) => expect(Buffer.from(v.buffer).equals(Buffer.from(b[i].buffer))).toBe(true));
    expect(Array.from(a[0])).not.toEqual(Array.from(c[0]));
  });

  it('checks shapes at build time, naming the layer and both shapes; frees what it built', () => {
    const before = tf.memory().numTensors;
    expect(() =>
      sequential({ name: 'd', inputShape: [28, 28, 1], layers: [conv2d({ filters: 4, kernelSize: 3 }), dense({ units: 1 })] }),
    ).toThrow(
      "layer 'd/dense_0' expects input of shape [?, ?] (rank 2 with the batch), got [?, 28, 28, 4]; put a flatten() layer before a dense layer on images",
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(() =>
      sequential({ name: 'd', inputShape: [3], layers: [dense({ units: 2, name: 'x' }), dense({ units: 2, name: 'x' })] }),
    ).toThrow(/two layers are named 'x'/);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => sequential({ name: 'd', inputShape: [0], layers: [relu()] })).toThrow(/inputShape must be a list of positive integers/);
    expect(() => sequential({ name: 'd', inputShape: [3], layers: [relu as never] })).toThrow(/not a layer spec/);
  });

  it('refuses a second live network with the same name, clearly', () => {
    const a = smallNet('twin');
    const before = tf.memory().numTensors;
    let err: unknown;
    try {
      smallNet('twin');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GankitError);
    expect((err as GankitError).message).toMatch(/a variable named 'twin\/dense_0\/kernel' already exists/);
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
    const b = smallNet('twin');
    b.dispose();
  });

  it('checks the input shape and dtype with clear errors', () => {
    const net = sequential({ name: 'discriminator', inputShape: [28, 28, 1], layers: [flatten(), dense({ units: 1 })] });
    const wrong = tf.zeros([2, 28, 28]);
    expect(() => net.apply(wrong, { training: false })).toThrow(
      "network 'discriminator': expected input of shape [?, 28, 28, 1], got [2, 28, 28]",
    );
    const ints = tf.zeros([2, 28, 28, 1], 'int32');
    expect(() => net.apply(ints, { training: false })).toThrow("network 'discriminator': expected a float32 input, got int32");
    const ok = tf.zeros([2, 28, 28, 1]);
    expect(() => net.apply(ok, {} as never)).toThrow(/needs options \{ training: boolean \}/);
    tf.dispose([wrong, ints, ok]);
    net.dispose();
  });

  it('checks labels for conditional networks and supports int32 inputs', () => {
    const net = sequential({ name: 'c', inputShape: [3], layers: [concatLabel({ numClasses: 4 }), dense({ units: 2 })] });
    expect(net.usesLabels).toBe(true);
    const x = tf.ones([2, 3]);
    expect(() => net.apply(x, { training: false })).toThrow(/layer 'c' is conditional: pass int32 class labels \[2\]/);
    const labels = tf.tensor1d([0, 3], 'int32');
    const y = net.apply(x, { training: false, labels });
    expect(y.shape).toEqual([2, 2]);
    const e = sequential({
      name: 'e',
      inputShape: [],
      inputDtype: 'int32',
      layers: [embedding({ inputDim: 4, outputDim: 3 }), dense({ units: 1 })],
    });
    const z = e.apply(labels, { training: false });
    expect(z.shape).toEqual([2, 1]);
    tf.dispose([x, labels, y, z]);
    net.dispose();
    e.dispose();
  });

  it('frees every intermediate in both modes, and every variable on dispose', () => {
    const start = tf.memory().numTensors;
    const net = smallNet();
    expect(tf.memory().numTensors).toBe(start + net.trainableVariables.length + net.nonTrainableVariables.length);
    const x = new RandomSource(3).normal([5, 4]);
    for (const training of [true, false]) {
      const before = tf.memory().numTensors;
      const y = net.apply(x, { training });
      expect(tf.memory().numTensors).toBe(before + 1);
      y.dispose();
    }
    x.dispose();
    net.dispose();
    expect(tf.memory().numTensors).toBe(start);
    expect(net.trainableVariables.every((v) => v.isDisposed)).toBe(true);
    const x2 = tf.ones([1, 4]);
    expect(() => net.apply(x2, { training: false })).toThrow(/has been disposed/);
    x2.dispose();
    net.dispose(); // idempotent
  });
});
