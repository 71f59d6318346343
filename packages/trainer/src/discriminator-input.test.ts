// The discriminator-input plugins of @gankit/regularizers (instanceNoise, diffAugment) in a real
// Trainer: the hook runs where the contract says, training leaks nothing, a seed repeats bit for
// bit and a run resumed from a state equals the run straight through.
// (Lives in @gankit/trainer: @gankit/regularizers cannot depend on the trainer, which depends on it.)
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { GanPlugin, StepContext } from '@gankit/core';
import { conv2d, dense, flatten, leakyRelu, reshape, sequential, tanh } from '@gankit/architectures';
import { tensorDataset } from '@gankit/data';
import { diffAugment, instanceNoise } from '@gankit/regularizers';
import { Trainer } from './trainer';
import { nonSaturating } from './test-utils';

/** 32 smooth 8×8 grey images in [-1, 1]. */
function images(): tf.Tensor {
  return tf.tidy(() => {
    const i = tf.reshape(tf.range(0, 8), [1, 8, 1, 1]);
    const j = tf.reshape(tf.range(0, 8), [1, 1, 8, 1]);
    const k = tf.reshape(tf.range(0, 32), [32, 1, 1, 1]);
    return tf.sin(tf.add(tf.mul(i, tf.add(0.3, tf.mul(k, 0.01))), tf.mul(j, 0.5)));
  });
}

function makeTrainer(plugins: GanPlugin[], seed: number, x: tf.Tensor): Trainer {
  const generator = sequential({
    name: 'g',
    inputShape: [4],
    layers: [dense({ units: 64 }), tanh(), reshape({ targetShape: [8, 8, 1] })],
    seed: 1,
  });
  const discriminator = sequential({
    name: 'd',
    inputShape: [8, 8, 1],
    layers: [conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }), leakyRelu({ alpha: 0.2 }), flatten(), dense({ units: 1 })],
    seed: 2,
  });
  return new Trainer({
    generator,
    discriminator,
    loss: nonSaturating,
    data: tensorDataset({ x, name: 'tiles' }),
    batchSize: 8,
    generatorOptimizer: tf.train.adam(0.01, 0.5),
    discriminatorOptimizer: tf.train.adam(0.01, 0.5),
    plugins,
    seed,
  });
}

function weights(t: Trainer): number[][] {
  return [...t.generator.trainableVariables, ...t.discriminator.trainableVariables].map((v) => Array.from(v.dataSync()));
}

function disposeAll(t: Trainer): void {
  t.dispose();
  t.generator.dispose();
  t.discriminator.dispose();
}

/** Wraps a plugin's hook to record (phase, source) of every call. */
function spy(p: GanPlugin, calls: string[]): GanPlugin {
  return {
    ...p,
    transformDiscriminatorInput: (x: tf.Tensor, s: StepContext, source: 'real' | 'fake') => {
      calls.push(`${s.phase}:${source}`);
      return p.transformDiscriminatorInput?.(x, s, source) ?? x;
    },
  };
}

describe('discriminator-input plugins in the Trainer', () => {
  for (const make of [() => instanceNoise({ std: 0.2 }), () => diffAugment()]) {
    const name = make().name;
    it(`${name}: runs in D's and G's updates, leaks nothing, repeats bit for bit and resumes exactly`, async () => {
      const x = images();
      const before = tf.memory().numTensors;
      const calls: string[] = [];
      const a = makeTrainer([spy(make(), calls)], 7, x);
      await a.fit({ steps: 3 });
      const got = weights(a);
      disposeAll(a);
      expect(tf.memory().numTensors).toBe(before);
      // Each iteration: one D update (the real and the fake batch), then G's (its fakes).
      expect(calls.filter((c) => c === 'discriminator:real')).toHaveLength(3);
      expect(calls.filter((c) => c === 'discriminator:fake')).toHaveLength(3);
      expect(calls.filter((c) => c === 'generator:fake')).toHaveLength(3);

      const b = makeTrainer([make()], 7, x);
      await b.fit({ steps: 3 });
      expect(weights(b)).toEqual(got);
      disposeAll(b);

      const plain = makeTrainer([], 7, x);
      await plain.fit({ steps: 3 });
      expect(weights(plain)[0]).not.toEqual(got[0]);
      disposeAll(plain);

      const first = makeTrainer([make()], 7, x);
      await first.fit({ steps: 2 });
      const state = await first.state();
      disposeAll(first);
      const second = makeTrainer([make()], 7, x);
      await second.loadState(state);
      tf.dispose(Object.values(state.tensors));
      await second.fit({ steps: 1 });
      expect(weights(second)).toEqual(got);
      disposeAll(second);
      x.dispose();
    });
  }
});
