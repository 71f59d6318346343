import * as tf from '@tensorflow/tfjs-core';
import { RandomSource } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { buildLayer } from '../layer';
import { adain, adaptiveInstanceNorm, asAdain } from './adain';

describe('adaptiveInstanceNorm', () => {
  it('computes y_s · (x − μ(x))/σ(x) + y_b per example and channel (hand values)', () => {
    // channel 0: [1, 3] → μ 2, σ 1 → [-1, 1]; channel 1: [0, 4] → μ 2, σ 2 → [-1, 1]
    const x = tf.tensor4d([1, 0, 3, 4], [1, 2, 1, 2]);
    const scale = tf.tensor2d([[2, 0.5]]);
    const shift = tf.tensor2d([[1, -1]]);
    const y = adaptiveInstanceNorm(x, scale, shift, 1e-12);
    expect(Array.from(y.dataSync())).toEqual([-1, -1.5, 3, -0.5].map((v) => expect.closeTo(v, 5)));
    tf.dispose([x, scale, shift, y]);
  });

  it('normalizes each example on its own (another example in the batch changes nothing)', () => {
    const rng = new RandomSource(1);
    const x = rng.normal([3, 4, 4, 2]);
    const s = rng.normal([3, 2]);
    const b = rng.normal([3, 2]);
    const all = adaptiveInstanceNorm(x, s, b);
    const one = tf.tidy(() => adaptiveInstanceNorm(tf.slice(x, [1], [1]), tf.slice(s, [1], [1]), tf.slice(b, [1], [1])));
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.slice(all, [1], [1]), one))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-6);
    tf.dispose([x, s, b, all, one]);
  });

  it('refuses styles of the wrong shape in one line', () => {
    const x = tf.zeros([2, 3, 3, 4]);
    const ok = tf.zeros([2, 4]);
    const bad = tf.zeros([2, 3]);
    expect(() => adaptiveInstanceNorm(x, bad, ok)).toThrow(/scale must have shape \[2, 4\] \(batch, channels\), got \[2, 3\]/);
    expect(() => adaptiveInstanceNorm(tf.zeros([2, 4]) as tf.Tensor, ok, ok)).toThrow(/spatial axis/);
    tf.dispose([x, ok, bad]);
  });
});

describe('adain layer', () => {
  it('takes its styles from the learned affine map A: y_s = w·W_s + b_s (b_s = 1 at start), y_b = w·W_b + b_b', () => {
    const layer = asAdain(buildLayer(adain({ styleDim: 2 }), [2, 1, 2], { name: 'ada', seed: 1 }));
    const [ws, bs, wb, bb] = layer.trainableVariables;
    expect([ws.name, bs.name, wb.name, bb.name]).toEqual(['ada/scale_kernel', 'ada/scale_bias', 'ada/shift_kernel', 'ada/shift_bias']);
    expect(Array.from(bs.dataSync())).toEqual([1, 1]);
    expect(Array.from(bb.dataSync())).toEqual([0, 0]);
    ws.assign(
      tf.tensor2d([
        [1, 0],
        [0, -0.5],
      ]),
    );
    wb.assign(
      tf.tensor2d([
        [0.5, 0],
        [0, 1],
      ]),
    );
    const w = tf.tensor2d([[1, 1]]); // y_s = [1 + 1, 1 − 0.5] = [2, 0.5]; y_b = [0.5, 1]
    const x = tf.tensor4d([1, 0, 3, 4], [1, 2, 1, 2]);
    const y = layer.applyStyled(x, w, { training: true });
    // normalized [-1, 1] in both channels; y_b = [0.5, 1]
    expect(Array.from(y.dataSync())).toEqual([-1.5, 0.5, 2.5, 1.5].map((v) => expect.closeTo(v, 4)));
    expect(() => layer.apply(x, { training: true })).toThrow(/applyStyled/);
    expect(() => layer.applyStyled(x, tf.zeros([1, 3]), { training: true })).toThrow(/style w must have shape \[1, 2\], got \[1, 3\]/);
    const before = tf.memory().numTensors;
    tf.dispose(layer.applyStyled(x, w, { training: false }));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, x, y]);
    layer.dispose();
    expect(ws.isDisposed).toBe(true);
  });
});
