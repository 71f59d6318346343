import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ensureGradients } from './gradients';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('ensureGradients', () => {
  it('registers gradients in a fresh Node process that loaded only tfjs-core (ESM and CommonJS builds)', () => {
    const esm = `
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-cpu';
      import { ensureGradients } from '@gankit/core';
      const before = tf.getGradient('Sum') !== undefined;
      const n = ensureGradients();
      const g = tf.grad((x) => tf.sum(tf.square(x)))(tf.tensor1d([1, 2, 3]));
      console.log(JSON.stringify({ before, n, again: ensureGradients(), g: Array.from(g.dataSync()) }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', esm], { cwd: pkgDir, encoding: 'utf8' }));
    expect(out.before).toBe(false);
    expect(out.n).toBeGreaterThan(100);
    expect(out.again).toBe(0);
    expect(out.g).toEqual([2, 4, 6]);
    const cjs = `
      const tf = require('@tensorflow/tfjs-core'); require('@tensorflow/tfjs-backend-cpu');
      const { ensureGradients } = require('@gankit/core');
      ensureGradients();
      console.log(tf.getGradient('Conv2D') !== undefined && tf.getGradient('Greater') !== undefined);`;
    expect(execFileSync(process.execPath, ['-e', cjs], { cwd: pkgDir, encoding: 'utf8' }).trim()).toBe('true');
  });

  it.each([
    ['leaky ReLU', (t: tf.Tensor) => tf.leakyRelu(t, 0.2)],
    ['tanh', (t: tf.Tensor) => tf.tanh(t)],
    ['sigmoid', (t: tf.Tensor) => tf.sigmoid(t)],
    ['exp', (t: tf.Tensor) => tf.exp(tf.mul(0.3, t))],
  ])('gives second-order gradients through conv2d and %s (gradient penalty) that match finite differences', async (_name, act) => {
    ensureGradients();
    const prev = tf.getBackend();
    await tf.setBackend('cpu'); // wasm lacks Conv2DBackpropFilter until @gankit/backend registers it
    try {
      const w = tf.variable(tf.randomNormal([3, 3, 1, 2], 0, 0.5, 'float32', 11));
      const v = tf.variable(tf.randomNormal([4 * 4 * 2, 1], 0, 0.5, 'float32', 12));
      const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 13);
      const critic = (input: tf.Tensor) =>
        tf.matMul(tf.reshape(act(tf.conv2d(input as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')), [input.shape[0], -1]), v);
      const penalty = () =>
        tf.tidy(() => {
          const g = tf.grad((xx: tf.Tensor) => tf.sum(critic(xx)))(x);
          const norms = tf.sqrt(tf.sum(tf.square(g), [1, 2, 3]));
          return tf.mean(tf.square(tf.sub(norms, 1))) as tf.Scalar;
        });
      const { grads } = tf.variableGrads(penalty, [w]);
      const analytic = grads[w.name].dataSync();
      // central differences on a few weights, in float32
      const wv = w.dataSync().slice();
      const h = 1e-3; // small enough not to cross leaky ReLU's kink
      for (const i of [0, 5, 9, 17]) {
        const plus = wv.slice();
        plus[i] += h;
        w.assign(tf.tensor(plus, w.shape));
        const fp = penalty().dataSync()[0];
        const minus = wv.slice();
        minus[i] -= h;
        w.assign(tf.tensor(minus, w.shape));
        const fm = penalty().dataSync()[0];
        w.assign(tf.tensor(wv, w.shape));
        const numeric = (fp - fm) / (2 * h);
        expect(Math.abs(numeric - analytic[i])).toBeLessThan(5e-3 + 1e-2 * Math.abs(analytic[i]));
      }
      tf.dispose([w, v, x, ...Object.values(grads)]);
    } finally {
      await tf.setBackend(prev);
    }
  });
});
