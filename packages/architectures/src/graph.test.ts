import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, networkVariables } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { graphNetwork } from './graph';
import { relu } from './layers/activations';
import { concatLabel } from './layers/concat-label';
import { dense } from './layers/dense';
import { expectGradientsFlow, expectNoLeak, maxAbsDiff } from './test-helpers';

function residualMlp(name = 'critic', seed = 1) {
  return graphNetwork({
    name,
    inputShape: [4],
    seed,
    build: (b) => {
      const body = b.chain([dense({ units: 8 }), relu(), dense({ units: 4 })], [4], 'body');
      const head = b.layer(dense({ units: 2 }), [4], 'head');
      return {
        outputShape: [2],
        forward: (x, options) => head.apply(tf.add(body.apply(x, options), x), options),
        endpoints: { hidden: { outputShape: [4], forward: (x, options) => tf.add(body.apply(x, options), x) } },
      };
    },
  });
}

describe('graphNetwork', () => {
  it('runs an arbitrary forward function over owned, named, seeded layers', () => {
    const before = tf.memory().numTensors;
    const net = residualMlp();
    expect(net.inputShape).toEqual([4]);
    expect(net.outputShape).toEqual([2]);
    expect(net.trainableVariables.map((v) => v.name)).toEqual([
      'critic/body/dense_0/kernel',
      'critic/body/dense_0/bias',
      'critic/body/dense_1/kernel',
      'critic/body/dense_1/bias',
      'critic/head/kernel',
      'critic/head/bias',
    ]);
    expect(net.layers.map((l) => l.name)).toEqual(['critic/body/dense_0', 'critic/body/relu_0', 'critic/body/dense_1', 'critic/head']);
    expect(net.summary()).toMatch(/critic\/head\s+\[\?, 2\]\s+10/);
    expect(net.endpointNames).toEqual(['hidden']);
    expect(net.endpointShape('hidden')).toEqual([4]);

    const x = new RandomSource(2).normal([5, 4]);
    const y = net.apply(x, { training: false });
    // by hand: head(body(x) + x) with the layers applied one by one
    const expected = tf.tidy(() => {
      const [d0, r0, d1, head] = net.layers;
      const o = { training: false };
      return head.apply(tf.add(d1.apply(r0.apply(d0.apply(x, o), o), o), x), o);
    });
    expect(maxAbsDiff(y, expected)).toBe(0);
    const hidden = net.applyEndpoint('hidden', x, { training: false });
    expect(hidden.shape).toEqual([5, 4]);
    expect(() => net.applyEndpoint('nope', x, { training: false })).toThrow(`network 'critic' has no endpoint 'nope'; it has ["hidden"]`);

    expectNoLeak(net, x);
    expectGradientsFlow(net, x);
    const kernel = Array.from(net.trainableVariables[0].dataSync());
    tf.dispose([y, expected, hidden]);
    net.dispose();
    expect(() => net.apply(x, { training: false })).toThrow(/has been disposed/);
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);

    // the same name and seed give the same weights; another seed other weights
    const twin = residualMlp('critic', 1);
    expect(Array.from(twin.trainableVariables[0].dataSync())).toEqual(kernel);
    twin.dispose();
    const other = residualMlp('critic', 2);
    expect(Array.from(other.trainableVariables[0].dataSync())).not.toEqual(kernel);
    other.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('checks input shape, dtype, options and the declared output shape', () => {
    const net = residualMlp();
    const bad = tf.zeros([2, 3]);
    expect(() => net.apply(bad, { training: false })).toThrow("network 'critic': expected input of shape [?, 4], got [2, 3]");
    const ints = tf.zeros([2, 4], 'int32');
    expect(() => net.apply(ints, { training: false })).toThrow("network 'critic': expected a float32 input, got int32");
    const ok = tf.zeros([2, 4]);
    expect(() => net.apply(ok, {} as never)).toThrow(/needs options \{ training: boolean \}/);
    net.dispose();

    const liar = graphNetwork({
      name: 'liar',
      inputShape: [4],
      build: (b) => {
        const d = b.layer(dense({ units: 3 }), [4]);
        return { outputShape: [2], forward: (x, o) => d.apply(x, o) };
      },
    });
    const before = tf.memory().numTensors;
    expect(() => liar.apply(ok, { training: false })).toThrow("network 'liar': output has shape [2, 3], but [2, 2] was declared");
    expect(tf.memory().numTensors).toBe(before);
    liar.dispose();
    tf.dispose([bad, ints, ok]);
  });

  it('frees the layers it built when build fails, and the builder is closed after build', () => {
    const before = tf.memory().numTensors;
    expect(() =>
      graphNetwork({
        name: 'broken',
        inputShape: [4],
        build: (b) => {
          b.layer(dense({ units: 3 }), [4]);
          b.layer(dense({ units: 3 }), [5, 5]); // dense on a rank-2 example: fails
          return { outputShape: [3], forward: (x) => x };
        },
      }),
    ).toThrow(/layer 'broken\/dense_1' expects input of shape \[\?, \?\]/);
    expect(tf.memory().numTensors).toBe(before);
    let saved: Parameters<Parameters<typeof graphNetwork>[0]['build']>[0] | undefined;
    const net = graphNetwork({
      name: 'leaky',
      inputShape: [2],
      build: (b) => {
        saved = b;
        const d = b.layer(dense({ units: 1 }), [2]);
        return { outputShape: [1], forward: (x, o) => d.apply(x, o) };
      },
    });
    expect(() => saved?.layer(dense({ units: 1 }), [2])).toThrow(/the builder can only be used inside build\(\)/);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('conditional networks (numClasses) require int32 labels [batch] in range and name the bad value', () => {
    const net = graphNetwork({
      name: 'cond',
      inputShape: [3],
      numClasses: 4,
      build: (b) => {
        const body = b.chain([concatLabel({ numClasses: 4 }), dense({ units: 2 })], [3]);
        return { outputShape: body.outputShape, forward: (x, o) => body.apply(x, o) };
      },
    });
    expect(net.usesLabels).toBe(true);
    expect(net.numClasses).toBe(4);
    const x = tf.ones([2, 3]);
    const missing = () => net.apply(x, { training: false });
    expect(missing).toThrow("layer 'cond' is conditional: pass int32 class labels [2] as options.labels");
    const high = tf.tensor1d([0, 4], 'int32');
    expect(() => net.apply(x, { training: false, labels: high })).toThrow(
      "network 'cond': label 4 at position 1 is out of range; labels must be integers in [0, 4)",
    );
    const negative = tf.tensor1d([-1, 0], 'int32');
    expect(() => net.apply(x, { training: false, labels: negative })).toThrow(/label -1 at position 0 is out of range/);
    const floats = tf.tensor1d([0, 1]);
    expect(() => net.apply(x, { training: false, labels: floats })).toThrow(/labels must be int32, got float32/);
    const short = tf.tensor1d([0], 'int32');
    expect(() => net.apply(x, { training: false, labels: short })).toThrow(/labels must have shape \[2\]/);
    const labels = tf.tensor1d([0, 3], 'int32');
    expectNoLeak(net, x, labels);
    tf.dispose([x, high, negative, floats, short, labels]);
    const vars = networkVariables(net).length;
    const before = tf.memory().numTensors;
    net.dispose();
    expect(tf.memory().numTensors).toBe(before - vars);
  });
});
