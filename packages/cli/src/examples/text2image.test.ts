import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '@gankit/backend';
import { ensureGradients } from '@gankit/core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTraining } from '../train';
import { EXAMPLES } from './index';
import { MNIST_TEXT2IMAGE, mnistText2image, text2imageExample } from '../index';
import { readLogLines } from '../run-dir-test-helpers';

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('mnist-text2image', () => {
  let added: string[] = [];
  beforeAll(() => {
    ensureGradients();
    added = registerWasmTrainingKernels();
  });
  afterAll(() => {
    if (added.length > 0) unregisterWasmTrainingKernels();
  });

  it('is registered with 60 captions', () => {
    expect(EXAMPLES['mnist-text2image']).toBe(mnistText2image);
    expect(mnistText2image.numClasses).toBe(60);
  });

  it('trains 2 steps with the GAN-CLS and GAN-INT terms and writes the caption table, the interpolations and the agreement scores', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-text2image-'));
    const example = text2imageExample({ ...MNIST_TEXT2IMAGE, encoderSteps: 3, generatorFilters: 4, discriminatorFilters: 4 });
    const r = await runTraining(example, {
      steps: 2,
      seed: 0,
      batchSize: 12,
      out: dir,
      backend: tf.getBackend(),
      gridEvery: 2,
      evalSamples: 120,
      progress: false,
      log: () => {},
    });
    expect(r.steps).toBe(2);
    const lines = readLogLines(dir);
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      // An untrained D: the mismatch term is small, the interpolated term near ln 2.
      expect(Math.abs(l.terms['gan-cls/mismatch'])).toBeLessThan(0.5);
      expect(l.terms['gan-int/interpolated']).toBeGreaterThan(0.3);
      expect(l.terms['gan-int/interpolated']).toBeLessThan(1.5);
    }
    // The training grid: one sample per caption, 10 rows of 6; the caption table: 2 per caption.
    const grid = PNG.sync.read(fs.readFileSync(path.join(dir, 'grids/step-000000002.png')));
    expect([grid.width, grid.height]).toEqual([6 * 30 + 2, 10 * 30 + 2]);
    const table = PNG.sync.read(fs.readFileSync(path.join(dir, 'captions.png')));
    expect([table.width, table.height]).toEqual([12 * 30 + 2, 10 * 30 + 2]);
    const svg = fs.readFileSync(path.join(dir, 'captions.svg'), 'utf8');
    for (const text of ['>seven<', '>thick<', '>leaning right<', 'data:image/png;base64,']) expect(svg).toContain(text);
    const interp = fs.readFileSync(path.join(dir, 'interpolation.svg'), 'utf8');
    expect(interp).toContain('>a thick seven leaning right<');
    const m = readJson(path.join(dir, 'metrics.json'));
    expect(m.example).toBe('mnist-text2image');
    for (const g of [m.raw, m.ema]) {
      expect(g.samples).toBe(120);
      for (const k of ['classAccuracy', 'thicknessAgreement', 'slantAgreement', 'leftRightAgreement']) {
        expect(g[k]).toBeGreaterThanOrEqual(0);
        expect(g[k]).toBeLessThanOrEqual(1);
      }
      expect(g.fid).toBeGreaterThan(0);
    }
    // The caption encoder was trained (3 steps: better than nothing is not asserted) and measured.
    for (const k of ['retrieval', 'digit', 'thickness', 'slant']) expect(m.captionEncoder[k]).toBeGreaterThanOrEqual(0);
    expect(fs.existsSync(path.join(dir, 'report.html'))).toBe(true);
    // The generator built alone has the same variables (the caption table zero until weights load).
    const g = example.buildGenerator?.({ seed: 0 });
    expect(g?.nonTrainableVariables.map((v) => v.name)).toContain('generator/captions/table');
    g?.dispose();
  }, 120_000);
});
