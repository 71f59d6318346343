import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { RandomSource, ensureGradients } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { expectGradientsFlow, expectNoLeak, maxAbsDiff } from '../test-helpers';
import { fromLayersModel } from './layers-model';

function smallModel(name: string): tfl.Sequential {
  return tfl.sequential({
    name,
    layers: [
      tfl.layers.dense({ inputShape: [3], units: 8, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.batchNormalization(),
      tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

describe('fromLayersModel', () => {
  it('maps the weights to variables in the model order; inference equals model.predict', () => {
    const before = tf.memory().numTensors;
    const model = smallModel('critic_model');
    const net = fromLayersModel(model, { name: 'critic' });
    expect(net.name).toBe('critic');
    expect(net.model).toBe(model);
    // typed structurally (no tfjs-layers in the published types), yet the model keeps its own type
    const typed: tfl.Sequential = net.model;
    expect(typed.layers).toHaveLength(3);
    expect(net.inputShape).toEqual([3]);
    expect(net.outputShape).toEqual([2]);
    // dense kernel, bias; batch norm gamma, beta; dense kernel, bias (trainable); moving mean, variance
    expect(net.trainableVariables.map((v) => v.shape)).toEqual([[3, 8], [8], [8], [8], [8, 2], [2]]);
    expect(net.trainableVariables.map((v) => v.name)).toEqual(model.trainableWeights.map((w) => (w.read() as tf.Variable).name));
    expect(net.nonTrainableVariables.map((v) => v.shape)).toEqual([[8], [8]]);
    expect(net.trainableVariables.every((v) => v.trainable)).toBe(true);

    const x = new RandomSource(3).normal([5, 3]);
    const ours = net.apply(x, { training: false });
    const predicted = model.predict(x) as tf.Tensor;
    expect(maxAbsDiff(ours, predicted)).toBe(0);
    // training mode uses batch statistics: a different result on this batch
    const trained = net.apply(x, { training: true });
    expect(maxAbsDiff(trained, predicted)).toBeGreaterThan(1e-4);
    expectNoLeak(net, x);
    const wrong = tf.zeros([5, 4]);
    expect(() => net.apply(wrong, { training: false })).toThrow("network 'critic': expected input of shape [?, 3], got [5, 4]");
    net.dispose();
    expect(() => net.apply(x, { training: false })).toThrow(/has been disposed/);
    tf.dispose([x, ours, predicted, trained, wrong]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gradients reach every weight, and an optimizer trains the model through the adapter', () => {
    ensureGradients();
    const model = smallModel('regressor_model');
    const net = fromLayersModel(model);
    expect(net.name).toBe('regressor_model');
    const x = new RandomSource(4).normal([32, 3]);
    expectGradientsFlow(net, x);
    const target = tf.tidy(() => tf.concat([tf.sum(x, 1, true), tf.mul(tf.slice(x, [0, 0], [32, 1]), -2)], 1));
    const loss = (): tf.Scalar => tf.losses.meanSquaredError(target, net.apply(x, { training: true })) as tf.Scalar;
    const first = tf.tidy(() => loss().dataSync()[0]);
    const optimizer = tf.train.adam(0.05);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 40; i++) tf.dispose(optimizer.minimize(loss, true, net.trainableVariables as tf.Variable[]) ?? []);
    const last = tf.tidy(() => loss().dataSync()[0]);
    expect(last).toBeLessThan(first * 0.5);
    // optimizer slots are created once; no per-step leak
    const after = tf.memory().numTensors;
    tf.dispose(optimizer.minimize(loss, true, net.trainableVariables as tf.Variable[]) ?? []);
    expect(tf.memory().numTensors).toBe(after);
    expect(after - before).toBeLessThanOrEqual(2 * net.trainableVariables.length + 2);
    optimizer.dispose();
    tf.dispose([x, target]);
    net.dispose();
  });

  it('rejects models with several inputs or unknown dimensions; disposeModel: false leaves the model alive', () => {
    const a = tfl.input({ shape: [2] });
    const b = tfl.input({ shape: [2] });
    const sum = tfl.layers.add().apply([a, b]) as tfl.SymbolicTensor;
    const two = tfl.model({ inputs: [a, b], outputs: sum });
    expect(() => fromLayersModel(two, { name: 'two' })).toThrow(
      "fromLayersModel 'two': the model must have one input and one output, got 2 and 1",
    );
    const open = tfl.sequential({ layers: [tfl.layers.globalAveragePooling1d({ inputShape: [null as unknown as number, 3] })] });
    expect(() => fromLayersModel(open, { name: 'open' })).toThrow(
      /the model's input shape \[\?, \?, 3\] must be fully known apart from the batch/,
    );
    const model = smallModel('kept_model');
    const net = fromLayersModel(model, { disposeModel: false });
    net.dispose();
    const x = tf.ones([1, 3]);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 2]);
    tf.dispose([x, y]);
    model.dispose();
    two.dispose();
    open.dispose();
    expect(() => fromLayersModel({} as never)).toThrow(/expects a tfjs-layers LayersModel/);
  });
});
