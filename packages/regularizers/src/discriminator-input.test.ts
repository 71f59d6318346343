// instanceNoise and diffAugment in gradient scopes shaped like the trainer's: D's update sees the
// transformed real and fake batches, G's update is differentiated through the transformed fakes.
// (The Trainer itself is not a dependency here: @gankit/trainer depends on this package.)
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type GanPlugin, RandomSource, ensureGradients } from '@gankit/core';
import { diffAugment, instanceNoise } from './index';
import { convCritic, makeStepContext } from './test-helpers';

/** Three iterations of a tiny image GAN (8×8×1) with `plugin` transforming what D sees; G's and D's final weights. */
function train(plugin: GanPlugin | undefined, seed: number): { weights: number[][]; initialG: number[]; leaked: number } {
  ensureGradients();
  const critic = convCritic([8, 8, 1], 3, 1);
  const g = tf.variable(tf.tidy(() => tf.mul(new RandomSource(2).normal([4, 64]), 0.3)));
  const initialG = Array.from(g.dataSync());
  const real = tf.tidy(() => tf.tanh(new RandomSource(3).normal([6, 8, 8, 1])));
  const generate = (z: tf.Tensor) => tf.reshape(tf.tanh(tf.matMul(z, g)), [-1, 8, 8, 1]);
  const random = new RandomSource(seed);
  const dOptimizer = tf.train.sgd(0.05);
  const gOptimizer = tf.train.sgd(0.05);
  const before = tf.memory().numTensors;
  for (let step = 0; step < 3; step++) {
    const s = { ...makeStepContext({ discriminator: critic, real, fake: real }), step, random };
    const seen = (x: tf.Tensor, source: 'real' | 'fake') =>
      critic.apply(plugin?.transformDiscriminatorInput?.(x, s, source) ?? x, { training: true });
    const z = random.normal([6, 4], 0, 1, 'z');
    dOptimizer.minimize(
      () => tf.add(tf.mean(tf.softplus(tf.neg(seen(real, 'real')))), tf.mean(tf.softplus(seen(generate(z), 'fake')))) as tf.Scalar,
      false,
      [...critic.trainableVariables],
    );
    gOptimizer.minimize(() => tf.mean(tf.softplus(tf.neg(seen(generate(z), 'fake')))) as tf.Scalar, false, [g]);
    z.dispose();
  }
  const leaked = tf.memory().numTensors - before;
  const weights = [g, ...critic.trainableVariables].map((v) => Array.from(v.dataSync()));
  tf.dispose([g, real]);
  critic.dispose();
  return { weights, initialG, leaked };
}

describe('discriminator-input plugins in a training step', () => {
  const plain = train(undefined, 1);

  for (const make of [() => instanceNoise({ std: 0.3 }), () => diffAugment()]) {
    const name = make().name;
    it(`${name}: trains G through the transform, leaks nothing and repeats bit for bit for one seed`, () => {
      const a = train(make(), 1);
      expect(a.leaked).toBe(0);
      expect(train(make(), 1).weights).toEqual(a.weights);
      expect(a.weights[0]).not.toEqual(a.initialG); // gradients reached G through the transform
      expect(a.weights[0]).not.toEqual(plain.weights[0]); // and D saw the transformed batches
      expect(a.weights[0].every(Number.isFinite)).toBe(true);
      expect(train(make(), 2).weights[0]).not.toEqual(a.weights[0]); // another seed, other draws
    });
  }
});
