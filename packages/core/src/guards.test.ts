import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { isDataSource, isGanPlugin, isLossPair, isNetwork, isWeightAverager } from './guards';
import type { Network } from './network';
import type { DataSource, LossPair } from './types';

const notObjects = [undefined, null, 0, 'plugin', true, [] as unknown[]];

/** A plugin written as a class: its hooks live on the prototype. */
class ClassPlugin {
  readonly name = 'class-plugin';
  readonly order = 5;
  afterGeneratorStep(): void {}
  dispose(): void {}
}

/** A weight averager written as a class, as `@gankit/averaging` writes `ema`. */
class Averager extends ClassPlugin {
  readonly network = 'generator';
  averagedWeights(): tf.Variable[] {
    return [];
  }
  withAveragedWeights<T>(_net: Network, fn: () => T): T {
    return fn();
  }
}

function network(): Network {
  const w = tf.variable(tf.zeros([2, 1]), true, 'guards-test/w');
  return {
    name: 'toy',
    inputShape: [2],
    outputShape: [1],
    trainableVariables: [w],
    nonTrainableVariables: [],
    apply: (x) => tf.matMul(x, w),
    dispose: () => w.dispose(),
  };
}

const loss: LossPair = {
  name: 'toy-loss',
  probabilistic: false,
  discriminator: (r, f) => tf.sub(tf.mean(f), tf.mean(r)) as tf.Scalar,
  generator: (f) => tf.neg(tf.mean(f)) as tf.Scalar,
};

const data: DataSource = {
  name: 'toy-data',
  sampleShape: [2],
  size: 10,
  nextBatch: (n) => ({ x: tf.zeros([n, 2]) }),
};

describe('isGanPlugin', () => {
  it('accepts plugins as object literals and as classes (hooks on the prototype)', () => {
    expect(isGanPlugin({ name: 'bare' })).toBe(true);
    expect(
      isGanPlugin({ name: 'full', order: 1, apiVersion: 1, setup() {}, discriminatorLoss: () => ({}), state: () => ({ tensors: {} }) }),
    ).toBe(true);
    expect(isGanPlugin(new ClassPlugin())).toBe(true);
  });
  it('refuses a missing or empty name, a hook that is not a function, a non-numeric order or version', () => {
    for (const x of notObjects) expect(isGanPlugin(x)).toBe(false);
    expect(isGanPlugin({})).toBe(false);
    expect(isGanPlugin({ name: '' })).toBe(false);
    expect(isGanPlugin({ name: 3 })).toBe(false);
    expect(isGanPlugin({ name: 'x', afterGeneratorStep: 'later' })).toBe(false);
    expect(isGanPlugin({ name: 'x', transformFakes: {} })).toBe(false);
    expect(isGanPlugin({ name: 'x', order: '1' })).toBe(false);
    expect(isGanPlugin({ name: 'x', apiVersion: '2' })).toBe(false);
  });
});

describe('isWeightAverager', () => {
  const literal = { name: 'avg', averagedWeights: () => [], withAveragedWeights: (_n: Network, fn: () => number) => fn() };
  it('accepts a plugin with averagedWeights and withAveragedWeights, with or without a network name', () => {
    expect(isWeightAverager(new Averager())).toBe(true);
    expect(isWeightAverager(literal)).toBe(true);
    expect(isWeightAverager({ ...literal, network: 'discriminator', initialized: false })).toBe(true);
  });
  it('refuses plain plugins, half an averager, a bad network name and non-plugins', () => {
    for (const x of notObjects) expect(isWeightAverager(x)).toBe(false);
    expect(isWeightAverager(new ClassPlugin())).toBe(false);
    expect(isWeightAverager({ name: 'avg', averagedWeights: () => [] })).toBe(false);
    expect(isWeightAverager({ name: 'avg', withAveragedWeights: (_n: Network, fn: () => number) => fn() })).toBe(false);
    expect(isWeightAverager({ ...literal, network: 7 })).toBe(false);
    expect(isWeightAverager({ ...literal, name: '' })).toBe(false);
  });
});

describe('isNetwork', () => {
  it('accepts a hand-made network', () => {
    const net = network();
    try {
      expect(isNetwork(net)).toBe(true);
    } finally {
      net.dispose();
    }
  });
  it('refuses a tensor, a loss, a function, and networks with a part missing or malformed', () => {
    const net = network();
    try {
      for (const x of [...notObjects, loss, data, () => 1]) expect(isNetwork(x)).toBe(false);
      const t = tf.zeros([1]);
      expect(isNetwork(t)).toBe(false);
      t.dispose();
      for (const k of ['name', 'inputShape', 'outputShape', 'trainableVariables', 'nonTrainableVariables', 'apply', 'dispose'] as const) {
        expect(isNetwork({ ...net, [k]: undefined }), k).toBe(false);
      }
      expect(isNetwork({ ...net, inputShape: [2.5] })).toBe(false);
      expect(isNetwork({ ...net, outputShape: ['1'] })).toBe(false);
    } finally {
      net.dispose();
    }
  });
});

describe('isDataSource', () => {
  it('accepts a data source with and without the optional parts', () => {
    expect(isDataSource(data)).toBe(true);
    expect(isDataSource({ ...data, size: undefined, numClasses: 10, state: () => 0, loadState: () => {} })).toBe(true);
  });
  it('refuses a network, a loss, and sources with a part missing or malformed', () => {
    for (const x of [...notObjects, loss]) expect(isDataSource(x)).toBe(false);
    for (const k of ['name', 'sampleShape', 'nextBatch'] as const) expect(isDataSource({ ...data, [k]: undefined }), k).toBe(false);
    expect(isDataSource({ ...data, size: '10' })).toBe(false);
    expect(isDataSource({ ...data, numClasses: null })).toBe(false);
    expect(isDataSource({ ...data, state: {} })).toBe(false);
    expect(isDataSource({ ...data, sampleShape: [-1] })).toBe(false);
  });
});

describe('isLossPair', () => {
  it('accepts a loss pair, relativistic or not', () => {
    expect(isLossPair(loss)).toBe(true);
    expect(isLossPair({ ...loss, generatorUsesReal: true })).toBe(true);
  });
  it('refuses a lone loss function, a data source, and pairs with a part missing or malformed', () => {
    for (const x of [...notObjects, data, loss.discriminator]) expect(isLossPair(x)).toBe(false);
    for (const k of ['name', 'probabilistic', 'discriminator', 'generator'] as const)
      expect(isLossPair({ ...loss, [k]: undefined }), k).toBe(false);
    expect(isLossPair({ ...loss, probabilistic: 'yes' })).toBe(false);
    expect(isLossPair({ ...loss, generatorUsesReal: 1 })).toBe(false);
  });
});
