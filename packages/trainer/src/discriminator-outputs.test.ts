// Patch-map and multi-head discriminators: losses and logs over every element, or over the
// adversarial column that adversarialOutput picks.
import { type Network, RandomSource } from '@gankit/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { acganAdversarialOutput } from './acgan';
import { dispose, mean, recorder, sigmoid, softplus } from './test-recorder';
import { gaussian1d, mlp, nonSaturating } from './test-utils';
import { Trainer } from './trainer';

/** D: [1] → a 2×2 patch map of logits [2, 2, 1]. */
function patchDiscriminator(seed: number): Network {
  const rng = new RandomSource(seed);
  const w = tf.variable(rng.normal([1, 4]));
  const b = tf.variable(rng.normal([4], 0, 0.1));
  return {
    name: 'patch',
    inputShape: [1],
    outputShape: [2, 2, 1],
    trainableVariables: [w, b],
    nonTrainableVariables: [],
    apply: (x) => tf.tidy(() => tf.reshape(tf.add(tf.matMul(x as tf.Tensor2D, w), b), [-1, 2, 2, 1])),
    dispose: () => [w, b].forEach((v) => v.dispose()),
  };
}

describe('discriminators with more than one output', () => {
  it('trains a patch-map discriminator: losses and dReal/dFake average over every element', async () => {
    const rec = recorder();
    const t = new Trainer({
      generator: mlp('g', 2, 8, 1, 1),
      discriminator: patchDiscriminator(2),
      loss: nonSaturating,
      data: gaussian1d(1, 0.5),
      batchSize: 16,
      plugins: [rec],
    });
    const logs = await t.step();
    const d = rec.d[0] as { realFlat: number[]; fakeFlat: number[] };
    const g = rec.g[0] as { fakeFlat: number[] };
    expect(d.realFlat).toHaveLength(16 * 4);
    expect(logs.dReal).toBeCloseTo(mean(d.realFlat.map(sigmoid)), 5);
    expect(logs.dFake).toBeCloseTo(mean(d.fakeFlat.map(sigmoid)), 5);
    expect(logs.discriminatorLoss).toBeCloseTo(mean(d.realFlat.map((v) => softplus(-v))) + mean(d.fakeFlat.map(softplus)), 5);
    expect(logs.generatorLoss).toBeCloseTo(mean(g.fakeFlat.map((v) => softplus(-v))), 5);
    dispose(t);
  });

  it('refuses a multi-head discriminator without adversarialOutput, naming the shape and the fix', () => {
    const g = mlp('g', 2, 8, 1, 1);
    const d = mlp('heads', 1, 8, 4, 2);
    expect(() => new Trainer({ generator: g, discriminator: d, loss: nonSaturating, data: gaussian1d(0, 1) })).toThrow(
      /discriminator 'heads' outputs \[4\] per example.*pass `adversarialOutput`/,
    );
    const wide: Network = { ...patchDiscriminator(3), outputShape: [2, 3] };
    expect(() => new Trainer({ generator: g, discriminator: wide, loss: nonSaturating, data: gaussian1d(0, 1) })).toThrow(
      /outputs \[2, 3\] per example/,
    );
    expect(
      () => new Trainer({ generator: g, discriminator: d, loss: nonSaturating, data: gaussian1d(0, 1), adversarialOutput: 3 as never }),
    ).toThrow(/adversarialOutput must be a function/);
    tf.dispose([...g.trainableVariables, ...d.trainableVariables, ...wide.trainableVariables]);
  });

  it('with adversarialOutput the loss and the logs see only the adversarial column', async () => {
    const rec = recorder();
    const t = new Trainer({
      generator: mlp('g', 2, 8, 1, 1),
      discriminator: mlp('heads', 1, 8, 4, 2),
      loss: nonSaturating,
      data: gaussian1d(1, 0.5),
      batchSize: 16,
      adversarialOutput: acganAdversarialOutput,
      plugins: [rec],
    });
    const logs = await t.step();
    const d = rec.d[0] as { real: number[][]; fake: number[][] };
    const g = rec.g[0] as { fake: number[][] };
    expect(d.real[0]).toHaveLength(4); // hooks see the whole output
    const r0 = d.real.map((r) => r[0]);
    const f0 = d.fake.map((r) => r[0]);
    expect(logs.dReal).toBeCloseTo(mean(r0.map(sigmoid)), 5);
    expect(logs.dFake).toBeCloseTo(mean(f0.map(sigmoid)), 5);
    expect(logs.discriminatorLoss).toBeCloseTo(mean(r0.map((v) => softplus(-v))) + mean(f0.map(softplus)), 5);
    expect(logs.generatorLoss).toBeCloseTo(mean(g.fake.map((r) => softplus(-r[0]))), 5);
    dispose(t);
  });

  it('rejects an adversarialOutput that does not give one value per example', async () => {
    const t = new Trainer({
      generator: mlp('g', 2, 8, 1, 1),
      discriminator: mlp('heads', 1, 8, 4, 2),
      loss: nonSaturating,
      data: gaussian1d(1, 0.5),
      batchSize: 8,
      adversarialOutput: (o) => o,
    });
    const n0 = tf.memory().numTensors;
    await expect(t.step()).rejects.toThrow(/adversarialOutput turned discriminator 'heads''s output \[8, 4\] into \[8, 4\]/);
    expect(tf.memory().numTensors).toBe(n0);
    dispose(t);
  });
});
