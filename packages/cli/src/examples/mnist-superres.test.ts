import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '@gankit/backend';
import { ensureGradients } from '@gankit/core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bicubicUpsample, downsampleDigits, mnistSuperres, mnistSuperresL1, trainMnistSuperres } from '../index';
import { CUSTOM_EXAMPLES } from './index';

describe('mnist-superres examples', () => {
  let added: string[] = [];
  beforeAll(() => {
    ensureGradients();
    added = registerWasmTrainingKernels();
  });
  afterAll(() => {
    if (added.length > 0) unregisterWasmTrainingKernels();
  });

  it('are registered as examples with a loop of their own', () => {
    expect(CUSTOM_EXAMPLES['mnist-superres']).toBe(mnistSuperres);
    expect(CUSTOM_EXAMPLES['mnist-superres-l1']).toBe(mnistSuperresL1);
  });

  it('mean-pools 4×4 blocks, and bicubic upsampling keeps flat images flat and linear ramps linear', () => {
    const x = tf.buffer([1, 28, 28, 1]);
    for (let r = 4; r < 8; r++) for (let c = 8; c < 12; c++) x.set(1, 0, r, c, 0);
    x.set(-1, 0, 0, 0, 0);
    const small = downsampleDigits(x.toTensor() as tf.Tensor4D);
    expect(small.shape).toEqual([1, 7, 7, 1]);
    const v = small.dataSync();
    expect(v[1 * 7 + 2]).toBe(1);
    expect(v[0]).toBe(-1 / 16);
    expect(v[1 * 7 + 3]).toBe(0);
    const flat = bicubicUpsample(tf.fill([2, 7, 7, 1], 0.25) as tf.Tensor4D, 4);
    expect(flat.shape).toEqual([2, 28, 28, 1]);
    for (const p of flat.dataSync()) expect(p).toBeCloseTo(0.25, 6);
    // A ramp along the columns, x[j] = (j - 3) / 4: inside (no clamped neighbour) pixel i gets
    // the ramp at its centre (i + 0.5) / 4 - 0.5, as cubic convolution reproduces linear functions.
    const ramp = tf.tidy(() => tf.tile(tf.reshape(tf.div(tf.sub(tf.range(0, 7), 3), 4), [1, 1, 7, 1]), [1, 7, 1, 1])) as tf.Tensor4D;
    const up = bicubicUpsample(ramp, 4).arraySync() as number[][][][];
    for (let i = 8; i < 20; i++) expect(up[0][13][i][0]).toBeCloseTo(((i + 0.5) / 4 - 0.5 - 3) / 4, 5);
    tf.dispose([small, flat, ramp]);
  });

  it('train SRGAN (content + adversarial) and the L1 control; the finish scores held-out digits against nearest and bicubic', async () => {
    const dirs = [fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-sr-')), fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-sr-l1-'))];
    try {
      const common = { steps: 2, seed: 0, batchSize: 4, backend: tf.getBackend(), progress: false, log: () => {} };
      const before = tf.memory().numTensors;
      const r = await trainMnistSuperres({ ...common, out: dirs[0] }, 'srgan');
      const l1 = await trainMnistSuperres({ ...common, out: dirs[1] }, 'l1');
      expect(tf.memory().numTensors).toBe(before);
      expect(r.steps).toBe(2);
      expect(r.files).toEqual(['config.json', 'final/', 'superres.png', 'metrics.json']);
      const [m, ml] = dirs.map((d) => JSON.parse(fs.readFileSync(path.join(d, 'metrics.json'), 'utf8')));
      expect(m.example).toBe('mnist-superres');
      // SRGAN's content term with the small pixel L1 term beside it (MNIST_SUPERRES.pixelWeight).
      expect(Object.keys(m.final)).toEqual(expect.arrayContaining(['content', 'l1']));
      expect(Object.keys(ml.final)).toEqual(expect.arrayContaining(['l1']));
      expect(ml.final.content).toBeUndefined();
      for (const x of [m, ml]) {
        expect(x.heldOut).toBeGreaterThan(900);
        expect(x.targetAccuracy).toBeGreaterThan(0.95);
        for (const k of ['generator', 'nearest', 'bicubic']) {
          expect(x[k].psnr).toBeGreaterThan(0);
          expect(x[k].ssim).toBeGreaterThan(-1);
          expect(x[k].ssim).toBeLessThan(1);
          expect(x[k].accuracy).toBeGreaterThanOrEqual(0);
        }
      }
      // The baselines do not depend on the training: the same in both runs.
      expect(ml.bicubic).toEqual(m.bicubic);
      expect(m.bicubic.psnr).toBeGreaterThan(m.nearest.psnr);
      const png = PNG.sync.read(fs.readFileSync(path.join(dirs[0], 'superres.png')));
      expect(png.width).toBeGreaterThan(png.height); // 8 digits across, 4 rows
      expect(r.summary).toMatch(/mnist-superres PSNR [\d.]+ dB SSIM [\d.-]+ accuracy [\d.]+; bicubic/);
      expect(l1.summary).toMatch(/^mnist-superres-l1: 2 steps/);
    } finally {
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
