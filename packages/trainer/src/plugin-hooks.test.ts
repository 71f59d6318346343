// The plugin API 2 hooks around the fakes: transformFakes (what D sees) and beforeGeneratorStep,
// their order and what they may call.
import type { GanPlugin } from '@gankit/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { dispose, recorder } from './test-recorder';
import { gaussian1d, mlp, nonSaturating } from './test-utils';
import { Trainer } from './trainer';

describe('plugin API 2 hooks', () => {
  it('runs transformFakes and beforeGeneratorStep at their places, in plugin order, and blocks s.fake() there', async () => {
    const calls: string[] = [];
    const mk = (name: string, order: number): GanPlugin => ({
      name,
      order,
      apiVersion: 2,
      transformFakes: (f, s) => {
        calls.push(`${name}.transform`);
        expect(() => s.fake()).toThrow(/cannot be called in plugin '.*''s transformFakes/);
        return f;
      },
      discriminatorLoss: () => void calls.push(`${name}.dLoss`),
      afterDiscriminatorStep: () => void calls.push(`${name}.afterD`),
      beforeGeneratorStep: (s) => {
        calls.push(`${name}.beforeG`);
        expect(() => s.fakeOutput()).toThrow(/cannot be called in plugin '.*''s beforeGeneratorStep/);
      },
      generatorLoss: () => void calls.push(`${name}.gLoss`),
      afterGeneratorStep: () => void calls.push(`${name}.afterG`),
    });
    const t = new Trainer({
      generator: mlp('g', 2, 8, 1, 1),
      discriminator: mlp('d', 1, 8, 1, 2),
      loss: nonSaturating,
      data: gaussian1d(0, 1),
      discriminatorSteps: 2,
      plugins: [mk('b', 1), mk('a', 0)],
    });
    await t.step();
    const both = (h: string) => [`a.${h}`, `b.${h}`];
    const dStep = [...both('transform'), ...both('dLoss'), ...both('afterD')];
    expect(calls).toEqual([...dStep, ...dStep, ...both('beforeG'), ...both('gLoss'), ...both('afterG')]);
    dispose(t);
  });

  it('D sees the transformed fakes, chained in order; G trains on its own; a bad result is refused', async () => {
    const rec = recorder();
    const constant = (v: number, order: number): GanPlugin => ({
      name: `c${v}`,
      order,
      transformFakes: (f) => ({ x: tf.add(tf.mul(f.x, 0), v) }),
    });
    const t = new Trainer({
      generator: mlp('g', 2, 8, 1, 1),
      discriminator: mlp('d', 1, 8, 1, 2),
      loss: nonSaturating,
      data: gaussian1d(0, 1),
      batchSize: 8,
      plugins: [constant(7, 1), constant(5, 0), rec],
    });
    await t.step(); // creates the optimizers' slots
    const n0 = tf.memory().numTensors;
    await t.fit({ steps: 2 });
    expect(tf.memory().numTensors).toBe(n0);
    for (const d of rec.d) expect((d as { fakeX: number[] }).fakeX).toEqual(new Array(8).fill(7));
    for (const g of rec.g) expect((g as { fakeX: number[] }).fakeX).not.toContain(7);
    dispose(t);
    const bad: GanPlugin = { name: 'bad', transformFakes: (f) => ({ x: tf.concat([f.x, f.x]) }) };
    const t2 = new Trainer({
      generator: mlp('g', 2, 8, 1, 1),
      discriminator: mlp('d', 1, 8, 1, 2),
      loss: nonSaturating,
      data: gaussian1d(0, 1),
      batchSize: 8,
      plugins: [bad],
    });
    const n1 = tf.memory().numTensors;
    await expect(t2.step()).rejects.toThrow(/plugin 'bad''s transformFakes returned fakes of \[16, 1\] float32, expected \[8, 1\] float32/);
    expect(tf.memory().numTensors).toBe(n1);
    dispose(t2);
  });
});
