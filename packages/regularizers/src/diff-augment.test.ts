import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { GankitError, RandomSource, ensureGradients, sortPlugins } from '@gankit/core';
import { DIFF_AUGMENT_POLICIES, type DiffAugmentPlugin, type DiffAugmentPolicy, diffAugment, regularizers } from './index';
import { colorTransform, cutoutMask, translateImages } from './diff-augment';
import { linearCritic, makeStepContext } from './test-helpers';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** A seeded batch of `shape`, drawn from its own source. */
const batch = (shape: number[], seed = 3) => new RandomSource(seed).normal(shape);

describe('diffAugment', () => {
  it('keeps shape and dtype, repeats for one seed, draws afresh on each call, and leaks nothing', () => {
    const x = batch([4, 8, 6, 3]);
    for (const policy of [...DIFF_AUGMENT_POLICIES.map((p) => [p]), DIFF_AUGMENT_POLICIES]) {
      const plugin = diffAugment({ policy });
      expect(sortPlugins([plugin])).toEqual([plugin]);
      const a = new RandomSource(7);
      const before = tf.memory().numTensors;
      const first = plugin.augment(x, a);
      expect(tf.memory().numTensors).toBe(before + 1);
      const second = plugin.augment(x, a);
      const repeat = plugin.augment(x, new RandomSource(7));
      expect(first.shape).toEqual([4, 8, 6, 3]);
      expect(first.dtype).toBe('float32');
      expect(values(repeat)).toEqual(values(first));
      expect(values(second)).not.toEqual(values(first));
      expect(values(first)).not.toEqual(values(x));
      tf.dispose([first, second, repeat]);
    }
    x.dispose();
  });

  it('gives every example parameters of its own', () => {
    const one = batch([1, 16, 16, 3]);
    const x = tf.tile(one, [4, 1, 1, 1]);
    for (const p of DIFF_AUGMENT_POLICIES) {
      const y = diffAugment({ policy: [p], translationRatio: 0.5 }).augment(x, new RandomSource(21));
      const examples = tf.unstack(y).map((e) => values(e).join(','));
      expect(new Set(examples).size, p).toBe(4);
      tf.dispose(y);
    }
    tf.dispose([one, x]);
  });

  it('translation moves pixels exactly by the given shift, zero padded, and its gradient moves them back', () => {
    ensureGradients();
    const x = tf.tensor4d(
      Array.from({ length: 40 }, (_, i) => i + 1),
      [2, 4, 5, 1],
    );
    const shifts = [
      [1, -2],
      [-3, 4],
    ] as const;
    const y = translateImages(x, shifts);
    const xs = x.arraySync();
    const expected = xs.map((img, k) => img.map((row, i) => row.map((_, j) => [xs[k][i - shifts[k][0]]?.[j - shifts[k][1]]?.[0] ?? 0])));
    expect(y.arraySync()).toEqual(expected);
    expect(expected[0][1][0][0]).toBe(3); // x[0, 0, 2] moved down 1, left 2
    expect(expected[1][0][4][0]).toBe(36); // x[1, 3, 0] moved up 3, right 4

    const w = batch([2, 4, 5, 1], 8);
    const before = tf.memory().numTensors;
    const g = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(translateImages(input as tf.Tensor4D, shifts), w)))(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    const back = translateImages(
      w as tf.Tensor4D,
      shifts.map(([d, r]) => [-d, -r] as const),
    );
    expect(values(g)).toEqual(values(back));
    tf.dispose([x, y, w, g, back]);
  });

  it('the translation policy moves each image by at most round(ratio·size) pixels, without blurring', () => {
    const x = tf.tidy(() =>
      tf.tile(
        tf.pad(tf.ones([1, 1, 1, 1]), [
          [0, 0],
          [8, 7],
          [8, 7],
          [0, 0],
        ]),
        [6, 1, 1, 1],
      ),
    );
    const y = diffAugment({ policy: ['translation'] }).augment(x, new RandomSource(4));
    const moves = tf.unstack(y).map((e) => {
      const v = values(e);
      expect(v.reduce((a, b) => a + b, 0)).toBe(1); // one pixel, moved whole
      const at = v.indexOf(1);
      return [Math.floor(at / 16) - 8, (at % 16) - 8];
    });
    for (const [d, r] of moves) expect(Math.max(Math.abs(d), Math.abs(r))).toBeLessThanOrEqual(2); // round(16·0.125)
    expect(new Set(moves.map((m) => m.join())).size).toBeGreaterThan(1);
    tf.dispose([x, y]);
  });

  it('cutout zeroes one clipped rectangle per example and its input gradient is that mask', () => {
    ensureGradients();
    const plugin = diffAugment({ policy: ['cutout'] });
    const x = tf.tidy(() => tf.add(tf.abs(batch([6, 10, 8, 2])), 0.1));
    const ones = tf.onesLike(x);
    const mask = plugin.augment(ones, new RandomSource(13));
    const y = plugin.augment(x, new RandomSource(13));
    const product = tf.mul(x, mask);
    expect(values(y)).toEqual(values(product));
    const before = tf.memory().numTensors;
    const g = tf.grad((input: tf.Tensor) => tf.sum(plugin.augment(input, new RandomSource(13))))(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(values(g)).toEqual(values(mask));
    let full = 0;
    for (const m of mask.arraySync()) {
      const zero = m.map((row) => row.map((px) => px[0] === 0));
      m.forEach((row) => row.forEach((px) => expect(px[0]).toBe(px[1]))); // every channel alike
      const rows = zero.flatMap((row, i) => (row.includes(true) ? [i] : []));
      const cols = [...new Set(zero.flatMap((row) => row.flatMap((z, j) => (z ? [j] : []))))].sort((a, b) => a - b);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.length).toBeLessThanOrEqual(5); // round(10·0.5)
      expect(cols.length).toBeLessThanOrEqual(4); // round(8·0.5)
      // A rectangle: exactly the product of its rows and columns is zero.
      expect(zero.flat().filter(Boolean).length).toBe(rows.length * cols.length);
      expect(rows[rows.length - 1] - rows[0]).toBe(rows.length - 1);
      expect(cols[cols.length - 1] - cols[0]).toBe(cols.length - 1);
      if (rows.length === 5 && cols.length === 4) full++;
    }
    expect(full).toBeGreaterThan(0);
    const clipped = cutoutMask(3, 4, [{ top: -1, left: 2, height: 2, width: 3 }]);
    expect(values(clipped)).toEqual([1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    tf.dispose([x, ones, mask, y, product, g, clipped]);
  });

  it('color: brightness, saturation and contrast act as specified, and the gradient matches finite differences', () => {
    ensureGradients();
    const x = tf.tensor4d([0.2, 0.4, 0.9, -0.5, 0.1, 0.3], [1, 1, 2, 3]);
    const param = (v: number) => tf.fill([1, 1, 1, 1], v);
    const check = (b: number, s: number, c: number, expected: number[]) => {
      const t = [param(b), param(s), param(c)];
      const y = colorTransform(x, t[0], t[1], t[2]);
      values(y).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
      tf.dispose([...t, y]);
    };
    check(0.25, 1, 1, [0.45, 0.65, 1.15, -0.25, 0.35, 0.55]); // brightness adds
    check(0, 0, 1, [0.5, 0.5, 0.5, -0.0333333, -0.0333333, -0.0333333]); // saturation 0: grey pixels
    check(0, 1, 0, Array(6).fill(0.2333333)); // contrast 0: the image's mean
    check(0, 2, 1, [-0.1, 0.3, 1.3, -0.9666667, 0.2333333, 0.6333333]);

    const plugin = diffAugment({ policy: ['color'] });
    const input = batch([2, 2, 3, 3], 30);
    const w = batch([2, 2, 3, 3], 31);
    const f = (v: tf.Tensor) => tf.sum(tf.mul(plugin.augment(v, new RandomSource(5)), w));
    const before = tf.memory().numTensors;
    const gradient = tf.grad(f)(input);
    expect(tf.memory().numTensors).toBe(before + 1);
    const analytic = values(gradient);
    gradient.dispose();
    const data = values(input);
    const eps = 1e-2;
    const numeric = data.map((_, i) => {
      const at = (d: number) => {
        const shifted = data.slice();
        shifted[i] += d;
        return tf.tidy(() => f(tf.tensor4d(shifted, [2, 2, 3, 3])).dataSync()[0]);
      };
      return (at(eps) - at(-eps)) / (2 * eps);
    });
    analytic.forEach((g, i) => expect(g).toBeCloseTo(numeric[i], 2));
    expect(analytic.some((g) => Math.abs(g) > 0.1)).toBe(true);
    tf.dispose([x, input, w]);
  });

  it('refuses non-image batches, non-float batches and bad options with clear errors', () => {
    const critic = linearCritic([1, 1]);
    const points = tf.zeros([8, 2]);
    const s = makeStepContext({ discriminator: critic, real: points });
    const plugin = diffAugment();
    expect(() => plugin.transformDiscriminatorInput(points, s, 'real')).toThrow(
      'diff-augment: DiffAugment works on image batches [batch, height, width, channels], but the real batch has shape [8, 2]',
    );
    const ints = tf.zeros([1, 2, 2, 1], 'int32');
    expect(() => plugin.transformDiscriminatorInput(ints, s, 'fake')).toThrow(/the fake batch must be float32, got int32/);
    expect(() => diffAugment({ policy: [] })).toThrow(/policy must list at least one of color, translation, cutout/);
    expect(() => diffAugment({ policy: ['colour' as DiffAugmentPolicy] })).toThrow(/unknown policy 'colour'/);
    expect(() => diffAugment({ policy: ['cutout', 'cutout'] })).toThrow(/lists 'cutout' twice/);
    expect(() => diffAugment({ cutoutRatio: 1.5 })).toThrow(GankitError);
    expect(() => diffAugment({ translationRatio: -0.1 })).toThrow(/translationRatio must be a number in \[0, 1\], got -0.1/);
    tf.dispose([points, ints]);
    critic.dispose();
  });

  it("is found by name as 'diff-augment', its options checked by the registry", () => {
    const plugin = regularizers.create('diff-augment', { policy: ['cutout', 'color'], cutoutRatio: 0.25 }) as DiffAugmentPlugin;
    expect([plugin.name, plugin.policy, plugin.translationRatio, plugin.cutoutRatio]).toEqual([
      'diff-augment',
      ['cutout', 'color'],
      0.125,
      0.25,
    ]);
    expect(() => regularizers.parse('diff-augment', { policy: ['colour'] })).toThrow(
      `diff-augment.policy[0] must be one of 'color', 'translation', 'cutout', got "colour"; did you mean 'color'?`,
    );
    expect(() => regularizers.create('diff-augment', { policy: ['cutout', 'cutout'] })).toThrow(/lists 'cutout' twice/);
  });
});
