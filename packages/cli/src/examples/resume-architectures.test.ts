// Issue 16 asks every architecture example to resume from a checkpoint at any step exactly: the
// state that is not a weight (spectral norm's power-iteration vectors in SAGAN, StyleGAN's tracked
// mean w and per-layer noise, the optimizers' moments) must come back from the checkpoint.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '@gankit/backend';
import { ensureGradients } from '@gankit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smokeTrain } from '../run-dir-test-helpers';
import { mnistSagan, mnistStylegan } from '../index';
import type { Example } from './types';

describe('architecture examples resume bit for bit', () => {
  let added: string[] = [];
  let root = '';
  beforeAll(() => {
    ensureGradients();
    added = registerWasmTrainingKernels();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-resume-arch-'));
  });
  afterAll(() => {
    if (added.length > 0) unregisterWasmTrainingKernels();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const cases: [string, Example][] = [
    ['mnist-sagan', mnistSagan],
    ['mnist-stylegan', mnistStylegan],
  ];
  for (const [name, example] of cases) {
    it(`${name}: 2 iterations, a checkpoint, --resume to 3 equals 3 in one go`, async () => {
      const straight = path.join(root, `${name}-straight`);
      const resumed = path.join(root, `${name}-resumed`);
      await smokeTrain(example, straight, 3, 4);
      await smokeTrain(example, resumed, 2, 4, { checkpointEvery: 2 });
      const r = await smokeTrain(example, resumed, 3, 4, { checkpointEvery: 2, resume: true });
      expect(r.resumedFrom).toBe(2);
      const weights = (dir: string) => fs.readFileSync(path.join(dir, 'final', 'weights.bin'));
      expect(weights(resumed).equals(weights(straight))).toBe(true);
    }, 240_000);
  }
});
