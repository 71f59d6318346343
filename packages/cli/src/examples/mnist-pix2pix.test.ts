import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '@gankit/backend';
import { ensureGradients } from '@gankit/core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mnistPix2pix, outlineDigits, trainMnistPix2pix } from '../index';
import { CUSTOM_EXAMPLES } from './index';

describe('mnist-pix2pix example', () => {
  let added: string[] = [];
  beforeAll(() => {
    ensureGradients();
    added = registerWasmTrainingKernels();
  });
  afterAll(() => {
    if (added.length > 0) unregisterWasmTrainingKernels();
  });

  it('is registered as an example with a loop of its own', () => {
    expect(CUSTOM_EXAMPLES['mnist-pix2pix']).toBe(mnistPix2pix);
  });

  it('outlines a digit: bright on the ring just outside the strokes, dark on them and on the background', () => {
    const x = tf.buffer([1, 7, 7, 1]);
    for (let i = 0; i < 49; i++) x.values[i] = -1;
    x.set(1, 0, 3, 3, 0); // one bright pixel
    const o = outlineDigits(x.toTensor() as tf.Tensor4D);
    const v = o.arraySync() as number[][][][];
    for (let r = 0; r < 7; r++)
      for (let c = 0; c < 7; c++) {
        const ring = Math.abs(r - 3) <= 1 && Math.abs(c - 3) <= 1 && !(r === 3 && c === 3);
        expect(v[0][r][c][0], `${r},${c}`).toBe(ring ? 1 : -1);
      }
    o.dispose();
  });

  it('trains, scores held-out digits against copying the input, and resumes bit for bit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-p2p-'));
    const straight = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-p2p-straight-'));
    try {
      const common = { seed: 0, batchSize: 4, backend: tf.getBackend(), progress: false, log: () => {} };
      const r = await trainMnistPix2pix({ ...common, steps: 3, out: straight });
      expect(r.files).toEqual(['config.json', 'final/', 'translations.png', 'metrics.json']);
      const m = JSON.parse(fs.readFileSync(path.join(straight, 'metrics.json'), 'utf8'));
      expect(m.example).toBe('mnist-pix2pix');
      expect(m.heldOut).toBeGreaterThan(900);
      expect(m.final.l1).toBeGreaterThan(0);
      for (const k of ['generator', 'copy', 'blank']) {
        expect(m[k].l1).toBeGreaterThan(0);
        expect(m[k].psnr).toBeGreaterThan(0);
      }
      // Copying the input is a poor outline: worse than an all-background image.
      expect(m.copy.l1).toBeGreaterThan(m.blank.l1);
      const png = PNG.sync.read(fs.readFileSync(path.join(straight, 'translations.png')));
      expect(png.width).toBeGreaterThan(png.height); // 8 digits across, 3 rows
      expect(r.summary).toMatch(/\|G\(x\) − T\(x\)\| [\d.]+ .*copying x [\d.]+/);

      await trainMnistPix2pix({ ...common, steps: 2, out: dir, checkpointEvery: 2 });
      fs.rmSync(path.join(dir, 'final'), { recursive: true });
      const resumed = await trainMnistPix2pix({ ...common, steps: 3, out: dir, checkpointEvery: 2, resume: true });
      expect(resumed.resumedFrom).toBe(2);
      const read = (d: string) => fs.readFileSync(path.join(d, 'final', 'weights.bin'));
      expect(read(dir).equals(read(straight))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(straight, { recursive: true, force: true });
    }
  });
});
