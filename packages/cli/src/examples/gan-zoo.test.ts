import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '@gankit/backend';
import { ensureGradients, RandomSource } from '@gankit/core';
import { acganAdversarialOutput } from '@gankit/trainer';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTraining } from '../train';
import { sampleRun } from '../commands';
import { EXAMPLES, exampleNames } from './index';
import { MNIST_ACGAN, mnistAcgan, rotate90, trainCycleganDigits, transformDigits, type AcganSetup, type DigitTransform } from '../index';
import { readLogLines } from '../run-dir-test-helpers';
import { freeSetup } from '../setup-test-helpers';

const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `gankit-${name}-`));
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('gan zoo examples', () => {
  // The wasm backend trains conv nets once @gankit/backend's training kernels are in (as `gankit train` does).
  let added: string[] = [];
  beforeAll(() => {
    ensureGradients();
    added = registerWasmTrainingKernels();
  });
  afterAll(() => {
    if (added.length > 0) unregisterWasmTrainingKernels();
  });

  it('mnist-acgan is registered; its setup wires the ACGAN discriminator, the acgan plugin and uniform fake labels', () => {
    expect(exampleNames()).toContain('mnist-acgan');
    expect(EXAMPLES['mnist-acgan']).toBe(mnistAcgan);
    expect(mnistAcgan.numClasses).toBe(10);
    const before = tf.memory().numTensors;
    const s = mnistAcgan.setup({ seed: 3, batchSize: 4 }) as AcganSetup;
    try {
      expect(s.fakeLabels).toBe('uniform');
      expect(s.adversarialOutput).toBe(acganAdversarialOutput);
      expect(s.conditional).toBe(true);
      expect(s.plugins.map((p) => p.name)).toEqual(['acgan', 'ema']);
      expect(s.discriminator.outputShape).toEqual([1 + MNIST_ACGAN.numClasses]);
      expect(s.generator.outputShape).toEqual([28, 28, 1]);
      expect(s.generator.inputShape).toEqual([MNIST_ACGAN.latentDim]);
      // D needs no labels and returns [batch, 11]; the adversarial part is column 0.
      const x = new RandomSource(1).normal([4, 28, 28, 1]);
      const out = s.discriminator.apply(x, { training: false });
      const adv = s.adversarialOutput(out);
      expect(out.shape).toEqual([4, 11]);
      expect(Array.from(adv.dataSync())).toEqual(Array.from(out.dataSync()).filter((_, i) => i % 11 === 0));
      tf.dispose([x, out, adv]);
    } finally {
      freeSetup(s);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('mnist-acgan trains 2 steps with the class terms and writes a row per class, FID, IS and label accuracy', async () => {
    const dir = tmp('acgan');
    const r = await runTraining(mnistAcgan, {
      steps: 2,
      seed: 0,
      batchSize: 10,
      out: dir,
      backend: tf.getBackend(),
      gridEvery: 2,
      evalSamples: 100,
      progress: false,
      log: () => {},
    });
    expect(r.steps).toBe(2);
    const lines = readLogLines(dir);
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      // Cross-entropy over 10 classes of an untrained D is near ln 10 and always > 0.
      for (const k of ['acgan/real', 'acgan/fake', 'acgan/class']) {
        expect(l.terms[k]).toBeGreaterThan(0.5);
        expect(l.terms[k]).toBeLessThan(10);
      }
    }
    for (const f of ['grids/step-000000002.png', 'samples.png']) {
      const png = PNG.sync.read(fs.readFileSync(path.join(dir, f)));
      expect([png.width, png.height]).toEqual([8 * 30 + 2, 10 * 30 + 2]); // 10 classes × 8
    }
    const m = readJson(path.join(dir, 'metrics.json'));
    expect(m.example).toBe('mnist-acgan');
    for (const g of [m.raw, m.ema]) {
      expect(g.samples).toBe(100);
      expect(g.fid).toBeGreaterThan(0);
      expect(g.inceptionScore.mean).toBeGreaterThanOrEqual(1);
      expect(g.inceptionScore.mean).toBeLessThanOrEqual(10);
      expect(g.labelAccuracy).toBeGreaterThanOrEqual(0);
      expect(g.labelAccuracy).toBeLessThanOrEqual(1);
    }
    expect(fs.existsSync(path.join(dir, 'report.html'))).toBe(true);
  }, 30_000);

  it('cyclegan-digits: B is A rotated 90° counter-clockwise, or in bold (a 3×3 dilation)', () => {
    const x = tf.tensor4d(
      Float32Array.from({ length: 2 * 28 * 28 }, (_, i) => Math.sin(i)),
      [2, 28, 28, 1],
    );
    const before = tf.memory().numTensors;
    const r = rotate90(x);
    const b = transformDigits(x, 'bold');
    expect(tf.memory().numTensors).toBe(before + 2);
    const xv = x.arraySync() as number[][][][];
    const rv = r.arraySync() as number[][][][];
    const bv = b.arraySync() as number[][][][];
    for (const n of [0, 1])
      for (const [i, j] of [
        [0, 0],
        [3, 17],
        [27, 5],
        [12, 27],
      ])
        expect(rv[n][i][j][0]).toBe(xv[n][j][27 - i][0]);
    for (const n of [0, 1]) {
      for (const [i, j] of [
        [0, 0],
        [3, 17],
        [27, 5],
        [12, 27],
        [14, 14],
      ]) {
        let m = -Infinity;
        for (let di = -1; di <= 1; di++)
          for (let dj = -1; dj <= 1; dj++) if (xv[n][i + di]?.[j + dj] !== undefined) m = Math.max(m, xv[n][i + di][j + dj][0]);
        expect(bv[n][i][j][0]).toBeCloseTo(m, 6);
      }
    }
    expect(() => transformDigits(x, 'mirrored' as DigitTransform)).toThrow(/domainB must be 'rotated' or 'bold', got "mirrored"/);
    tf.dispose([x, r, b]);
  });

  it('cyclegan-digits trains, writes the run directory, and resumes bit-identically', async () => {
    const common = { seed: 1, batchSize: 2, backend: 'wasm', progress: false, log: () => undefined };
    const settings = { gridImages: 4, identityWeight: 5 };
    const dir = tmp('cyclegan');
    const before = tf.memory().numTensors;
    const r = await trainCycleganDigits({ ...common, steps: 3, out: dir }, settings);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.files).toEqual(['config.json', 'final/', 'translations.png', 'metrics.json']);
    expect(r.steps).toBe(3);
    const png = PNG.sync.read(fs.readFileSync(path.join(dir, 'translations.png')));
    expect([png.width, png.height]).toEqual([4 * 30 + 2, 6 * 30 + 2]); // 6 rows (a, G(a), F(G(a)), b, F(b), G(F(b))) × 4
    const m = readJson(path.join(dir, 'metrics.json'));
    expect(m.steps).toBe(3);
    expect(m.domainB).toBe('bold');
    expect(m.settings.trainA + m.settings.trainB).toBe(9003); // the two halves of the train split, disjoint
    for (const k of ['cycleA', 'cycleB', 'identityA', 'identityB']) {
      // Mean absolute error between images in [-1, 1]: in (0, 2].
      expect(m.final[k]).toBeGreaterThan(0);
      expect(m.final[k]).toBeLessThanOrEqual(2);
      expect(m.heldOut[k]).toBeGreaterThan(0);
      expect(m.heldOut[k]).toBeLessThanOrEqual(2);
    }
    expect(m.heldOut.copyAB).toBeGreaterThan(0.05); // a bold digit differs from the regular one
    expect(m.settings.identityWeight).toBe(5);
    expect(readJson(path.join(dir, 'config.json'))).toMatchObject({ example: 'cyclegan-digits', steps: 3, seed: 1, batchSize: 2 });

    // 2 steps with a checkpoint, then --resume to 3: the same final weights as 3 in one go.
    const resumed = tmp('cyclegan-resumed');
    await trainCycleganDigits({ ...common, steps: 2, out: resumed, checkpointEvery: 2 }, settings);
    const lines: string[] = [];
    await trainCycleganDigits(
      { ...common, steps: 3, out: resumed, checkpointEvery: 2, resume: true, log: (l) => void lines.push(l) },
      settings,
    );
    expect(lines.join('\n')).toMatch(/resumed from .*step-000000002 \(step 2\)/);
    expect(fs.readFileSync(path.join(resumed, 'final', 'weights.bin'))).toEqual(fs.readFileSync(path.join(dir, 'final', 'weights.bin')));
    await expect(trainCycleganDigits({ ...common, steps: 1, out: tmp('cyclegan-workers'), workers: 2 })).rejects.toThrow(
      /one thread .* use --workers 1/,
    );
    // gankit sample/eval/interpolate name what they cannot do with such a run.
    await expect(sampleRun({ run: dir, out: path.join(dir, 'x.png') })).rejects.toThrow(
      /is a 'cyclegan-digits' run, which has no single generator to sample/,
    );
  }, 60_000);
});
