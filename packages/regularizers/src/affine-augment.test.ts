import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, ensureGradients } from '@gankit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { affineAugment, affineSample } from './affine-augment';

const image = (seed: number, shape: [number, number, number, number]) => new RandomSource(seed).normal(shape) as tf.Tensor4D;
const theta = (rows: number[][]) => tf.tensor3d(rows.map((r) => [r.slice(0, 3), r.slice(3)]));
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('affineSample', () => {
  beforeAll(() => ensureGradients());

  it('the identity transform returns the image; a 90° transform rotates it exactly', () => {
    const x = image(1, [2, 5, 5, 3]);
    const id = theta([
      [1, 0, 0, 0, 1, 0],
      [1, 0, 0, 0, 1, 0],
    ]);
    const same = affineSample(x, id);
    expect(maxAbsDiff(same, x)).toBeLessThan(1e-5);
    // 90° counter-clockwise: out[i][j] = in[j][h-1-i], i.e. u_src = -v, v_src = u.
    const rot = theta([
      [0, -1, 0, 1, 0, 0],
      [0, -1, 0, 1, 0, 0],
    ]);
    const rotated = affineSample(x, rot);
    const expected = tf.tidy(() => tf.reverse(tf.transpose(x, [0, 2, 1, 3]), 1));
    expect(maxAbsDiff(rotated, expected)).toBeLessThan(1e-5);
    tf.dispose([x, id, same, rot, rotated, expected]);
  });

  it('half a pixel to the right averages neighbours; outside the image is fill', () => {
    const x = image(2, [1, 3, 4, 1]);
    const shift = 1 / 3; // half a pixel of 4 columns: the columns' centres are 2/3 apart in [-1, 1]
    const t = theta([[1, 0, shift, 0, 1, 0]]);
    const out = affineSample(x, t, -1);
    const xs = x.arraySync() as number[][][][];
    const got = out.arraySync() as number[][][][];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 4; j++) {
        const right = j + 1 < 4 ? xs[0][i][j + 1][0] : -1;
        expect(got[0][i][j][0]).toBeCloseTo(0.5 * (xs[0][i][j][0] + right), 5);
      }
    }
    tf.dispose([x, t, out]);
  });

  it('gradients with respect to theta and x match finite differences', () => {
    const x = image(3, [1, 6, 6, 1]);
    const t0 = theta([[0.9, 0.2, 0.13, -0.15, 1.05, -0.07]]);
    const weights = image(4, [1, 6, 6, 1]);
    const loss = (xx: tf.Tensor, tt: tf.Tensor) => tf.sum(tf.mul(affineSample(xx as tf.Tensor4D, tt as tf.Tensor3D), weights)) as tf.Scalar;
    const [gx, gt] = tf.grads(loss)([x, t0]);
    const eps = 1e-3;
    const tv = t0.dataSync();
    const analytic = gt.dataSync();
    for (let k = 0; k < 6; k++) {
      const bump = (d: number) => {
        const v = Float32Array.from(tv);
        v[k] += d;
        return tf.tidy(() => loss(x, tf.tensor3d(v, [1, 2, 3])).dataSync()[0]);
      };
      expect(analytic[k]).toBeCloseTo((bump(eps) - bump(-eps)) / (2 * eps), 2);
    }
    // The output is linear in x, so d loss / d x at a pixel is the loss of the one-hot image there.
    const unit = tf.tidy(() => tf.reshape(tf.oneHot(tf.tensor1d([14], 'int32'), 36), [1, 6, 6, 1]));
    const viaUnit = tf.tidy(() => tf.sum(tf.mul(affineSample(unit as tf.Tensor4D, t0), weights)).dataSync()[0]);
    expect(gx.dataSync()[14]).toBeCloseTo(viaUnit, 5);
    tf.dispose([x, t0, weights, gx, gt, unit]);
  });

  it('the gradient in x is the transposed sampling map, also where a zoom reads one pixel many times', () => {
    // Output = A·x for a fixed theta; A's columns are the outputs of the one-hot images. With a 2×
    // zoom each input pixel is read by several output pixels, so its gradient is a sum.
    const n = 5;
    const t = theta([[0.5, 0.1, 0.05, -0.05, 0.45, 0.1]]);
    const weights = image(11, [1, n, n, 1]);
    const x = image(12, [1, n, n, 1]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(affineSample(v as tf.Tensor4D, t, -1), weights)) as tf.Scalar)(x);
    const w = weights.dataSync();
    const got = g.dataSync();
    let repeated = 0;
    for (let p = 0; p < n * n; p++) {
      const column = tf.tidy(() => {
        const unit = tf.reshape(tf.oneHot(tf.tensor1d([p], 'int32'), n * n), [1, n, n, 1]) as tf.Tensor4D;
        // fill 0 here: the fill term does not depend on x.
        return Array.from(affineSample(unit, t).dataSync());
      });
      if (column.filter((v) => v > 0).length > 1) repeated++;
      const expected = column.reduce((s: number, v: number, i: number) => s + v * w[i], 0);
      expect(got[p]).toBeCloseTo(expected, 5);
    }
    expect(repeated).toBeGreaterThan(5);
    tf.dispose([t, weights, x, g]);
  });

  it('at the identity, where every sample falls on a pixel, the gradient in theta is the neighbour difference', () => {
    // Moving the grid right by d reads x[i][j + d·(w-1)/2]: d loss / d theta[0][2] = sum of
    // (x[i][j+1] - x[i][j])·(w-1)/2 (one-sided, as the floor), where the last column's right
    // neighbour is outside the image: fill, 0.
    const x = image(7, [1, 4, 5, 1]);
    const id = theta([[1, 0, 0, 0, 1, 0]]);
    const g = tf.grad((tt: tf.Tensor) => tf.sum(affineSample(x, tt as tf.Tensor3D)) as tf.Scalar)(id);
    const xs = x.arraySync() as number[][][][];
    let expected = 0;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 5; j++) expected += ((j < 4 ? xs[0][i][j + 1][0] : 0) - xs[0][i][j][0]) * 2;
    expect(expected).not.toBe(0);
    expect(g.dataSync()[2]).toBeCloseTo(expected, 4);
    tf.dispose([x, id, g]);
  });

  it('names a wrong shape of x or theta', () => {
    const x = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
    const t = tf.zeros([1, 2, 3]) as tf.Tensor3D;
    expect(() => affineSample(x, t)).toThrow('affineSample: theta must be [2, 2, 3] for 2 images, got [1, 2, 3]');
    expect(() => affineSample(tf.zeros([4, 4]) as unknown as tf.Tensor4D, t)).toThrow(
      /x must be \[batch, h, w, c\] with h, w >= 2, got \[4, 4\]/,
    );
    tf.dispose([x, t]);
  });
});

describe('affineAugment', () => {
  beforeAll(() => ensureGradients());

  it('with every bound 0 it is the identity', () => {
    const x = image(8, [3, 6, 6, 1]);
    const y = affineAugment({ rotation: 0, shear: 0, scale: 0, shift: 0 })(x, new RandomSource(1));
    expect(maxAbsDiff(y, x)).toBeLessThan(1e-5);
    tf.dispose([x, y]);
  });

  it('draws rotation, shear, scale and shifts in that order from its stream: each example equals affineSample of its own transform', () => {
    const x = image(9, [4, 7, 7, 2]);
    const opts = { rotation: 20, shear: 0.3, scale: 0.2, shift: 0.15, fill: -1 };
    const y = affineAugment(opts)(x, new RandomSource(5));
    // The same draws by hand.
    const next = new RandomSource(5).floats('affine-augment');
    const u = (m: number) => (2 * next() - 1) * m;
    const rows: number[][] = [];
    for (let i = 0; i < 4; i++) {
      const a = u((20 * Math.PI) / 180);
      const sh = u(0.3);
      const s = 1 + u(0.2);
      const tx = u(0.15);
      const ty = u(0.15);
      expect(Math.abs(a)).toBeLessThanOrEqual((20 * Math.PI) / 180);
      expect(Math.abs(s - 1)).toBeLessThanOrEqual(0.2);
      // Rotation after shear, scaled: the matrix s·R(a)·[[1, sh], [0, 1]].
      const [c, sn] = [Math.cos(a), Math.sin(a)];
      rows.push([s * c, s * (c * sh - sn), tx, s * sn, s * (sn * sh + c), ty]);
    }
    const t = theta(rows);
    const expected = affineSample(x, t, -1);
    expect(maxAbsDiff(y, expected)).toBe(0);
    // Seeded: the same source gives the same batch, another seed another one.
    const again = affineAugment(opts)(x, new RandomSource(5));
    const other = affineAugment(opts)(x, new RandomSource(6));
    expect(maxAbsDiff(again, y)).toBe(0);
    expect(maxAbsDiff(other, y)).toBeGreaterThan(0.01);
    tf.dispose([x, y, t, expected, again, other]);
  });

  it('a pure rotation keeps the image mean of a centred disc; gradients reach the images; no tensors leak', () => {
    // A disc of radius 2.5 around the centre of a 9×9 image, background -1: a rotation (and a small
    // shift) keeps it inside, so the warped image has about the same number of bright pixels.
    const disc = new Float32Array(81).map((_, p) => (Math.hypot((p % 9) - 4, Math.floor(p / 9) - 4) <= 2.5 ? 1 : -1));
    const x = tf.tensor4d(disc, [1, 9, 9, 1]);
    const augment = affineAugment({ rotation: 90, shear: 0, scale: 0, shift: 0 });
    const before = tf.memory().numTensors;
    const y = augment(x, new RandomSource(2));
    expect(Math.abs(tf.tidy(() => tf.sub(tf.mean(y), tf.mean(x)).dataSync()[0]))).toBeLessThan(0.05);
    const g = tf.grad((v: tf.Tensor) => tf.sum(augment(v, new RandomSource(2))) as tf.Scalar)(x);
    // Each output pixel's bilinear weights sum to 1 inside the image: the gradient's total is the
    // number of output pixels that read the image (all 81 for a disc-preserving rotation, fewer
    // where corners sample outside).
    const total = tf.tidy(() => tf.sum(g).dataSync()[0]);
    expect(total).toBeGreaterThan(60);
    expect(total).toBeLessThanOrEqual(81 + 1e-3);
    tf.dispose([y, g]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('names bad options and bad input', () => {
    expect(() => affineAugment({ rotation: -1 })).toThrow('affineAugment: rotation must be a number in [0, 180], got -1');
    expect(() => affineAugment({ scale: 1 })).toThrow(/scale must be a number in \[0, 0.99\], got 1/);
    expect(() => affineAugment({ shear: Number.NaN })).toThrow(/shear must be a number/);
    expect(() => affineAugment({ fill: Number.POSITIVE_INFINITY })).toThrow(/fill must be a finite number/);
    const flat = tf.zeros([2, 16]);
    expect(() => affineAugment()(flat, new RandomSource(0))).toThrow(
      'affineAugment: expected an image batch [batch, height, width, channels], got [2, 16]',
    );
    const ints = tf.zeros([1, 4, 4, 1], 'int32');
    expect(() => affineAugment()(ints, new RandomSource(0))).toThrow('affineAugment: the images must be float32, got int32');
    tf.dispose([flat, ints]);
  });
});
