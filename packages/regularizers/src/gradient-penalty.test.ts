import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GankitError, ensureGradients } from '@gankit/core';
import type { Network } from '@gankit/core';
import { gradientPenalty, r1, r2, spectralNorm } from './index';
import { convCritic, linearCritic, makeStepContext } from './test-helpers';

const W = [0.3, -1.2, 0.5, 0.9];
const NORM = Math.hypot(...W);

function realAndFake(batch = 5, n = W.length): { real: tf.Tensor2D; fake: tf.Tensor2D } {
  const real = tf.tensor2d(
    Array.from({ length: batch * n }, (_, i) => Math.sin(i + 1)),
    [batch, n],
  );
  const fake = tf.tensor2d(
    Array.from({ length: batch * n }, (_, i) => Math.cos(3 * i)),
    [batch, n],
  );
  return { real, fake };
}

function scalarOf(terms: Record<string, tf.Scalar>): number {
  expect(Object.keys(terms)).toEqual(['penalty']);
  expect(terms.penalty.shape).toEqual([]);
  const v = terms.penalty.dataSync()[0];
  terms.penalty.dispose();
  return v;
}

describe('gradient penalty on a linear critic D(x) = w·x', () => {
  it('equals λ(‖w‖ − 1)² for every variant, and one-sided only above the target', () => {
    const critic = linearCritic(W);
    const { real, fake } = realAndFake();
    for (const variant of ['two-sided', 'one-sided', 'dragan'] as const) {
      const gp = gradientPenalty({ lambda: 10, variant });
      const value = scalarOf(gp.discriminatorLoss(makeStepContext({ discriminator: critic, real, fake })));
      expect(value).toBeCloseTo(10 * (NORM - 1) ** 2, 5);
    }
    const withTarget = gradientPenalty({ lambda: 3, target: 2.5 });
    expect(scalarOf(withTarget.discriminatorLoss(makeStepContext({ discriminator: critic, real, fake })))).toBeCloseTo(
      3 * (NORM - 2.5) ** 2,
      5,
    );
    const oneSided = gradientPenalty({ lambda: 3, target: 2.5, variant: 'one-sided' });
    expect(scalarOf(oneSided.discriminatorLoss(makeStepContext({ discriminator: critic, real, fake })))).toBe(0);
    critic.dispose();
    real.dispose();
    fake.dispose();
  });

  it('R1 and R2 equal γ/2·‖w‖²', () => {
    const critic = linearCritic(W);
    const { real, fake } = realAndFake();
    for (const make of [r1, r2]) {
      const reg = make({ gamma: 4 });
      expect(scalarOf(reg.discriminatorLoss(makeStepContext({ discriminator: critic, real, fake })))).toBeCloseTo(2 * NORM ** 2, 5);
    }
    expect(r1().gamma).toBe(10);
    expect(r2().name).toBe('r2');
    critic.dispose();
    real.dispose();
    fake.dispose();
  });

  it('differentiates to the closed-form gradient with respect to w', () => {
    ensureGradients();
    const critic = linearCritic(W);
    const { real, fake } = realAndFake();
    const s = makeStepContext({ discriminator: critic, real, fake });
    const gp = gradientPenalty({ lambda: 10 });
    const { grads } = tf.variableGrads(() => gp.discriminatorLoss(s).penalty, critic.trainableVariables as tf.Variable[]);
    // d/dw λ(‖w‖ − 1)² = 2λ(‖w‖ − 1)·w/‖w‖.
    const g = Array.from(Object.values(grads)[0].dataSync());
    W.forEach((wi, i) => expect(g[i]).toBeCloseTo((2 * 10 * (NORM - 1) * wi) / NORM, 4));
    const r = r1({ gamma: 4 });
    const { grads: g1 } = tf.variableGrads(() => r.discriminatorLoss(s).penalty, critic.trainableVariables as tf.Variable[]);
    // d/dw γ/2‖w‖² = γw.
    Array.from(Object.values(g1)[0].dataSync()).forEach((gi, i) => expect(gi).toBeCloseTo(4 * W[i], 4));
    tf.dispose([...Object.values(grads), ...Object.values(g1)]);
    critic.dispose();
    real.dispose();
    fake.dispose();
  });
});

describe('a multi-head discriminator (ACGAN layout [batch, 1 + K])', () => {
  it('R1, R2 and the gradient penalty differentiate the adversarial column only (s.adversarial), not the class logits', () => {
    // Column 0 is w·x; columns 1..2 are class logits 50·x₀ and −30·x₁, whose gradients would
    // dominate a penalty over the whole output.
    const critic = linearCritic(W);
    const twoHead: Network = {
      ...critic,
      name: 'two-head',
      outputShape: [3],
      apply: (x) =>
        tf.tidy(() =>
          tf.concat(
            [
              critic.apply(x, { training: true }) as tf.Tensor2D,
              tf.mul(tf.slice(x, [0, 0], [-1, 1]), 50),
              tf.mul(tf.slice(x, [0, 1], [-1, 1]), -30),
            ],
            1,
          ),
        ),
    };
    const { real, fake } = realAndFake();
    const context = (adversarial?: (out: tf.Tensor) => tf.Tensor) => ({
      ...makeStepContext({ discriminator: twoHead, real, fake }),
      ...(adversarial ? { adversarial } : {}),
    });
    const column0 = (out: tf.Tensor) => tf.slice(out, [0, 0], [-1, 1]);
    for (const make of [r1, r2]) {
      expect(scalarOf(make({ gamma: 4 }).discriminatorLoss(context(column0)))).toBeCloseTo(2 * NORM ** 2, 4);
      // Without it (an older trainer), the whole output is differentiated: the sum of the heads.
      const whole = Math.hypot(W[0] + 50, W[1] - 30, W[2], W[3]);
      expect(scalarOf(make({ gamma: 4 }).discriminatorLoss(context()))).toBeCloseTo(2 * whole ** 2, 2);
    }
    expect(scalarOf(gradientPenalty({ lambda: 10 }).discriminatorLoss(context(column0)))).toBeCloseTo(10 * (NORM - 1) ** 2, 4);
    critic.dispose();
    real.dispose();
    fake.dispose();
  });

  it("R2 gives D the fakes' labels (s.fakeLabels) in a conditional run; R1 the real batch's", () => {
    const seen: (number[] | undefined)[] = [];
    const critic = linearCritic(W);
    const { real, fake } = realAndFake(2);
    const realLabels = tf.tensor1d([1, 2], 'int32');
    const fakeLabels = tf.tensor1d([7, 8], 'int32');
    const base = makeStepContext({ discriminator: critic, real, fake });
    const s = {
      ...base,
      batch: { x: real, labels: realLabels },
      fakeLabels,
      discriminate: (x: tf.Tensor, labels?: tf.Tensor) => {
        seen.push(Array.from((labels ?? realLabels).dataSync()));
        return critic.apply(x, { training: true });
      },
    };
    scalarOf(r2({ gamma: 1 }).discriminatorLoss(s));
    scalarOf(r1({ gamma: 1 }).discriminatorLoss(s));
    expect(seen).toEqual([
      [7, 8],
      [1, 2],
    ]);
    tf.dispose([real, fake, realLabels, fakeLabels]);
    critic.dispose();
  });
});

describe('composition with spectral norm', () => {
  it('runs through a spectrally normalised critic in training mode (penalty ≈ 0 for a rank-1 kernel)', () => {
    ensureGradients();
    const kernel = tf.variable(tf.tensor2d(W, [W.length, 1]));
    const sn = spectralNorm({ seed: 4 })([W.length, 1], 'sn-critic/dense/kernel');
    const critic: Network = {
      name: 'sn-critic',
      inputShape: [W.length],
      outputShape: [1],
      trainableVariables: [kernel],
      nonTrainableVariables: [...sn.variables],
      apply: (x, options) => tf.tidy(() => tf.matMul(x as tf.Tensor2D, sn.apply(kernel, options) as tf.Tensor2D)),
      dispose: () => {
        kernel.dispose();
        sn.dispose();
      },
    };
    const { real, fake } = realAndFake();
    const s = makeStepContext({ discriminator: critic, real, fake });
    const before = tf.memory().numTensors;
    const gp = gradientPenalty({ lambda: 10 });
    const { value, grads } = tf.variableGrads(() => gp.discriminatorLoss(s).penalty, [kernel]);
    // D(x) = x·w/σ with σ = ‖w‖ exactly for a one-column kernel: ‖∇D‖ = 1.
    expect(value.dataSync()[0]).toBeLessThan(1e-6);
    expect(Array.from(grads[kernel.name].dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([real, fake]);
    critic.dispose();
  });
});

describe('penalty points', () => {
  it('interpolates real and fake with one ε ∈ [0, 1] per example, from the step random source', () => {
    const critic = linearCritic(W);
    const { real, fake } = realAndFake(6);
    const gp = gradientPenalty();
    const p = gp.penaltyPoints(makeStepContext({ discriminator: critic, real, fake, seed: 5 }));
    const again = gp.penaltyPoints(makeStepContext({ discriminator: critic, real, fake, seed: 5 }));
    expect(Array.from(again.dataSync())).toEqual(Array.from(p.dataSync()));
    const [pv, rv, fv] = [p, real, fake].map((t) => t.arraySync() as number[][]);
    const eps: number[] = [];
    for (let b = 0; b < 6; b++) {
      // p − f = ε (x − f) in every coordinate: solve with the largest |x − f|, check the rest.
      const d = rv[b].map((x, j) => x - fv[b][j]);
      const j0 = d.reduce((best, x, j) => (Math.abs(x) > Math.abs(d[best]) ? j : best), 0);
      const e = (pv[b][j0] - fv[b][j0]) / d[j0];
      expect(e).toBeGreaterThanOrEqual(0);
      expect(e).toBeLessThanOrEqual(1);
      d.forEach((dj, j) => expect(pv[b][j]).toBeCloseTo(fv[b][j] + e * dj, 5));
      eps.push(e);
    }
    expect(new Set(eps.map((e) => e.toFixed(4))).size).toBe(6); // per example, not one for the batch
    tf.dispose([p, again, real, fake]);
    critic.dispose();
  });

  it('DRAGAN perturbs reals by 0.5·std(x)·U[0, 1]', () => {
    const critic = linearCritic(W);
    const { real, fake } = realAndFake(6);
    const values = Array.from(real.dataSync());
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    const p = gradientPenalty({ variant: 'dragan' }).penaltyPoints(makeStepContext({ discriminator: critic, real, fake }));
    const noise = Array.from(p.dataSync()).map((x, i) => (x - values[i]) / (0.5 * std));
    noise.forEach((u) => {
      expect(u).toBeGreaterThanOrEqual(-1e-5);
      expect(u).toBeLessThanOrEqual(1 + 1e-5);
    });
    expect(new Set(noise.map((u) => u.toFixed(3))).size).toBeGreaterThan(20); // per element
    tf.dispose([p, real, fake]);
    critic.dispose();
  });

  it('rejects bad options and mismatched batches with GankitError', () => {
    expect(() => gradientPenalty({ lambda: -1 })).toThrow(GankitError);
    expect(() => gradientPenalty({ variant: 'both' as never })).toThrow(/variant must be one of/);
    expect(() => r1({ gamma: Number.NaN })).toThrow(/gamma/);
    const critic = linearCritic(W);
    const real = tf.zeros([4, 4]);
    const fake = tf.zeros([3, 4]);
    expect(() => gradientPenalty().discriminatorLoss(makeStepContext({ discriminator: critic, real, fake }))).toThrow(/\[3, 4\].*\[4, 4\]/);
    const ints = tf.zeros([4, 4], 'int32');
    expect(() => r1().discriminatorLoss(makeStepContext({ discriminator: critic, real: ints, fake: ints }))).toThrow(/float32, got int32/);
    tf.dispose([real, fake, ints]);
    critic.dispose();
  });
});

describe('gradient penalty on a conv + leaky-ReLU critic (cpu backend)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    ensureGradients();
  });
  afterAll(async () => {
    await tf.setBackend('wasm');
  });

  it('has the gradient that central finite differences give', () => {
    const critic = convCritic([5, 5, 2], 3, 11);
    const rng = (seed: number) => tf.tidy(() => tf.randomNormal([3, 5, 5, 2], 0, 1, 'float32', seed));
    const real = rng(21);
    const fake = rng(22);
    const vars = critic.trainableVariables as tf.Variable[];
    for (const variant of ['two-sided', 'one-sided'] as const) {
      // target 0.5 keeps the one-sided penalty active on most examples.
      const gp = gradientPenalty({ lambda: 10, variant, target: 0.5 });
      const penalty = () => gp.discriminatorLoss(makeStepContext({ discriminator: critic, real, fake, seed: 3 })).penalty;
      const { value, grads } = tf.variableGrads(penalty, vars);
      expect(value.dataSync()[0]).toBeGreaterThan(0.1);
      const analytic: number[] = [];
      const numeric: number[] = [];
      // The penalty is piecewise smooth (leaky ReLU's kinks): a small step rarely crosses a kink,
      // and float32 rounding (~1e-5 on a penalty of ~100) stays ~1e-2 per component at h = 1e-3.
      const h = 1e-3;
      for (const v of vars) {
        // A variable off every path to the penalty (the output bias) gets no gradient: zero.
        analytic.push(...(grads[v.name] ? grads[v.name].dataSync() : new Float32Array(v.size)));
        const base = v.dataSync().slice();
        for (let i = 0; i < base.length; i++) {
          const at = (delta: number) => {
            const changed = base.slice();
            changed[i] += delta;
            tf.tidy(() => v.assign(tf.tensor(changed, v.shape)));
            const p = penalty();
            const x = p.dataSync()[0];
            p.dispose();
            return x;
          };
          numeric.push((at(h) - at(-h)) / (2 * h));
          tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
        }
      }
      const diff = Math.hypot(...analytic.map((a, i) => a - numeric[i]));
      const scale = Math.hypot(...numeric);
      expect(scale).toBeGreaterThan(1e-2);
      expect(diff / scale).toBeLessThan(1e-2);
      tf.dispose([value, ...Object.values(grads)]);
    }
    tf.dispose([real, fake]);
    critic.dispose();
  });
});

describe('memory', () => {
  it('leaks no tensors', () => {
    const critic = linearCritic(W);
    const { real, fake } = realAndFake();
    const before = tf.memory().numTensors;
    for (const plugin of [
      gradientPenalty(),
      gradientPenalty({ variant: 'one-sided' }),
      gradientPenalty({ variant: 'dragan' }),
      r1(),
      r2(),
    ]) {
      const s = makeStepContext({ discriminator: critic, real, fake });
      tf.dispose(Object.values(plugin.discriminatorLoss(s)));
      expect(tf.memory().numTensors).toBe(before);
      const { value, grads } = tf.variableGrads(() => plugin.discriminatorLoss(s).penalty, critic.trainableVariables as tf.Variable[]);
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
    }
    critic.dispose();
    real.dispose();
    fake.dispose();
  });
});
