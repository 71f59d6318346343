// GAN-CLS and GAN-INT as plugins: mismatched captions drawn with the seeded source (never the
// image's own), the three-pair discriminator loss and the interpolated generator term against
// values recomputed by hand from what the networks saw.
import { type Batch, type DataSource, GankitError, type Network, RandomSource } from '@gankit/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ganCls, ganInt, interpolatedCaptions, mismatchedCaptions } from './gan-cls';
import { dispose, mean, softplus } from './test-recorder';
import { mlp, nonSaturating } from './test-utils';
import { Trainer } from './trainer';

const TABLE = [
  [1, 0],
  [0, 1],
  [-1, 0],
  [0.5, 0.5],
];
const NUM = TABLE.length;

/** Four captioned 1-D clusters: caption k sits at 2k. */
function captioned(): DataSource {
  return {
    name: 'captioned',
    sampleShape: [1],
    numClasses: NUM,
    nextBatch(n: number, random: RandomSource): Batch {
      const next = random.floats('captioned');
      const labels = Int32Array.from({ length: n }, () => Math.floor(next() * NUM));
      const x = Float32Array.from(labels, (k) => 2 * k + 0.1 * (next() - 0.5));
      return { x: tf.tensor2d(x, [n, 1]), labels: tf.tensor1d(labels, 'int32') };
    },
  };
}

interface Seen {
  x: number[];
  labels: number[][];
  out: number[];
}

/** A network on [input, embedding(labels)] that takes caption ids or embeddings and records what it saw. */
function textNet(name: string, inputDim: number, outputDim: number, seed: number, table: tf.Tensor2D): Network & { seen: Seen[] } {
  const inner = mlp(name, inputDim + 2, 8, outputDim, seed);
  const seen: Seen[] = [];
  return {
    ...inner,
    inputShape: [inputDim],
    seen,
    apply: (x, options) => {
      const l = options.labels;
      if (!l) throw new Error(`${name} needs labels`);
      const y = tf.tidy(() => {
        const e = l.dtype === 'int32' ? tf.gather(table, l) : l;
        return inner.apply(tf.concat([x, e], 1), options);
      });
      const labels = l.dtype === 'int32' ? Array.from(l.dataSync(), (k) => [k]) : (l.arraySync() as number[][]);
      seen.push({ x: Array.from(x.dataSync()), labels, out: Array.from(y.dataSync()) });
      return y;
    },
  };
}

describe('mismatchedCaptions', () => {
  it('never returns the own caption, is uniform over the others and repeats for the same seed', () => {
    const own = Int32Array.from({ length: 8000 }, (_, i) => i % 4);
    const a = mismatchedCaptions(own, 4, new RandomSource(3).floats('gan-cls'));
    const b = mismatchedCaptions(own, 4, new RandomSource(3).floats('gan-cls'));
    const c = mismatchedCaptions(own, 4, new RandomSource(4).floats('gan-cls'));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    for (let i = 0; i < own.length; i++) expect(a[i]).not.toBe(own[i]);
    // For each own caption (2,000 each) the other three come up ≈ 667 times each (sd ≈ 21; 6 sd).
    for (let k = 0; k < 4; k++) {
      for (let j = 0; j < 4; j++) {
        if (j === k) continue;
        const count = a.filter((v, i) => own[i] === k && v === j).length;
        expect(Math.abs(count - 2000 / 3)).toBeLessThan(126);
      }
    }
    // Two captions: the mismatch is always the other one.
    expect(Array.from(mismatchedCaptions([0, 1, 1, 0], 2, () => 0.999))).toEqual([1, 0, 0, 1]);
  });

  it('refuses one caption and out-of-range ids in one line', () => {
    expect(() => mismatchedCaptions([0], 1, Math.random)).toThrow(/numCaptions must be an integer >= 2/);
    expect(() => mismatchedCaptions([0, 5], 4, Math.random)).toThrow(/caption id 5 at position 1 is out of range \[0, 4\)/);
    expect(() => ganCls({ numCaptions: 1 })).toThrow(GankitError);
    expect(() => ganCls({ numCaptions: 4, mismatchWeight: 2 })).toThrow(/mismatchWeight must be a number in \[0, 1\], got 2/);
    expect(() => ganInt({ embeddings: 'x' as never })).toThrow(/embeddings must be a tensor/);
    expect(() => ganInt({ embeddings: tf.zeros([2, 2]), beta: -1 })).toThrow(/beta must be a number in \[0, 1\]/);
  });
});

async function run(seed: number, plugins: (table: tf.Tensor2D) => ReturnType<typeof ganCls>[]) {
  const table = tf.tensor2d(TABLE);
  const g = textNet('g', 2, 1, 1, table);
  const d = textNet('d', 1, 1, 2, table);
  const t = new Trainer({
    generator: g,
    discriminator: d,
    loss: nonSaturating,
    data: captioned(),
    batchSize: 16,
    seed,
    plugins: plugins(table),
  });
  const logs: Record<string, number>[] = [];
  await t.fit({ steps: 2, onStep: (l) => void logs.push({ d: l.discriminatorLoss, g: l.generatorLoss, ...l.terms }) });
  return { t, g, d, table, logs };
}

describe('ganCls', () => {
  it("adds ½(ℓ_D(r, w) − ℓ_D(r, f)) with D's third look at the real batch, under mismatched captions", async () => {
    const { t, d, table, logs } = await run(7, () => [ganCls({ numCaptions: NUM })]);
    // D's calls per iteration: D phase real, fake, mismatched; G phase fake.
    expect(d.seen).toHaveLength(8);
    for (const it of [0, 1]) {
      const [real, fake, wrong] = d.seen.slice(4 * it, 4 * it + 3);
      expect(wrong.x).toEqual(real.x);
      const own = real.labels.map((r) => r[0]);
      const mis = wrong.labels.map((r) => r[0]);
      expect(mis.every((m, i) => m !== own[i] && m >= 0 && m < NUM)).toBe(true);
      const lr = mean(real.out.map((v) => softplus(-v)));
      const ld = (o: number[]) => lr + mean(o.map((v) => softplus(v)));
      const term = 0.5 * (ld(wrong.out) - ld(fake.out));
      expect(logs[it]['gan-cls/mismatch']).toBeCloseTo(term, 5);
      // D's whole loss is the paper's: −[log s_r + ½(log(1 − s_w) + log(1 − s_f))].
      expect(logs[it].d).toBeCloseTo(lr + 0.5 * mean(wrong.out.map(softplus)) + 0.5 * mean(fake.out.map(softplus)), 5);
    }
    // Seeded: the same run draws the same mismatches; another seed others.
    const again = await run(7, () => [ganCls({ numCaptions: NUM })]);
    expect(again.d.seen[2].labels).toEqual(d.seen[2].labels);
    dispose(t);
    dispose(again.t);
    tf.dispose([table, again.table]);
  });

  it('says what it needs when the trainer is not conditional', async () => {
    const g = mlp('g', 2, 8, 1, 1);
    const d = mlp('d', 1, 8, 1, 2);
    const data = { ...captioned(), numClasses: undefined };
    const t = new Trainer({
      generator: g,
      discriminator: d,
      loss: nonSaturating,
      data,
      conditional: false,
      plugins: [ganCls({ numCaptions: 4 })],
    });
    await expect(t.fit({ steps: 1 })).rejects.toThrow(/gan-cls needs caption ids as labels/);
    dispose(t);
  });
});

describe('ganInt', () => {
  it("adds ℓ_G(D(G(z, h), h)) for h = ½E[t₁] + ½E[t₂], t₂ the batch's captions shuffled with the seeded source", async () => {
    const { t, g, d, table, logs } = await run(11, (tab) => [ganInt({ embeddings: () => tab })]);
    // G's calls per iteration: D phase fakes, G phase fakes, G phase interpolated.
    expect(g.seen).toHaveLength(6);
    for (const it of [0, 1]) {
      const fakes = g.seen[3 * it + 1];
      const interp = g.seen[3 * it + 2];
      expect(interp.x).toEqual(fakes.x);
      const ids = fakes.labels.map((r) => r[0]);
      // Every row is the mean of its own caption's embedding and one of the batch's, a permutation.
      const partners = interp.labels.map((h, i) => {
        const own = TABLE[ids[i]];
        const other = [2 * h[0] - own[0], 2 * h[1] - own[1]];
        const j = ids.findIndex((k) => Math.abs(TABLE[k][0] - other[0]) < 1e-5 && Math.abs(TABLE[k][1] - other[1]) < 1e-5);
        expect(j).toBeGreaterThanOrEqual(0);
        return ids[j];
      });
      expect([...partners].sort()).toEqual([...ids].sort());
      // D judged the interpolated fakes under h; the term is the non-saturating G loss on them.
      const dInterp = d.seen[4 * it + 3];
      expect(dInterp.labels).toEqual(interp.labels);
      expect(logs[it]['gan-int/interpolated']).toBeCloseTo(mean(dInterp.out.map((v) => softplus(-v))), 5);
    }
    dispose(t);
    table.dispose();
  });

  it('interpolatedCaptions is seeded and frees its intermediates', () => {
    const table = tf.tensor2d(TABLE);
    const ids = tf.tensor1d([0, 1, 2, 3, 3], 'int32');
    const n0 = tf.memory().numTensors;
    const a = interpolatedCaptions(table, ids, 0.25, new RandomSource(5));
    const b = interpolatedCaptions(table, ids, 0.25, new RandomSource(5));
    expect(tf.memory().numTensors).toBe(n0 + 2);
    expect(a.shape).toEqual([5, 2]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b, table, ids]);
  });
});
