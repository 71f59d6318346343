import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { GankitError, RandomSource, ensureGradients } from '@gankit/core';
import type { ApplyOptions, Network } from '@gankit/core';
import { mlpDiscriminator } from './builders/mlp';
import { packDiscriminator } from './packing';
import { expectGradientsFlow, expectNoLeak } from './test-helpers';

/** A linear critic f(p) = Σ w ⊙ p over one packed example, with w fixed: a closed form to check against. */
function linearCritic(innerShape: number[], w: number[]): Network & { seen: number[][] } {
  const seen: number[][] = [];
  return {
    name: 'critic',
    inputShape: innerShape,
    outputShape: [1],
    trainableVariables: [],
    nonTrainableVariables: [],
    seen,
    apply(x: tf.Tensor, _options: ApplyOptions) {
      seen.push([...x.shape]);
      return tf.tidy(() => tf.reshape(tf.sum(tf.mul(tf.reshape(x, [x.shape[0], -1]), tf.tensor1d(w)), 1), [x.shape[0], 1]));
    },
    dispose() {},
  };
}

/** Reference packing in plain arrays: pack p concatenates samples p·m … p·m+m−1 along the last axis. */
function referencePack(samples: number[][], m: number, channels: number): number[][] {
  const packs: number[][] = [];
  for (let p = 0; p < samples.length / m; p++) {
    const pixels = samples[0].length / channels;
    const out: number[] = [];
    for (let px = 0; px < pixels; px++) {
      for (let j = 0; j < m; j++) out.push(...samples[p * m + j].slice(px * channels, (px + 1) * channels));
    }
    packs.push(out);
  }
  return packs;
}

function dot(a: number[], b: number[]): number {
  return a.reduce((s, v, i) => s + v * b[i], 0);
}

describe('packDiscriminator', () => {
  it("concatenates m consecutive points and gives every sample its pack's output (flat [B, d] -> [B/m, m·d])", () => {
    const m = 3;
    const w = [1, -2, 3, 0.5, 4, -1];
    const inner = linearCritic([6], w);
    const d = packDiscriminator(inner, { samples: m });
    expect(d.inputShape).toEqual([2]);
    expect(d.outputShape).toEqual([1]);
    const rows = [
      [1, 2],
      [3, 4],
      [5, 6],
      [-1, 0.5],
      [2, -3],
      [0, 1],
    ];
    const x = tf.tensor2d(rows);
    const y = d.apply(x, { training: true });
    expect(inner.seen).toEqual([[2, 6]]);
    const packs = referencePack(rows, m, 2);
    expect(packs[0]).toEqual([1, 2, 3, 4, 5, 6]);
    const want = [0, 0, 0, 1, 1, 1].map((p) => [dot(packs[p], w)]);
    expect(y.shape).toEqual([6, 1]);
    const got = y.arraySync() as number[][];
    got.forEach((row, i) => expect(row[0]).toBeCloseTo(want[i][0], 5));
    tf.dispose([x, y]);
  });

  it('stacks image channels as PacGAN does ([B, h, w, c] -> [B/m, h, w, m·c])', () => {
    const m = 2;
    const c = 3;
    const shape = [2, 2, c];
    const inner = linearCritic(
      [2, 2, m * c],
      Array.from({ length: 2 * 2 * m * c }, (_, i) => ((i * 7) % 5) - 2),
    );
    const d = packDiscriminator(inner, { samples: m });
    expect(d.inputShape).toEqual(shape);
    const random = new RandomSource(3);
    const x = tf.tidy(() => random.normal([4, ...shape]));
    const samples = tf.tidy(() => tf.reshape(x, [4, -1])).arraySync() as number[][];
    const w = Array.from({ length: 2 * 2 * m * c }, (_, i) => ((i * 7) % 5) - 2);
    const packs = referencePack(samples, m, c);
    const y = d.apply(x, { training: false });
    const got = (y.arraySync() as number[][]).map((r) => r[0]);
    [0, 0, 1, 1].forEach((p, i) => expect(got[i]).toBeCloseTo(dot(packs[p], w), 4));
    tf.dispose([x, y]);
  });

  it('has the input gradient of the pack mean: d/dx of the mean output is w·(1/m)·(m/B) per sample, as over the packs', () => {
    ensureGradients();
    const w = [2, -1, 0.5, 3];
    const d = packDiscriminator(linearCritic([4], w), { samples: 2 });
    const x = tf.tensor2d([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    const g = tf.grad((v: tf.Tensor) => tf.mean(d.apply(v, { training: true })))(x);
    // mean over 4 samples = mean over 2 packs of Σ w ⊙ pack; sample 2j+k of a pack sees w[2k], w[2k+1] / 2 packs.
    const want = [
      [1, -0.5],
      [0.25, 1.5],
      [1, -0.5],
      [0.25, 1.5],
    ];
    (g.arraySync() as number[][]).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 5)));
    tf.dispose([x, g]);
  });

  it("exposes the inner network's variables, trains them, and leaks nothing", () => {
    const inner = mlpDiscriminator({ inputDim: 8, hidden: [16, 16], seed: 1 });
    const d = packDiscriminator(inner, { samples: 4 });
    expect(d.trainableVariables).toBe(inner.trainableVariables);
    expect(d.nonTrainableVariables).toBe(inner.nonTrainableVariables);
    expect(d.packing).toBe(4);
    expect(d.inner).toBe(inner);
    const x = tf.tidy(() => new RandomSource(2).normal([8, 2]));
    expectNoLeak(d, x);
    expectGradientsFlow(d, x);
    x.dispose();
    const vars = [...inner.trainableVariables];
    d.dispose();
    expect(vars.every((v) => v.isDisposed)).toBe(true);
  });

  it('refuses bad settings, batches that do not split into packs, and labels, each with one clear line', () => {
    const inner = mlpDiscriminator({ inputDim: 4, hidden: [8], seed: 1 });
    expect(() => packDiscriminator(inner, { samples: 1 })).toThrow(/samples must be at least 2/);
    expect(() => packDiscriminator(inner, { samples: 3 })).toThrow(/last axis \(4\) is not a multiple of samples = 3/);
    expect(() => packDiscriminator(inner, { samples: 2.5 })).toThrow(GankitError);
    const d = packDiscriminator(inner, { samples: 2 });
    const x3 = tf.zeros([3, 2]);
    expect(() => d.apply(x3, { training: true })).toThrow(/batch 3 is not a multiple of the packing 2/);
    const x4 = tf.zeros([4, 2]);
    const labels = tf.tensor1d([0, 1, 0, 1], 'int32');
    expect(() => d.apply(x4, { training: true, labels })).toThrow(/conditional packing is not supported/);
    const wide = tf.zeros([4, 4]);
    expect(() => d.apply(wide, { training: true })).toThrow(/expected input of shape/);
    tf.dispose([x3, x4, wide, labels]);
    inner.dispose();
  });
});
