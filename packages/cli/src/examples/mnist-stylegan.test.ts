import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '@gankit/backend';
import { RandomSource, ensureGradients } from '@gankit/core';
import { styleGenerator } from '@gankit/architectures';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_STYLEGAN, mnistStyleLatent, mnistStylegan, styleMixingGrid, truncationRows } from '../index';
import { evalRun } from '../commands/eval';
import { sampleRun } from '../commands/sample';
import { EXAMPLES } from './index';
import { readLogLines, smokeTrain } from '../run-dir-test-helpers';

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('mnist-stylegan example', () => {
  let added: string[] = [];
  beforeAll(() => {
    ensureGradients();
    added = registerWasmTrainingKernels();
  });
  afterAll(() => {
    if (added.length > 0) unregisterWasmTrainingKernels();
  });

  it('is registered with a style generator of 6 layers, the mixing latent, the mean-w tracker and the EMA', () => {
    expect(EXAMPLES['mnist-stylegan']).toBe(mnistStylegan);
    expect(mnistStylegan.latent).toBe(mnistStyleLatent);
    const s = mnistStylegan.setup({ seed: 1, batchSize: 4 });
    expect(s.generator.inputShape).toEqual([6, MNIST_STYLEGAN.latentDim]);
    expect(s.generator.outputShape).toEqual([28, 28, 1]);
    expect(s.plugins.map((p) => p.name)).toEqual(['mean-w', 'ema']);
    // The mapping network learns at λ = 0.01 (equalized, λ-scaled biases): what keeps G off one shape.
    expect(MNIST_STYLEGAN.mappingLrMultiplier).toBe(0.01);
    const mappingVars = s.generator.trainableVariables
      .filter((v) => v.name.includes('/mapping/'))
      .map((v) => v.name.replace(/^.*\/mapping\//, ''));
    expect(mappingVars).toHaveLength(2 * MNIST_STYLEGAN.mappingLayers);
    expect(mappingVars.filter((n) => n.startsWith('scaled_bias_'))).toHaveLength(MNIST_STYLEGAN.mappingLayers);
    expect(s.latent).toBe(mnistStyleLatent);
    // With p = 0.9 most of a batch mixes: some rows of an example differ from its first row.
    const z = mnistStyleLatent(50, new RandomSource(3));
    const rows = z.arraySync() as number[][][];
    const mixed = rows.filter((r) => r.some((row) => row[0] !== r[0][0])).length;
    expect(mixed).toBeGreaterThan(35);
    expect(mixed).toBeLessThan(50);
    z.dispose();
    s.generator.dispose();
    s.discriminator.dispose();
  });

  it('draws mixing grids whose cells take coarse styles from the row source and fine ones from the column source', () => {
    const g = styleGenerator({ latentDim: 4, styleDim: 8, baseFilters: 2, mappingLayers: 1, seed: 5 });
    const random = new RandomSource(7);
    const zA = random.normal([2, 6, 4]);
    const zB = random.normal([2, 6, 4]);
    const before = tf.memory().numTensors;
    const all = styleMixingGrid(g, zA, zB, 6); // every style from A: cell (i, j) is A_i
    const none = styleMixingGrid(g, zA, zB, 0); // every style from B: cell (i, j) is B_j
    const mid = styleMixingGrid(g, zA, zB, 2);
    expect(all.shape).toEqual([9, 28, 28, 1]);
    const cell = (t: tf.Tensor, k: number) => tf.slice(t, [k, 0, 0, 0], [1, 28, 28, 1]);
    tf.tidy(() => {
      expect(tf.min(cell(all, 0)).dataSync()[0]).toBe(-1); // the blank corner
      for (const [i, j] of [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ]) {
        const k = (i + 1) * 3 + (j + 1);
        expect(maxDiff(cell(all, k), cell(all, (i + 1) * 3))).toBeLessThan(1e-5); // = the left column's A_i
        expect(maxDiff(cell(none, k), cell(none, j + 1))).toBeLessThan(1e-5); // = the top row's B_j
        expect(maxDiff(cell(mid, k), cell(mid, (i + 1) * 3))).toBeGreaterThan(1e-3);
      }
    });
    // ψ rows: ψ = 0 gives the mean w for every z (one image), ψ = 1 the plain styles.
    const mean = tf.tidy(() => tf.mean(tf.reshape(g.map(zA), [-1, 8]), 0));
    const rows = truncationRows(g, zA, mean, [0, 1]);
    expect(rows.shape).toEqual([4, 28, 28, 1]);
    tf.tidy(() => {
      expect(maxDiff(cell(rows, 0), cell(rows, 2))).toBeLessThan(1e-5);
      expect(maxDiff(cell(rows, 1), cell(rows, 3))).toBeGreaterThan(1e-3);
      expect(maxDiff(cell(rows, 1), cell(all, 3))).toBeLessThan(1e-5);
    });
    tf.dispose([all, none, mid, mean, rows]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([zA, zB]);
    g.dispose();
  });

  it('trains, writes the mixing grids, the ψ rows and the FID at ψ 0.7; gankit sample and eval draw its latent', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-stylegan-'));
    try {
      const r = await smokeTrain(mnistStylegan, dir, 3, 4);
      expect(r.steps).toBe(3);
      expect(readLogLines(dir)).toHaveLength(3);
      const metrics = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
      expect(metrics.meanWUpdates).toBe(3);
      expect(metrics.truncated.psi).toBe(0.7);
      expect(metrics.truncated.fid).toBeGreaterThan(0);
      expect(metrics.ema.fid).toBeGreaterThan(0);
      for (const c of MNIST_STYLEGAN.mixingCrossovers) {
        const png = PNG.sync.read(fs.readFileSync(path.join(dir, `style-mixing-${c}.png`)));
        expect(png.width).toBe(png.height); // (k+1) × (k+1) cells
      }
      const psi = PNG.sync.read(fs.readFileSync(path.join(dir, 'truncation.png')));
      expect(psi.height).toBeGreaterThan(psi.width); // 6 rows of 5 ψ's
      expect(r.summary).toMatch(/at ψ 0\.7: FID \d/);

      const out = path.join(dir, 'sample.png');
      const s = await sampleRun({ run: dir, out, n: 4, progress: false });
      expect(s.summary).toMatch(/wrote 4 samples of mnist-stylegan/);
      expect(PNG.sync.read(fs.readFileSync(out)).width).toBeGreaterThan(28);
      await expect(sampleRun({ run: dir, out, n: 4, truncation: 0.5, progress: false })).rejects.toThrow(/draws its own latent/);
      const e = await evalRun({ run: dir, n: 20, progress: false });
      expect(JSON.stringify(e.results)).toMatch(/"fid":\d/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
