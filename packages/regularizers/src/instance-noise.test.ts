import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { GankitError, ensureGradients, sortPlugins } from '@gankit/core';
import { type InstanceNoisePlugin, instanceNoise, regularizers } from './index';
import { linearCritic, makeStepContext } from './test-helpers';

function context(step: number, seed = 5) {
  const critic = linearCritic([1]);
  const real = tf.zeros([2, 1]);
  const free = () => {
    critic.dispose();
    real.dispose();
  };
  return { s: makeStepContext({ discriminator: critic, real, seed, step }), free };
}

describe('instanceNoise', () => {
  it('adds N(0, σ²) noise: the measured std is σ, the mean 0, shape and dtype kept, no leaks', () => {
    const plugin = instanceNoise({ std: 0.3 });
    expect(plugin.name).toBe('instance-noise');
    expect(sortPlugins([plugin])).toEqual([plugin]); // declares API version 3, accepted by this core
    const { s, free } = context(0);
    const x = tf.fill([64, 8, 8, 1], 2);
    const before = tf.memory().numTensors;
    const y = plugin.transformDiscriminatorInput(x, s, 'real');
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(y.shape).toEqual(x.shape);
    expect(y.dtype).toBe('float32');
    const noise = Array.from(y.dataSync(), (v) => v - 2);
    const mean = noise.reduce((a, v) => a + v, 0) / noise.length;
    const std = Math.sqrt(noise.reduce((a, v) => a + (v - mean) ** 2, 0) / noise.length);
    expect(Math.abs(mean)).toBeLessThan(0.02); // 4096 samples: standard error 0.0047
    expect(std).toBeGreaterThan(0.285);
    expect(std).toBeLessThan(0.315);
    tf.dispose([x, y]);
    free();
  });

  it('anneals σ linearly to 0 over anneal.steps and then returns the batch itself', () => {
    const plugin = instanceNoise({ std: 0.2, anneal: { steps: 100 } });
    expect(plugin.stdAt(0)).toBe(0.2);
    expect(plugin.stdAt(50)).toBeCloseTo(0.1, 12);
    expect(plugin.stdAt(75)).toBeCloseTo(0.05, 12);
    expect(plugin.stdAt(100)).toBe(0);
    expect(plugin.stdAt(1000)).toBe(0);
    expect(instanceNoise({ std: 0.2 }).stdAt(10_000)).toBe(0.2);

    const x = tf.zeros([256, 4]);
    const measured = (step: number) => {
      const { s, free } = context(step);
      const y = plugin.transformDiscriminatorInput(x, s, 'fake');
      const v = Array.from(y.dataSync());
      if (y !== x) y.dispose();
      free();
      return { y, std: Math.sqrt(v.reduce((a, e) => a + e * e, 0) / v.length) };
    };
    expect(measured(50).std).toBeGreaterThan(0.09);
    expect(measured(50).std).toBeLessThan(0.11);
    const end = measured(100);
    expect(end.y).toBe(x); // σ = 0: no draw, no new tensor
    expect(end.std).toBe(0);
    x.dispose();
  });

  it('repeats for one seed, draws afresh each call, and lets gradients through unchanged', () => {
    ensureGradients();
    const plugin = instanceNoise({ std: 0.5 });
    const x = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const a = context(3, 9);
    const b = context(3, 9);
    const real = plugin.transformDiscriminatorInput(x, a.s, 'real');
    const again = plugin.transformDiscriminatorInput(x, b.s, 'real');
    expect(Array.from(again.dataSync())).toEqual(Array.from(real.dataSync()));
    const fake = plugin.transformDiscriminatorInput(x, a.s, 'fake');
    expect(Array.from(fake.dataSync())).not.toEqual(Array.from(real.dataSync()));
    const before = tf.memory().numTensors;
    const g = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(plugin.transformDiscriminatorInput(input, a.s, 'fake'), 3)))(x);
    expect(Array.from(g.dataSync())).toEqual([3, 3, 3, 3, 3, 3]);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, real, again, fake]);
    a.free();
    b.free();
  });

  it('refuses bad options and non-float inputs with clear errors', () => {
    expect(() => instanceNoise({ std: -0.1 })).toThrow(/instance-noise: std must be a finite number >= 0, got -0.1/);
    expect(() => instanceNoise({ std: Number.NaN })).toThrow(GankitError);
    expect(() => instanceNoise({ anneal: { steps: 0 } })).toThrow(/anneal.steps must be an integer >= 1, got 0/);
    expect(() => instanceNoise({ anneal: { steps: 2.5 } })).toThrow(/got 2.5/);
    const { s, free } = context(0);
    const ints = tf.tensor2d([[1, 2]], [1, 2], 'int32');
    expect(() => instanceNoise({ name: 'noise' }).transformDiscriminatorInput(ints, s, 'real')).toThrow(
      /noise: the real batch must be float32, got int32/,
    );
    ints.dispose();
    free();
  });

  it("is found by name as 'instance-noise', its options checked by the registry", () => {
    const plugin = regularizers.create('instance-noise', { std: 0.4, anneal: { steps: 10 } }) as InstanceNoisePlugin;
    expect([plugin.name, plugin.std, plugin.annealSteps, plugin.stdAt(5)]).toEqual(['instance-noise', 0.4, 10, 0.2]);
    expect(() => regularizers.parse('instance-noise', { anneal: { steps: 0 } })).toThrow('instance-noise.anneal.steps must be >= 1, got 0');
    expect(() => regularizers.parse('instance-noise', { anneal: { step: 3 } })).toThrow(
      /anneal.step is not a known key; did you mean 'steps'\?/,
    );
  });
});
