import * as tf from '@tensorflow/tfjs-core';
import { RandomSource } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { mixStyles, styleMixingLatent, truncateStyles } from '../layers/style-ops';
import { exampleSeeds, styleNoise } from '../layers/style-noise';
import { expectGradientsFlow, expectNoLeak, maxAbsDiff } from '../test-helpers';
import { styleGenerator } from './style-generator';

const small = { latentDim: 8, styleDim: 8, mappingLayers: 2, baseFilters: 4 } as const;

/** The same z in every style layer: `[n, L, d]`. */
function repeated(z: tf.Tensor, layers: number): tf.Tensor {
  return tf.tidy(() => tf.tile(tf.expandDims(z, 1), [1, layers, 1]));
}

describe('styleGenerator', () => {
  for (const mode of ['adain', 'modulated'] as const) {
    it(`maps per-layer z's [n, 6, d] to 28×28 images (${mode}), gradients reach every variable, no leaks`, () => {
      const g = styleGenerator({ ...small, mode, seed: 1, name: `g-${mode}` });
      expect(g.numStyles).toBe(6);
      expect(g.inputShape).toEqual([6, 8]);
      expect(g.outputShape).toEqual([28, 28, 1]);
      const z = new RandomSource(2).normal([3, 6, 8]);
      const y = g.apply(z, { training: true });
      expect(y.shape).toEqual([3, 28, 28, 1]);
      tf.dispose(y);
      // the noise scales start at 0 (no gradient through them before they move): give them a value
      for (const v of g.trainableVariables) if (v.name.endsWith('/scale') && v.name.includes('noise')) v.assign(tf.fill(v.shape, 0.1));
      expectGradientsFlow(g, z);
      expectNoLeak(g, z);
      tf.dispose(z);
      g.dispose();
    });
  }

  it('is apply = synthesize(map(z)) with noise seeded by z: the same z gives the same image in any batch', () => {
    const g = styleGenerator({ ...small, seed: 3 });
    for (const v of g.trainableVariables) if (v.name.includes('noise_')) v.assign(tf.fill(v.shape, 0.5));
    const z = new RandomSource(4).normal([4, 6, 8]);
    const y = g.apply(z, { training: false });
    const again = tf.tidy(() => g.apply(tf.slice(z, [2], [1]), { training: false }));
    expect(maxAbsDiff(tf.slice(y, [2], [1]), again)).toBeLessThan(1e-5);
    const ws = g.map(z);
    expect(ws.shape).toEqual([4, 6, 8]);
    const viaSynth = g.synthesize(ws, { training: false, noiseSeeds: exampleSeeds(z, 3) });
    expect(maxAbsDiff(y, viaSynth)).toBe(0);
    // other noise seeds change the image when the noise scales are non-zero
    const otherNoise = g.synthesize(ws, { training: false, noiseSeeds: [1, 2, 3, 4] });
    expect(maxAbsDiff(y, otherNoise)).toBeGreaterThan(1e-3);
    tf.dispose([z, y, again, ws, viaSynth, otherNoise]);
    g.dispose();
  });

  it('style mixing switches styles exactly at the crossover layer', () => {
    const g = styleGenerator({ ...small, seed: 5, noise: false });
    const rng = new RandomSource(6);
    const zA = rng.normal([2, 8]);
    const zB = rng.normal([2, 8]);
    const a = repeated(zA, 6);
    const b = repeated(zB, 6);
    const mixed = mixStyles(a, b, [2, 4]);
    const rows = mixed.arraySync() as number[][][];
    const av = a.arraySync() as number[][][];
    const bv = b.arraySync() as number[][][];
    for (const [e, cut] of [
      [0, 2],
      [1, 4],
    ]) {
      for (let l = 0; l < 6; l++) expect(rows[e][l]).toEqual(l < cut ? av[e][l] : bv[e][l]);
    }
    // The generator uses row i as the style of layer i: mixing z's equals mixing the mapped w's.
    const viaZ = g.apply(mixed, { training: false });
    const wMixed = tf.tidy(() => mixStyles(g.map(a), g.map(b), [2, 4]));
    const viaW = g.synthesize(wMixed, { training: false });
    expect(maxAbsDiff(viaZ, viaW)).toBeLessThan(1e-6);
    // Each crossover gives another image: every layer's style matters.
    const outputs = [0, 1, 2, 3, 4, 5, 6].map((c) => tf.tidy(() => g.apply(mixStyles(a, b, c), { training: false })));
    for (let c = 0; c < 6; c++) expect(maxAbsDiff(outputs[c], outputs[c + 1]), `crossover ${c} vs ${c + 1}`).toBeGreaterThan(1e-6);
    const pureA = g.apply(a, { training: false });
    expect(maxAbsDiff(outputs[6], pureA)).toBe(0);
    expect(() => mixStyles(a, b, 7)).toThrow(/crossover must be a layer index in \[0, 6\]/);
    tf.dispose([zA, zB, a, b, mixed, viaZ, wMixed, viaW, pureA, ...outputs]);
    g.dispose();
  });

  it('mappingLrMultiplier λ: He-scaled equalized mapping weights that Adam moves λ times as fast', () => {
    const lambda = 0.01;
    const g = styleGenerator({ ...small, mappingLayers: 1, mappingLrMultiplier: lambda, seed: 7, noise: false });
    const byName = (part: string) => {
      const v = g.trainableVariables.find((t) => t.name.includes('mapping/') && t.name.endsWith(part));
      if (!v) throw new Error(`no mapping variable ending in ${part}`);
      return v;
    };
    const kernel = byName('/kernel');
    const bias = byName('/bias');
    expect(kernel.shape).toEqual([8, 8]);
    // stored N(0, 1/λ²): the effective kernel λ·√2/√8·W is He's N(0, 2/8)
    const std = tf.tidy(() => Math.sqrt(tf.moments(kernel).variance.dataSync()[0]));
    expect(std).toBeGreaterThan(0.6 / lambda);
    expect(std).toBeLessThan(1.4 / lambda);
    bias.assign(tf.fill([8], 30));
    const z = new RandomSource(8).normal([5, 8]);
    const scale = (lambda * Math.SQRT2) / Math.sqrt(8);
    const byHand = tf.tidy(() => {
      const zn = tf.mul(z, tf.rsqrt(tf.add(tf.mean(tf.square(z), -1, true), 1e-8)));
      return tf.leakyRelu(tf.add(tf.matMul(zn as tf.Tensor2D, tf.mul(kernel, scale) as tf.Tensor2D), tf.mul(bias, lambda)), 0.2);
    });
    const w = g.map(z);
    expect(maxAbsDiff(w, byHand)).toBeLessThan(1e-4);
    // Adam's first step moves every stored value by about the learning rate η: the effective
    // mapping bias by λ·η, a synthesis variable (not scaled) by η.
    const before = { kernel: kernel.clone(), bias: bias.clone() };
    const toImage = g.trainableVariables.find((t) => t.name.includes('to_image') && t.name.endsWith('/kernel'));
    if (!toImage) throw new Error('no to_image kernel');
    const imageBefore = toImage.clone();
    const eta = 0.1;
    const optimizer = tf.train.adam(eta);
    const zs = repeated(z, 6);
    optimizer.minimize(() => tf.mean(tf.square(g.apply(zs, { training: true }))) as tf.Scalar, false, [kernel, bias, toImage]);
    const moved = (now: tf.Tensor, then: tf.Tensor, factor: number) =>
      tf.tidy(() => tf.max(tf.abs(tf.mul(tf.sub(now, then), factor))).dataSync()[0]);
    expect(moved(bias, before.bias, lambda)).toBeCloseTo(lambda * eta, 6);
    expect(moved(kernel, before.kernel, scale)).toBeCloseTo(scale * eta, 6);
    expect(moved(toImage, imageBefore, 1)).toBeCloseTo(eta, 4);
    tf.dispose([z, zs, w, byHand, before.kernel, before.bias, imageBefore]);
    optimizer.dispose();
    g.dispose();
    // the default has no multiplier: plain dense layers, no scaled bias
    const plain = styleGenerator({ ...small, mappingLayers: 1, seed: 7, noise: false });
    expect(plain.trainableVariables.filter((t) => t.name.includes('mapping/')).map((t) => t.name.replace(/^.*mapping\//, ''))).toEqual([
      'dense_0/kernel',
      'dense_0/bias',
    ]);
    plain.dispose();
  });

  it('refuses bad styles and options in one line', () => {
    expect(() => styleGenerator({ mode: 'x' as never })).toThrow(/mode must be 'adain' or 'modulated'/);
    expect(() => styleGenerator({ mappingLrMultiplier: 0 })).toThrow(/mappingLrMultiplier must be a number > 0, got 0/);
    const g = styleGenerator({ ...small, name: 'g-bad' });
    const ws = tf.zeros([2, 5, 8]);
    expect(() => g.synthesize(ws, { training: false })).toThrow(/synthesize expects styles \[batch, 6, 8\], got \[2, 5, 8\]/);
    expect(() => g.map(tf.zeros([2, 7]))).toThrow(/map expects float32 z \[batch, 8\]/);
    tf.dispose(ws);
    g.dispose();
  });
});

describe('truncateStyles', () => {
  it('gives the mean w at ψ = 0, the identity at ψ = 1, w̄ + ψ(w − w̄) between, and only below the cutoff', () => {
    const ws = tf.tensor3d([
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    ]);
    const mean = tf.tensor1d([1, 0]);
    const zero = truncateStyles(ws, mean, 0);
    expect(zero.arraySync()).toEqual([
      [
        [1, 0],
        [1, 0],
        [1, 0],
      ],
    ]);
    const one = truncateStyles(ws, mean, 1);
    expect(one.arraySync()).toEqual(ws.arraySync());
    const half = truncateStyles(ws, mean, 0.5);
    expect(half.arraySync()).toEqual([
      [
        [1, 1],
        [2, 2],
        [3, 3],
      ],
    ]);
    const cut = truncateStyles(ws, mean, 0, 2);
    expect(cut.arraySync()).toEqual([
      [
        [1, 0],
        [1, 0],
        [5, 6],
      ],
    ]);
    expect(() => truncateStyles(ws, tf.zeros([3]), 0.5)).toThrow(/mean must be \[2\], got \[3\]/);
    tf.dispose([ws, mean, zero, one, half, cut]);
  });
});

describe('styleMixingLatent', () => {
  it('draws from the seeded source: z₁ everywhere, or z₂ from a crossover in [1, L − 1] with probability p', () => {
    const sample = styleMixingLatent({ numStyles: 6, latentDim: 3, probability: 0.5 });
    const a = sample(400, new RandomSource(7));
    const b = sample(400, new RandomSource(7));
    expect(maxAbsDiff(a, b)).toBe(0);
    const rows = a.arraySync() as number[][][];
    let mixedCount = 0;
    const cuts = new Set<number>();
    for (const ex of rows) {
      const cut = ex.findIndex((r) => r[0] !== ex[0][0]);
      if (cut >= 0) {
        mixedCount++;
        cuts.add(cut);
        for (let l = cut; l < 6; l++) expect(ex[l]).toEqual(ex[cut]);
      }
      for (let l = 1; l < (cut < 0 ? 6 : cut); l++) expect(ex[l]).toEqual(ex[0]);
    }
    expect(mixedCount).toBeGreaterThan(150);
    expect(mixedCount).toBeLessThan(250);
    expect([...cuts].sort()).toEqual([1, 2, 3, 4, 5]);
    const plain = styleMixingLatent({ numStyles: 6, latentDim: 3, probability: 0 })(5, new RandomSource(1));
    const pv = plain.arraySync() as number[][][];
    for (const ex of pv) for (const r of ex) expect(r).toEqual(ex[0]);
    const before = tf.memory().numTensors;
    tf.dispose(sample(4, new RandomSource(1)));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b, plain]);
  });
});

describe('styleNoise', () => {
  it('is standard normal, the same for the same seed, independent of the batch', () => {
    const n = styleNoise([1, 2], 64, 64);
    const one = styleNoise([2], 64, 64);
    expect(maxAbsDiff(tf.slice(n, [1], [1]), one)).toBe(0);
    const { mean, variance } = tf.moments(n);
    expect(mean.dataSync()[0]).toBeCloseTo(0, 1);
    expect(variance.dataSync()[0]).toBeCloseTo(1, 1);
    tf.dispose([n, one, mean, variance]);
  });
});
