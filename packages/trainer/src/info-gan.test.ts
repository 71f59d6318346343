// InfoGAN: the seeded latent codes and the information terms of the infogan plugin.
import { type GanPlugin, RandomSource, type StepContext } from '@gankit/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { infogan, infoganAdversarialOutput, infoganLatent, infoganOneHot, resolveInfoganCodes } from './info-gan';
import { dispose, mean, softplus } from './test-recorder';
import { gaussian1d, mlp, nonSaturating } from './test-utils';
import { Trainer } from './trainer';

const rows = (t: tf.Tensor) => t.arraySync() as number[][];

describe('infoganLatent', () => {
  it('draws [noise | one-hot | U(−1, 1)] rows: uniform categories, codes in [−1, 1), standard normal noise', () => {
    const n0 = tf.memory().numTensors;
    const z = infoganLatent({ noiseDim: 4, numCategories: 5, numContinuous: 2 })(5000, new RandomSource(3));
    expect(tf.memory().numTensors).toBe(n0 + 1);
    expect(z.shape).toEqual([5000, 11]);
    const r = rows(z);
    z.dispose();
    const counts = [0, 0, 0, 0, 0];
    for (const row of r) {
      const code = row.slice(4, 9);
      expect(code.filter((v) => v === 1)).toHaveLength(1);
      expect(code.reduce((a, b) => a + b)).toBe(1);
      counts[code.indexOf(1)]++;
      for (const c of row.slice(9)) expect(c >= -1 && c < 1).toBe(true);
    }
    // Each count is Binomial(5000, 1/5): sd ≈ 28.3; 5 sd.
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(142);
    const noise = r.flatMap((row) => row.slice(0, 4));
    expect(Math.abs(mean(noise))).toBeLessThan(0.03);
    expect(Math.abs(mean(noise.map((v) => v * v)) - 1)).toBeLessThan(0.05);
    const cont = r.flatMap((row) => row.slice(9));
    expect(Math.abs(mean(cont))).toBeLessThan(0.03);
    expect(Math.abs(mean(cont.map((v) => v * v)) - 1 / 3)).toBeLessThan(0.02); // Var U(−1, 1) = 1/3
  });

  it('is seeded: the same seed repeats every draw, later draws and other seeds differ', () => {
    const sample = infoganLatent();
    const draw = (random: RandomSource) => {
      const z = sample(8, random);
      const v = rows(z);
      z.dispose();
      return v;
    };
    const a = new RandomSource(7);
    const b = new RandomSource(7);
    const first = draw(a);
    expect(first[0]).toHaveLength(74);
    expect(draw(b)).toEqual(first);
    const second = draw(a);
    expect(draw(b)).toEqual(second);
    expect(second).not.toEqual(first);
    expect(draw(new RandomSource(8))).not.toEqual(first);
    // The categorical values themselves change from draw to draw (not only the noise).
    const cats = (m: number[][]) => m.map((row) => row.slice(62, 72).indexOf(1));
    expect(cats(second)).not.toEqual(cats(first));
  });

  it('names a bad layout in one line', () => {
    expect(() => infoganLatent({ noiseDim: -1 })).toThrow('infoganLatent: noiseDim must be an integer >= 0, got -1');
    expect(() => infoganLatent({ numCategories: 1 })).toThrow(/numCategories must be 0 \(no categorical code\) or >= 2, got 1/);
    expect(() => resolveInfoganCodes({ numCategories: 0, numContinuous: 0 })).toThrow(/there is no code to learn/);
    expect(() => infoganOneHot([0, 3], 3)).toThrow('infoganOneHot: value 3 at index 1 is out of range [0, 3)');
  });
});

/** Records the latent batch and D's output on the fakes that each phase's hooks see. */
function zRecorder(): GanPlugin & { d: { z: number[][]; fake: number[][] }[]; g: { z: number[][]; fake: number[][] }[] } {
  const d: { z: number[][]; fake: number[][] }[] = [];
  const g: { z: number[][]; fake: number[][] }[] = [];
  const grab = (s: StepContext) => ({ z: rows(s.z), fake: rows(s.fakeOutput()) });
  return { name: 'z-recorder', d, g, discriminatorLoss: (s) => void d.push(grab(s)), generatorLoss: (s) => void g.push(grab(s)) };
}

const CODES = { noiseDim: 2, numCategories: 3, numContinuous: 2 };

function ce(logits: number[], code: number[]): number {
  const m = Math.max(...logits);
  const lse = m + Math.log(logits.reduce((s, v) => s + Math.exp(v - m), 0));
  return -logits.reduce((s, v, k) => s + (v - lse) * code[k], 0);
}

/** −log N(c; μ, σ²) summed over the codes. */
function nll(mu: number[], c: number[], logStd: number[]): number {
  return mu.reduce((s, m, j) => s + 0.5 * Math.log(2 * Math.PI) + logStd[j] + (c[j] - m) ** 2 / (2 * Math.exp(2 * logStd[j])), 0);
}

function trainer(options: { seed: number; std?: number | 'learned'; plugins?: GanPlugin[] }) {
  const learned = options.std === 'learned';
  return new Trainer({
    generator: mlp('info-g', 7, 8, 1, 1),
    discriminator: mlp('info-d', 1, 8, learned ? 8 : 6, 2),
    loss: nonSaturating,
    data: gaussian1d(1, 0.5),
    batchSize: 16,
    seed: options.seed,
    latent: infoganLatent(CODES),
    adversarialOutput: infoganAdversarialOutput,
    plugins: [infogan({ ...CODES, continuousWeight: 0.25, categoricalWeight: 2, continuousStd: options.std }), ...(options.plugins ?? [])],
  });
}

describe('infogan', () => {
  for (const std of [1, 0.5, 'learned'] as const) {
    it(`adds λ_cat·CE(Q logits, c) and λ_cont·NLL(c | μ, σ = ${std}) to D's (Q's) and G's losses, read from s.z and fakeOutput()`, async () => {
      const rec = zRecorder();
      const t = trainer({ seed: 4, std, plugins: [rec] });
      const logs = await t.step();
      for (const [phase, prefix] of [
        [rec.d[0], 'q'],
        [rec.g[0], 'g'],
      ] as const) {
        const cat = mean(phase.fake.map((out, i) => ce(out.slice(1, 4), phase.z[i].slice(2, 5))));
        const cont = mean(
          phase.fake.map((out, i) =>
            nll(out.slice(4, 6), phase.z[i].slice(5), std === 'learned' ? out.slice(6, 8) : [Math.log(std), Math.log(std)]),
          ),
        );
        expect(logs.terms[`infogan/${prefix}Categorical`]).toBeCloseTo(2 * cat, 5);
        expect(logs.terms[`infogan/${prefix}Continuous`]).toBeCloseTo(0.25 * cont, 5);
      }
      // The adversarial loss sees column 0 only.
      const g = rec.g[0];
      expect(logs.generatorLoss).toBeCloseTo(
        mean(g.fake.map((r) => softplus(-r[0]))) + logs.terms['infogan/gCategorical'] + logs.terms['infogan/gContinuous'],
        5,
      );
      dispose(t);
    });
  }

  it("with categoricalAugment, reads the categorical code from D's output on the augmented fakes and the continuous ones from fakeOutput()", async () => {
    let augmented: tf.Tensor | undefined;
    const seen: tf.Tensor[] = [];
    const augment = (x: tf.Tensor, random: RandomSource) => {
      seen.push(x);
      augmented = tf.add(x, random.normal(x.shape, 0, 0.5, 'test-augment'));
      return augmented;
    };
    const d: { z: number[][]; fake: number[][]; warped: number[][] }[] = [];
    const g: typeof d = [];
    const grab = (s: StepContext) => {
      // The augmented fakes are fresh draws, not the fakes themselves.
      expect(rows(augmented!)).not.toEqual(rows(s.fake()));
      return { z: rows(s.z), fake: rows(s.fakeOutput()), warped: rows(s.discriminate(augmented!)) };
    };
    const recorder: GanPlugin = { name: 'rec', discriminatorLoss: (s) => void d.push(grab(s)), generatorLoss: (s) => void g.push(grab(s)) };
    const make = (plugins: GanPlugin[]) =>
      new Trainer({
        generator: mlp('info-g', 7, 8, 1, 1),
        discriminator: mlp('info-d', 1, 8, 6, 2),
        loss: nonSaturating,
        data: gaussian1d(1, 0.5),
        batchSize: 16,
        seed: 4,
        latent: infoganLatent(CODES),
        adversarialOutput: infoganAdversarialOutput,
        plugins: [infogan({ ...CODES, continuousWeight: 0.25, categoricalWeight: 2, categoricalAugment: augment }), ...plugins],
      });
    const t = make([recorder]);
    const logs = await t.step();
    expect(seen).toHaveLength(2); // once in D's update, once in G's
    for (const [phase, prefix] of [
      [d[0], 'q'],
      [g[0], 'g'],
    ] as const) {
      const cat = mean(phase.warped.map((out, i) => ce(out.slice(1, 4), phase.z[i].slice(2, 5))));
      const catUnwarped = mean(phase.fake.map((out, i) => ce(out.slice(1, 4), phase.z[i].slice(2, 5))));
      const cont = mean(phase.fake.map((out, i) => nll(out.slice(4, 6), phase.z[i].slice(5), [0, 0])));
      expect(logs.terms[`infogan/${prefix}Categorical`]).toBeCloseTo(2 * cat, 5);
      expect(Math.abs(cat - catUnwarped)).toBeGreaterThan(1e-4);
      expect(logs.terms[`infogan/${prefix}Continuous`]).toBeCloseTo(0.25 * cont, 5);
    }
    // Seeded through the run's source: the same seed draws the same augmentation.
    const again = make([]);
    expect((await again.step()).terms).toEqual(logs.terms);
    dispose(t);
    dispose(again);
  });

  it('draws its codes through the trainer: the same seed gives the same codes at every update, another seed others', async () => {
    const codesOf = async (seed: number) => {
      const rec = zRecorder();
      const t = trainer({ seed, plugins: [rec] });
      await t.fit({ steps: 3 });
      dispose(t);
      return [...rec.d, ...rec.g].map((p) => p.z);
    };
    const a = await codesOf(9);
    expect(await codesOf(9)).toEqual(a);
    expect(await codesOf(10)).not.toEqual(a);
    expect(a[0]).not.toEqual(a[1]); // fresh codes each update
  });

  it('teaches Q to read the code back: the categorical term falls well below log K, with no tensor leak', async () => {
    const t = new Trainer({
      generator: mlp('info-g', 7, 16, 1, 1),
      discriminator: mlp('info-d', 1, 16, 6, 2),
      loss: nonSaturating,
      data: gaussian1d(0, 1),
      batchSize: 64,
      seed: 1,
      latent: infoganLatent(CODES),
      adversarialOutput: infoganAdversarialOutput,
      discriminatorOptimizer: tf.train.adam(0.01, 0.5),
      generatorOptimizer: tf.train.adam(0.01, 0.5),
      plugins: [infogan(CODES)],
    });
    const first = await t.step();
    expect(first.terms['infogan/qCategorical']).toBeGreaterThan(0.9); // ≈ log 3 = 1.10 at the start
    const n0 = tf.memory().numTensors;
    const r = await t.fit({ steps: 150 });
    expect(tf.memory().numTensors).toBe(n0);
    expect(r.last!.terms['infogan/qCategorical']).toBeLessThan(0.3);
    dispose(t);
  });

  it("teaches Q to read a continuous code back: its negative log-likelihood falls below the prior's ½ log 2π + 1/6", async () => {
    const codes = { noiseDim: 1, numCategories: 0, numContinuous: 1 };
    const t = new Trainer({
      generator: mlp('info-g', 2, 16, 1, 1),
      discriminator: mlp('info-d', 1, 16, 2, 2),
      loss: nonSaturating,
      data: gaussian1d(0, 1),
      batchSize: 64,
      seed: 2,
      latent: infoganLatent(codes),
      adversarialOutput: infoganAdversarialOutput,
      discriminatorOptimizer: tf.train.adam(0.01, 0.5),
      generatorOptimizer: tf.train.adam(0.01, 0.5),
      plugins: [infogan({ ...codes, continuousWeight: 1 })],
    });
    const prior = 0.5 * Math.log(2 * Math.PI) + 1 / 6; // N(c; 0, 1) under c ~ U(−1, 1)
    const first = await t.step();
    expect(first.terms['infogan/qContinuous']).toBeGreaterThan(prior - 0.1);
    const r = await t.fit({ steps: 150 });
    expect(r.last!.terms['infogan/qContinuous']).toBeLessThan(prior - 0.1);
    dispose(t);
  });

  it('names a mismatched latent or D output, and bad weights, in one line', async () => {
    expect(() => infogan({ continuousWeight: -1 })).toThrow('infogan: continuousWeight must be a finite number >= 0, got -1');
    expect(() => infogan({ continuousStd: 0 })).toThrow(/continuousStd must be a number > 0 or 'learned', got 0/);
    expect(() => infogan({ categoricalAugment: 'affine' as never })).toThrow(
      'infogan: categoricalAugment must be a function (x, random) => tensor, got string',
    );
    const halfBatch = new Trainer({
      generator: mlp('info-g', 7, 8, 1, 1),
      discriminator: mlp('info-d', 1, 8, 6, 2),
      loss: nonSaturating,
      data: gaussian1d(1, 0.5),
      batchSize: 4,
      latent: infoganLatent(CODES),
      adversarialOutput: infoganAdversarialOutput,
      plugins: [infogan({ ...CODES, categoricalAugment: (x) => tf.slice(x, [0, 0], [2, -1]) })],
    });
    await expect(halfBatch.step()).rejects.toThrow(
      "infogan: D's output for the categorical code must be [4, 6] (real/fake 1 + categorical 3 + continuous 2, one row per latent row), got [2, 6]",
    );
    dispose(halfBatch);
    const wrongD = new Trainer({
      generator: mlp('info-g', 7, 8, 1, 1),
      discriminator: mlp('info-d', 1, 8, 4, 2),
      loss: nonSaturating,
      data: gaussian1d(1, 0.5),
      batchSize: 4,
      latent: infoganLatent(CODES),
      adversarialOutput: infoganAdversarialOutput,
      plugins: [infogan(CODES)],
    });
    await expect(wrongD.step()).rejects.toThrow(
      "infogan: D's output must be [4, 6] (real/fake 1 + categorical 3 + continuous 2, one row per latent row), got [4, 4]",
    );
    dispose(wrongD);
    const normalZ = new Trainer({
      generator: mlp('info-g', 7, 8, 1, 1),
      discriminator: mlp('info-d', 1, 8, 6, 2),
      loss: nonSaturating,
      data: gaussian1d(1, 0.5),
      batchSize: 4,
      adversarialOutput: infoganAdversarialOutput,
      plugins: [infogan({ noiseDim: 3, numCategories: 3, numContinuous: 2 })],
    });
    await expect(normalZ.step()).rejects.toThrow(
      /infogan: the latent batch must be \[batch, 8\] \(noise 3 \+ categorical 3 \+ continuous 2, as infoganLatent draws it\), got \[4, 7\]/,
    );
    dispose(normalZ);
    expect(() => infoganAdversarialOutput(tf.zeros([2]))).toThrow(
      /expected an InfoGAN discriminator output \[batch, 1 \+ codes\], got \[2\]/,
    );
  });
});
