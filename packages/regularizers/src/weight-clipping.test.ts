import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Network } from '@gankit/core';
import { GankitError } from '@gankit/core';
import { weightClipping } from './index';
import { linearCritic, makeStepContext } from './test-helpers';

describe('weightClipping', () => {
  it('clips the discriminator trainable variables into [-c, c] after its update', () => {
    const base = linearCritic([0.5, -0.003, 0.02, -0.9, 0.01]);
    const extra = tf.variable(tf.tensor1d([3, -4]), false);
    const critic: Network = { ...base, nonTrainableVariables: [extra] };
    const real = tf.zeros([2, 5]);
    const plugin = weightClipping({ c: 0.01 });
    expect(plugin.name).toBe('weight-clipping');
    const s = makeStepContext({ discriminator: critic, real, fake: real });
    const before = tf.memory().numTensors;
    plugin.afterDiscriminatorStep(s);
    expect(tf.memory().numTensors).toBe(before);
    const w = Array.from(critic.trainableVariables[0].dataSync());
    [0.01, -0.003, 0.01, -0.01, 0.01].forEach((x, i) => expect(w[i]).toBeCloseTo(x, 7));
    expect(w.every((x) => Math.abs(x) <= 0.01)).toBe(true);
    expect(Array.from(extra.dataSync())).toEqual([3, -4]); // non-trainable untouched
    expect(() => weightClipping({ c: 0 })).toThrow(GankitError);
    expect(() => weightClipping({ c: -1 })).toThrow(/c must be a finite number > 0, got -1/);
    tf.dispose([real, extra]);
    base.dispose();
  });
});
