import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '@gankit/backend';
import { ensureGradients } from '@gankit/core';
import type { BeganDiscriminator } from '@gankit/architectures';
import type { BeganEquilibrium } from '@gankit/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_BEGAN, mnistBegan, mnistBeganLowGamma, mnistBeganWithGamma } from '../index';
import { EXAMPLES } from './index';
import { readLogLines, smokeTrain } from '../run-dir-test-helpers';

describe('mnist-began examples', () => {
  let added: string[] = [];
  beforeAll(() => {
    ensureGradients();
    added = registerWasmTrainingKernels();
  });
  afterAll(() => {
    if (added.length > 0) unregisterWasmTrainingKernels();
  });

  it("are registered with γ = 0.7 and 0.3; the loss is the one of that run's controller", () => {
    expect(EXAMPLES['mnist-began']).toBe(mnistBegan);
    expect(EXAMPLES['mnist-began-low-gamma']).toBe(mnistBeganLowGamma);
    for (const [example, gamma] of [
      [mnistBegan, MNIST_BEGAN.gamma],
      [mnistBeganLowGamma, MNIST_BEGAN.lowGamma],
    ] as const) {
      const s = example.setup({ seed: 1, batchSize: 4 });
      const began = s.plugins.find((p) => p.name === 'began') as BeganEquilibrium;
      expect(began.gamma).toBe(gamma);
      expect(began.lambdaK).toBe(MNIST_BEGAN.lambdaK);
      expect(s.loss).toBe(began.loss);
      expect(s.discriminator.outputShape).toEqual([1]);
      // D: the compact autoencoder (two batch norms: four moving statistics); G: z of length h.
      const d = s.discriminator as BeganDiscriminator;
      expect(d.autoencoder.inputShape).toEqual([28, 28, 1]);
      expect(d.autoencoder.nonTrainableVariables).toHaveLength(4);
      expect(d.trainableVariables[0].shape).toEqual([4, 4, 1, MNIST_BEGAN.filters]);
      expect(s.generator.inputShape).toEqual([MNIST_BEGAN.hidden]);
      expect(s.generator.nonTrainableVariables.length).toBeGreaterThan(0);
      expect(s.plugins.map((p) => p.name)).toEqual(['began', 'ema']);
      s.generator.dispose();
      s.discriminator.dispose();
    }
  });

  it('mnistBeganWithGamma: the same example with another γ and k_0, named after γ; a bad γ is refused in one line', () => {
    const example = mnistBeganWithGamma(1, 0.3);
    expect(example.name).toBe('mnist-began-gamma-1');
    expect(EXAMPLES['mnist-began-gamma-1']).toBeUndefined();
    const s = example.setup({ seed: 0, batchSize: 4 });
    const began = s.plugins.find((p) => p.name === 'began') as BeganEquilibrium;
    expect([began.gamma, began.k, began.lambdaK]).toEqual([1, 0.3, MNIST_BEGAN.lambdaK]);
    expect(s.loss).toBe(began.loss);
    s.generator.dispose();
    s.discriminator.dispose();
    expect(() => mnistBeganWithGamma(-1).setup({ seed: 0, batchSize: 4 })).toThrow(/gamma/);
  });

  it('trains and writes M and k every step, their charts, FID, precision and recall', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-began-'));
    try {
      const r = await smokeTrain(mnistBeganLowGamma, dir, 3, 8);
      expect(r.steps).toBe(3);
      const lines = readLogLines(dir);
      expect(lines).toHaveLength(3);
      for (const l of lines) {
        expect(l.metrics['began/k']).toBeGreaterThanOrEqual(0);
        expect(l.metrics['began/M']).toBeCloseTo(l.dReal + Math.abs(0.3 * l.dReal - l.dFake), 5);
      }
      const metrics = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
      expect(metrics.began.gamma).toBe(0.3);
      expect(metrics.began.kFinal).toBe(Number(lines[2].metrics['began/k'].toPrecision(6)));
      expect(metrics.raw.precision).toBeGreaterThanOrEqual(0);
      expect(metrics.raw.recall).toBeLessThanOrEqual(1);
      expect(metrics.raw.fid).toBeGreaterThan(0);
      expect(fs.readFileSync(path.join(dir, 'convergence.svg'), 'utf8')).toMatch(/^<svg/);
      expect(fs.existsSync(path.join(dir, 'k.svg'))).toBe(true);
      expect(r.summary).toMatch(/precision .*recall .*; M .* → .*k /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
