import * as tf from '@tensorflow/tfjs-core';
import { RandomSource } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { PerVariableAdamOptimizer, perVariableAdam } from './per-variable-adam';
import { buildTrainer, disposeTrainer } from './test-model';

const LR = 1e-3;
const B1 = 0;
const B2 = 0.99;

/** The gradient of step `t` (1-based) for a variable of `shape`: fixed random values. */
function gradient(seed: number, t: number, shape: number[]): tf.Tensor {
  return new RandomSource(seed * 1000 + t).normal(shape);
}

function values(v: tf.Tensor): number[] {
  return Array.from(v.dataSync());
}

/**
 * Runs `steps` updates of `opt` on variables `a` (a gradient every step) and `b` (absent before step
 * `join`), returning their values after each step.
 */
function runPair(opt: tf.Optimizer, steps: number, join: number, tag: string) {
  const a = tf.variable(tf.tensor1d([0.5, -1, 2]), true, `pva-a-${tag}`);
  const b = tf.variable(tf.tensor2d([[1, -0.25]]), true, `pva-b-${tag}`);
  const trace: { a: number[]; b: number[] }[] = [];
  for (let t = 1; t <= steps; t++) {
    const ga = gradient(1, t, [3]);
    const gb = t >= join ? gradient(2, t, [1, 2]) : null;
    opt.applyGradients([
      { name: a.name, tensor: ga },
      { name: b.name, tensor: gb as tf.Tensor },
    ]);
    tf.dispose([ga, gb as tf.Tensor]);
    trace.push({ a: values(a), b: values(b) });
  }
  return { a, b, trace, dispose: () => tf.dispose([a, b]) };
}

/** A fresh `tf.train.adam` on one variable alone, fed the gradients `b` gets from step `join` on. */
function freshAdamOnB(steps: number, join: number): number[][] {
  const opt = tf.train.adam(LR, B1, B2);
  const b = tf.variable(tf.tensor2d([[1, -0.25]]));
  const out: number[][] = [];
  for (let t = join; t <= steps; t++) {
    const gb = gradient(2, t, [1, 2]);
    opt.applyGradients([{ name: b.name, tensor: gb }]);
    gb.dispose();
    out.push(values(b));
  }
  opt.dispose();
  b.dispose();
  return out;
}

describe('perVariableAdam', () => {
  it('gives variables present from the start exactly the updates of tf.train.adam', () => {
    const ours = runPair(perVariableAdam(LR, B1, B2), 30, 1, 'ours-all');
    const theirs = runPair(tf.train.adam(LR, B1, B2), 30, 1, 'tfjs-all');
    expect(ours.trace).toEqual(theirs.trace);
    ours.dispose();
    theirs.dispose();
  });

  it("gives a variable that joins at step k a fresh Adam's first updates, and leaves the others as tf.train.adam does", () => {
    const join = 40;
    const opt = perVariableAdam(LR, B1, B2);
    const ours = runPair(opt, 60, join, 'ours-join');
    const theirs = runPair(tf.train.adam(LR, B1, B2), 60, join, 'tfjs-join');
    // the variable present from the start: as tf.train.adam, bit for bit
    expect(ours.trace.map((s) => s.a)).toEqual(theirs.trace.map((s) => s.a));
    // before it joins the late variable is untouched
    expect(ours.trace[join - 2].b).toEqual([1, -0.25]);
    // from its join: a fresh Adam on it alone
    const fresh = freshAdamOnB(60, join);
    const got = ours.trace.slice(join - 1).map((s) => s.b);
    expect(got.length).toBe(fresh.length);
    expect(got).toEqual(fresh);
    expect(opt.stepCounts).toEqual([60, 60 - join + 1]);
    expect(opt.iterations).toBe(60);
    opt.dispose();
    ours.dispose();
    theirs.dispose();
  });

  it("makes a late block's first step lr·g/(|g| + ε) where tf.train.adam's is about 10·lr (β = (0, 0.99))", () => {
    const firstStep = (opt: tf.Optimizer) => {
      const a = tf.variable(tf.ones([4]));
      const b = tf.variable(tf.ones([4]));
      const join = 400;
      let step = 0;
      for (let t = 1; t <= join; t++) {
        const ga = tf.fill([4], 0.3);
        const gb = t === join ? tf.fill([4], 0.05) : null;
        const before = b.dataSync()[0];
        opt.applyGradients([
          { name: a.name, tensor: ga },
          { name: b.name, tensor: gb as tf.Tensor },
        ]);
        step = (before - b.dataSync()[0]) / LR;
        tf.dispose([ga, gb as tf.Tensor]);
      }
      tf.dispose([a, b]);
      opt.dispose();
      return step;
    };
    // tfjs: lr·g/sqrt(0.01 g² / (1 − 0.99⁴⁰⁰)) = 9.91·lr
    expect(firstStep(tf.train.adam(LR, B1, B2))).toBeCloseTo(Math.sqrt(1 - 0.99 ** 400) / 0.1, 2);
    expect(firstStep(perVariableAdam(LR, B1, B2))).toBeCloseTo(0.05 / (0.05 + tf.backend().epsilon()), 4);
  });

  it('keeps each variable its count through getWeights/setWeights: a restored optimizer goes on bit for bit', async () => {
    const join = 10;
    const straight = perVariableAdam(LR, B1, B2);
    const whole = runPair(straight, 25, join, 'straight');
    straight.dispose();

    const first = perVariableAdam(LR, B1, B2);
    const part = runPair(first, 15, join, 'part');
    const weights = await first.getWeights();
    expect(weights.map((w) => w.name.replace(/^.*\//, ''))).toEqual(['iter', 'm', 'm', 'v', 'v', 't', 't']);
    expect(values(weights[5].tensor)).toEqual([15, 15, 15]);
    expect(values(weights[6].tensor)).toEqual([6, 6]);
    const saved = weights.map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) }));
    weights[0].tensor.dispose();
    first.dispose();

    const second = perVariableAdam(LR, B1, B2);
    await second.setWeights(saved);
    tf.dispose(saved.map((w) => w.tensor));
    expect(second.stepCounts).toEqual([15, 6]);
    expect(second.iterations).toBe(15);
    // go on from part's variables at step 16
    for (let t = 16; t <= 25; t++) {
      const ga = gradient(1, t, [3]);
      const gb = gradient(2, t, [1, 2]);
      second.applyGradients([
        { name: part.a.name, tensor: ga },
        { name: part.b.name, tensor: gb },
      ]);
      tf.dispose([ga, gb]);
    }
    expect([values(part.a), values(part.b)]).toEqual([whole.trace[24].a, whole.trace[24].b]);
    second.dispose();
    part.dispose();
    whole.dispose();
  });

  it('is rolled back with the rest by the numerical-fault guard: a skipped iteration leaves no count behind', async () => {
    // A NaN gradient in G's update of iteration 3 (step 2), after D's update of that iteration.
    const nanGradient = {
      name: 'nan-gradient',
      generatorLoss: (s: { step: number; generator: { trainableVariables: readonly tf.Variable[] } }) => {
        if (s.step !== 2) return undefined;
        const w = s.generator.trainableVariables[0];
        return { zero: tf.mul(0, tf.sum(tf.sqrt(tf.sub(w, w)))) as tf.Scalar };
      },
    };
    const t = buildTrainer('pva-guard', {
      generatorOptimizer: perVariableAdam(0.01, 0.5),
      discriminatorOptimizer: perVariableAdam(0.01, 0.5),
      plugins: [nanGradient],
      nanGuard: { action: 'skip', checkGradients: true },
    });
    const logs: number[] = [];
    await t.fit({ steps: 5, onStep: (l) => void logs.push(l.metrics['nanGuard/skippedSteps']) });
    expect(logs).toEqual([0, 0, 1, 1, 1]);
    for (const opt of [t.generatorOptimizer, t.discriminatorOptimizer] as PerVariableAdamOptimizer[]) {
      expect(opt.iterations).toBe(4);
      expect(new Set(opt.stepCounts)).toEqual(new Set([4]));
    }
    disposeTrainer(t);
  });

  it('frees what it holds: no tensor outlives dispose, getWeights and setWeights leak nothing', async () => {
    const a = tf.variable(tf.ones([2, 3]));
    const b = tf.variable(tf.ones([5]));
    const before = tf.memory().numTensors;
    const opt = perVariableAdam(LR, B1, B2);
    for (let t = 1; t <= 3; t++) {
      const ga = tf.fill([2, 3], t);
      opt.applyGradients({ [a.name]: ga });
      ga.dispose();
    }
    // 3 slots per variable listed (b has no gradient: its slots exist, its count is 0)
    expect(tf.memory().numTensors - before).toBe(3);
    for (let i = 0; i < 2; i++) {
      const w = await opt.getWeights();
      w[0].tensor.dispose();
    }
    const w = await opt.getWeights();
    const copy = w.map((x) => ({ name: x.name, tensor: tf.clone(x.tensor) }));
    w[0].tensor.dispose();
    await opt.setWeights(copy);
    tf.dispose(copy.map((x) => x.tensor));
    expect(tf.memory().numTensors - before).toBe(3);
    const ga = tf.ones([2, 3]);
    const gb = tf.ones([5]);
    opt.applyGradients([
      { name: a.name, tensor: ga },
      { name: b.name, tensor: gb },
    ]);
    tf.dispose([ga, gb]);
    expect(tf.memory().numTensors - before).toBe(6);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });

  it('refuses bad options and a state that is not 3 slots per variable, with clear messages', async () => {
    expect(() => perVariableAdam(0)).toThrow(/learningRate must be a finite number > 0, got 0/);
    expect(() => perVariableAdam(Number.NaN)).toThrow(/learningRate must be a finite number > 0, got NaN/);
    expect(() => perVariableAdam(1e-3, 1)).toThrow(/beta1 must be a finite number in \[0, 1\), got 1/);
    expect(() => perVariableAdam(1e-3, 0.5, -0.1)).toThrow(/beta2 must be a finite number in \[0, 1\), got -0.1/);
    expect(() => perVariableAdam(1e-3, 0.5, 0.9, 0)).toThrow(/epsilon must be a finite number > 0, got 0/);
    const opt = new PerVariableAdamOptimizer(1e-3);
    expect(opt.getConfig()).toEqual({ learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: tf.backend().epsilon() });
    expect(PerVariableAdamOptimizer.className).toBe('PerVariableAdam');
    const iter = tf.scalar(3, 'int32');
    const m = tf.zeros([2]);
    await expect(
      opt.setWeights([
        { name: 'iter', tensor: iter },
        { name: 'x/m', tensor: m },
        { name: 'x/v', tensor: m },
      ]),
    ).rejects.toThrow(/holds 2 slots, not 3 per variable/);
    const c = tf.fill([2], 1.5);
    await expect(
      opt.setWeights([
        { name: 'iter', tensor: iter },
        { name: 'x/m', tensor: m },
        { name: 'x/v', tensor: m },
        { name: 'x/t', tensor: c },
      ]),
    ).rejects.toThrow(/slot 'x\/t' must hold a non-negative integer count, got 1.5/);
    tf.dispose([iter, m, c]);
    const ghost = tf.ones([1]);
    expect(() => opt.applyGradients({ 'no-such-variable': ghost })).toThrow(/no variable named 'no-such-variable'/);
    ghost.dispose();
    opt.dispose();
  });
});
