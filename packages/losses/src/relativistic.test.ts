import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@gankit/core';
import {
  relativisticAverage,
  relativisticAverageDiscriminatorLoss,
  relativisticAverageGeneratorLoss,
  relativisticAverageHinge,
  relativisticAverageHingeDiscriminatorLoss,
  relativisticAverageHingeGeneratorLoss,
} from './relativistic';
import {
  expectAllClose,
  expectClose,
  expectGankitError,
  expectNoLeak,
  gradsOf,
  mean,
  readScalar,
  softplus,
  withTensors,
} from '../test/helpers';

beforeAll(() => {
  ensureGradients();
});

const REAL = [1.3, 0.2, -0.4, 0.9, 2.2, 0.35];
const FAKE = [-0.7, 0.45, -1.6, 0.1];
const relu = (x: number) => Math.max(0, x);

type Ref = (real: number[], fake: number[]) => number;

/** Float64 references, written from the definitions with r̃ = r − mean(f), f̃ = f − mean(r). */
const tilde = (real: number[], fake: number[]) => ({
  rt: real.map((r) => r - mean(fake)),
  ft: fake.map((f) => f - mean(real)),
});
const refD: Ref = (real, fake) => {
  const { rt, ft } = tilde(real, fake);
  return mean(rt.map((x) => -Math.log(1 / (1 + Math.exp(-x))))) + mean(ft.map((x) => -Math.log(1 - 1 / (1 + Math.exp(-x)))));
};
const refG: Ref = (real, fake) => {
  const { rt, ft } = tilde(real, fake);
  return mean(ft.map((x) => softplus(-x))) + mean(rt.map(softplus));
};
const refHingeD: Ref = (real, fake) => {
  const { rt, ft } = tilde(real, fake);
  return mean(rt.map((x) => relu(1 - x))) + mean(ft.map((x) => relu(1 + x)));
};
const refHingeG: Ref = (real, fake) => {
  const { rt, ft } = tilde(real, fake);
  return mean(ft.map((x) => relu(1 - x))) + mean(rt.map((x) => relu(1 + x)));
};

/** Central finite differences of a float64 reference with respect to every real and fake output. */
function numericGrads(ref: Ref, real: number[], fake: number[], h = 1e-6): [number[], number[]] {
  const d = (which: 'r' | 'f', i: number) => {
    const plus = which === 'r' ? [real.map((v, k) => (k === i ? v + h : v)), fake] : [real, fake.map((v, k) => (k === i ? v + h : v))];
    const minus = which === 'r' ? [real.map((v, k) => (k === i ? v - h : v)), fake] : [real, fake.map((v, k) => (k === i ? v - h : v))];
    return (ref(plus[0], plus[1]) - ref(minus[0], minus[1])) / (2 * h);
  };
  return [real.map((_, i) => d('r', i)), fake.map((_, i) => d('f', i))];
}

const CASES = [
  { name: 'standard D', fn: relativisticAverageDiscriminatorLoss, ref: refD, gen: false },
  { name: 'standard G', fn: relativisticAverageGeneratorLoss, ref: refG, gen: true },
  { name: 'hinge D', fn: relativisticAverageHingeDiscriminatorLoss, ref: refHingeD, gen: false },
  { name: 'hinge G', fn: relativisticAverageHingeGeneratorLoss, ref: refHingeG, gen: true },
] as const;

/** Calls a loss with (real, fake) whichever argument order it takes. */
const call = (c: (typeof CASES)[number], r: tf.Tensor, f: tf.Tensor) => (c.gen ? c.fn(f, r) : c.fn(r, f));

describe('relativistic average losses', () => {
  for (const c of CASES) {
    it(`${c.name}: value and gradients match the definition`, () => {
      const v = withTensors(
        [
          [REAL, [3, 2]],
          [FAKE, [2, 2]],
        ],
        (r, f) => readScalar(call(c, r, f)),
      );
      expectClose(v, c.ref(REAL, FAKE));
      const [gr, gf] = gradsOf(
        (r, f) => call(c, r, f),
        [
          [REAL, [6, 1]],
          [FAKE, [4, 1]],
        ],
      );
      const [nr, nf] = numericGrads(c.ref, REAL, FAKE);
      expectAllClose(gr, nr, 1e-4, 1e-6);
      expectAllClose(gf, nf, 1e-4, 1e-6);
    });
  }

  it("the generator's gradient reaches the fakes through both terms", () => {
    // The second term E[softplus(r̃)] depends on the fakes only through mean(f).
    const [, gf] = gradsOf(
      (r, f) => relativisticAverageGeneratorLoss(f, r),
      [
        [REAL, [6, 1]],
        [FAKE, [4, 1]],
      ],
    );
    const { rt, ft } = tilde(REAL, FAKE);
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    const secondTerm = -mean(rt.map(sig)) / FAKE.length;
    expectAllClose(
      gf,
      ft.map((x) => -sig(-x) / FAKE.length + secondTerm),
      1e-5,
    );
  });

  it('is finite at logits ±100', () => {
    const real = [100, -100, 100];
    const fake = [-100, 100, -100];
    for (const c of CASES) {
      const v = withTensors(
        [
          [real, [3, 1]],
          [fake, [3, 1]],
        ],
        (r, f) => readScalar(call(c, r, f)),
      );
      expect(Number.isFinite(v)).toBe(true);
      expectClose(v, c.ref(real, fake));
      const gs = gradsOf(
        (r, f) => call(c, r, f),
        [
          [real, [3, 1]],
          [fake, [3, 1]],
        ],
      );
      expect(gs.flat().every(Number.isFinite)).toBe(true);
    }
  });

  it('pairs need the real outputs in the generator and say so', () => {
    expect(relativisticAverage).toMatchObject({ name: 'relativistic-average', generatorUsesReal: true, probabilistic: false });
    expect(relativisticAverageHinge).toMatchObject({ name: 'relativistic-average-hinge', generatorUsesReal: true });
    const f = tf.zeros([4, 1]);
    const r = tf.zeros([4]);
    expectGankitError(() => relativisticAverage.generator(f), 'argument', /realOutput is required/);
    expectGankitError(() => relativisticAverageHinge.generator(f), 'argument', /realOutput is required/);
    expectGankitError(() => relativisticAverage.generator(f, r), 'shape', /realOutput \[4\] and fakeOutput \[4, 1\]/);
    tf.dispose([f, r]);
    const [g1, g2] = withTensors(
      [
        [REAL, [6, 1]],
        [FAKE, [4, 1]],
      ],
      (rr, ff) => [readScalar(relativisticAverage.generator(ff, rr)), readScalar(relativisticAverageHinge.generator(ff, rr))],
    );
    expectClose(g1, refG(REAL, FAKE));
    expectClose(g2, refHingeG(REAL, FAKE));
  });

  it('every function frees its intermediates', () => {
    const r = tf.tensor2d(REAL, [6, 1]);
    const f = tf.tensor2d(FAKE, [4, 1]);
    for (const c of CASES) expectNoLeak(() => call(c, r, f));
    expectNoLeak(() => relativisticAverage.discriminator(r, f));
    expectNoLeak(() => relativisticAverageHinge.generator(f, r));
    tf.dispose([r, f]);
  });
});
