import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GankitError, RandomSource } from '@gankit/core';
import type { Network, StepContext, TrainContext } from '@gankit/core';
import { ema, uniformAverage } from './index';
import type { AveragingPlugin } from './index';

/** A tiny hand-made network: y = x·W + b, plus a non-trainable "moving mean" like batch norm's. */
function tinyNet(name = 'generator'): Network {
  const kernel = tf.variable(
    tf.tensor2d([
      [0.1, -0.2],
      [0.3, 0.4],
      [-0.5, 0.6],
    ]),
    true,
  );
  const bias = tf.variable(tf.tensor1d([0.01, -0.02]), true);
  const moving = tf.variable(tf.tensor1d([1, 2]), false);
  return {
    name,
    inputShape: [3],
    outputShape: [2],
    trainableVariables: [kernel, bias],
    nonTrainableVariables: [moving],
    apply: (x) => tf.tidy(() => tf.add(tf.matMul(x as tf.Tensor2D, kernel), bias)),
    dispose: () => [kernel, bias, moving].forEach((v) => v.dispose()),
  };
}

/** Plain-JS values of every variable at "training step" k: a deterministic, non-trivial sequence. */
function weightsAt(k: number): number[][] {
  const kernel = Array.from({ length: 6 }, (_, i) => Math.sin(1 + k * 0.7 + i * 1.3));
  const bias = [Math.cos(k * 0.4), 0.5 * k - 1];
  const moving = [k, -k * 0.25];
  return [kernel, bias, moving];
}

function setWeights(net: Network, values: number[][]): void {
  const vars = [...net.trainableVariables, ...net.nonTrainableVariables];
  vars.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(values[i], v.shape))));
}

function read(vars: readonly tf.Variable[]): number[][] {
  return vars.map((v) => Array.from(v.dataSync()));
}

/** A step context with only what averaging uses; the rest throws if touched. */
function stepContext(net: Network, step: number): StepContext {
  const unused = () => {
    throw new Error('not used by averaging');
  };
  return {
    step,
    phase: 'generator',
    discriminatorStep: 0,
    batch: { x: null as unknown as tf.Tensor },
    z: null as unknown as tf.Tensor,
    generator: net,
    discriminator: net,
    networks: { generator: net },
    random: new RandomSource(1),
    fake: unused,
    realOutput: unused,
    fakeOutput: unused,
    discriminate: unused,
    fakeLabels: undefined,
    loss: { name: 'unused', probabilistic: false, discriminator: unused, generator: unused },
    adversarial: unused,
    player: 'generator',
    pair: '',
    pairs: [],
  };
}

/** Runs `steps` fake iterations: set the live weights to weightsAt(k + 1), then the hook at step k. */
function run(plugin: AveragingPlugin, net: Network, from: number, to: number): void {
  for (let k = from; k < to; k++) {
    setWeights(net, weightsAt(k + 1));
    plugin.afterGeneratorStep(stepContext(net, k));
  }
}

function expectClose(actual: number[][], expected: number[][], tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    expect(a.length).toBe(expected[i].length);
    a.forEach((x, j) => expect(Math.abs(x - expected[i][j])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i][j]))));
  });
}

/** Float64 reference EMA: shadow starts at `init`, then shadow = β_t·shadow + (1 − β_t)·θ. */
function referenceEma(init: number[][], thetas: number[][][], betas: number[]): number[][] {
  let shadow = init.map((a) => [...a]);
  thetas.forEach((theta, t) => {
    shadow = shadow.map((a, i) => a.map((x, j) => betas[t] * x + (1 - betas[t]) * theta[i][j]));
  });
  return shadow;
}

describe('ema', () => {
  let net: Network;
  beforeEach(() => {
    net = tinyNet();
    setWeights(net, weightsAt(0));
  });
  afterEach(() => net.dispose());

  it('equals the closed-form geometric sum after n updates', () => {
    const beta = 0.9;
    const n = 7;
    const avg = ema({ decay: beta });
    avg.initialize(net);
    run(avg, net, 0, n);
    expect(avg.updates).toBe(n);
    const w = avg.averagedWeights();
    // θ̂_n = β^n θ_0 + (1 − β) Σ_{k=1..n} β^{n−k} θ_k, trainable variables only.
    for (let i = 0; i < 2; i++) {
      const expected = weightsAt(0)[i].map((x0, j) => {
        let sum = beta ** n * x0;
        for (let k = 1; k <= n; k++) sum += (1 - beta) * beta ** (n - k) * weightsAt(k)[i][j];
        return sum;
      });
      expectClose([Array.from(w[i].dataSync())], [expected], 2e-6);
    }
    // The non-trainable variable is copied, not averaged.
    expect(Array.from(w[2].dataSync())).toEqual(Array.from(new Float32Array(weightsAt(n)[2])));
    avg.dispose();
  });

  it('tracks the live weights exactly before startStep, then averages from the previous update', () => {
    const avg = ema({ decay: 0.8, startStep: 3 });
    avg.initialize(net);
    for (let k = 0; k < 3; k++) {
      run(avg, net, k, k + 1);
      expect(read(avg.averagedWeights())).toEqual(read([...net.trainableVariables, ...net.nonTrainableVariables]));
      expect(avg.updates).toBe(0);
    }
    run(avg, net, 3, 6);
    expect(avg.updates).toBe(3);
    const expected = referenceEma(weightsAt(3), [weightsAt(4), weightsAt(5), weightsAt(6)], [0.8, 0.8, 0.8]);
    expectClose(read(avg.averagedWeights()).slice(0, 2), expected.slice(0, 2));
    avg.dispose();
  });

  it('averages only every updateEvery-th iteration', () => {
    const avg = ema({ decay: 0.5, updateEvery: 2 });
    avg.initialize(net);
    run(avg, net, 0, 1); // step 0: update with θ_1
    const afterFirst = read(avg.averagedWeights());
    run(avg, net, 1, 2); // step 1: skipped (non-trainable copies too)
    expect(read(avg.averagedWeights())).toEqual(afterFirst);
    run(avg, net, 2, 3); // step 2: update with θ_3
    expect(avg.updates).toBe(2);
    const expected = referenceEma(weightsAt(0), [weightsAt(1), weightsAt(3)], [0.5, 0.5]);
    expectClose(read(avg.averagedWeights()).slice(0, 2), expected.slice(0, 2));
    avg.dispose();
  });

  it('ramps the decay up as min(decay, (1 + t) / (r + t))', () => {
    const avg = ema({ decay: 0.6, rampUp: true });
    expect(avg.currentDecay()).toBeCloseTo(0.1, 12);
    avg.initialize(net);
    run(avg, net, 0, 16);
    // (1 + t) / (10 + t) reaches 0.6 at t = 12.5: ramped for t = 0..12, then the plain decay.
    const betas = Array.from({ length: 16 }, (_, t) => Math.min(0.6, (1 + t) / (10 + t)));
    expect(betas[0]).toBeCloseTo(0.1, 12);
    expect(betas[12]).toBeLessThan(0.6);
    expect(betas[13]).toBe(0.6);
    const thetas = Array.from({ length: 16 }, (_, k) => weightsAt(k + 1));
    expectClose(read(avg.averagedWeights()).slice(0, 2), referenceEma(weightsAt(0), thetas, betas).slice(0, 2));
    expect(avg.currentDecay()).toBe(0.6);

    const custom = ema({ decay: 0.99, rampUp: 3 });
    expect(custom.currentDecay()).toBeCloseTo(1 / 3, 12);
    avg.dispose();
    custom.dispose();
  });

  it('rejects bad settings with GankitError', () => {
    expect(() => ema({ decay: 1 })).toThrow(GankitError);
    expect(() => ema({ decay: -0.1 })).toThrow(/decay must be in \[0, 1\)/);
    expect(() => ema({ updateEvery: 0 })).toThrow(/updateEvery/);
    expect(() => ema({ startStep: 1.5 })).toThrow(/startStep/);
    expect(() => ema({ rampUp: 0.5 })).toThrow(/rampUp/);
  });
});

describe('uniformAverage', () => {
  it('equals the arithmetic mean of the weights from startStep on', () => {
    const net = tinyNet();
    setWeights(net, weightsAt(0));
    const avg = uniformAverage({ startStep: 2 });
    avg.initialize(net);
    run(avg, net, 0, 9);
    expect(avg.updates).toBe(7);
    // Updates at steps 2..8 saw θ_3 .. θ_9.
    const expected = [0, 1].map((i) =>
      weightsAt(0)[i].map((_, j) => {
        let sum = 0;
        for (let k = 3; k <= 9; k++) sum += weightsAt(k)[i][j];
        return sum / 7;
      }),
    );
    expectClose(read(avg.averagedWeights()).slice(0, 2), expected, 2e-6);
    expect(read(avg.averagedWeights())[2]).toEqual(Array.from(new Float32Array(weightsAt(9)[2])));
    avg.dispose();
    net.dispose();
  });
});

describe('withAveragedWeights', () => {
  it('swaps the average in and puts the training weights back bit for bit', async () => {
    const net = tinyNet();
    setWeights(net, weightsAt(0));
    const avg = ema({ decay: 0.7 });
    avg.setup({ networks: { generator: net }, generator: net, discriminator: net } as unknown as TrainContext);
    run(avg, net, 0, 4);
    const vars = [...net.trainableVariables, ...net.nonTrainableVariables];
    const before = vars.map((v) => v.dataSync().slice());
    const averaged = read(avg.averagedWeights());
    const x = tf.tensor2d([[1, 2, 3]]);

    const inside = avg.withAveragedWeights(net, () => {
      expect(read(vars)).toEqual(averaged);
      return tf.tidy(() => Array.from(net.apply(x, { training: false }).dataSync()));
    });
    // The output is the averaged network's: x·Ŵ + b̂ computed by hand.
    const [k, b] = averaged;
    expectClose([inside], [[0, 1].map((j) => 1 * k[j] + 2 * k[2 + j] + 3 * k[4 + j] + b[j])], 1e-5);
    vars.forEach((v, i) => expect(v.dataSync()).toEqual(before[i]));

    // Also when fn throws, and after an async fn settles.
    expect(() =>
      avg.withAveragedWeights(net, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    vars.forEach((v, i) => expect(v.dataSync()).toEqual(before[i]));
    const p = avg.withAveragedWeights(net, async () => {
      await new Promise((r) => setTimeout(r, 5));
      return read(vars);
    });
    expect(read(vars)).toEqual(averaged); // still swapped in while the promise runs
    expect(await p).toEqual(averaged);
    vars.forEach((v, i) => expect(v.dataSync()).toEqual(before[i]));

    // The averaged copy itself is untouched.
    expect(read(avg.averagedWeights())).toEqual(averaged);
    x.dispose();
    avg.dispose();
    net.dispose();
  });

  it('rejects a network with other shapes and use before initialisation', () => {
    const net = tinyNet();
    const other: Network = { ...tinyNet('other') };
    const wrong = tf.variable(tf.zeros([4, 2]));
    const odd: Network = { ...other, trainableVariables: [wrong, other.trainableVariables[1]] };
    const avg = ema();
    expect(() => avg.averagedWeights()).toThrow(/no averaged weights yet/);
    avg.initialize(net);
    expect(() => avg.withAveragedWeights(odd, () => 0)).toThrow(/\[4, 2\].*\[3, 2\]/);
    avg.dispose();
    expect(() => avg.averagedWeights()).toThrow(/disposed/);
    wrong.dispose();
    other.dispose();
    net.dispose();
  });
});

describe('state', () => {
  it('round-trips exactly and continues identically', () => {
    for (const make of [() => ema({ decay: 0.9, rampUp: 4 }), () => uniformAverage({ startStep: 1 })]) {
      const net = tinyNet();
      setWeights(net, weightsAt(0));
      const a = make();
      a.initialize(net);
      run(a, net, 0, 5);
      const saved = a.state();
      // Copy as a checkpoint would (fresh tensors, JSON metadata).
      const copy = {
        tensors: Object.fromEntries(Object.entries(saved.tensors).map(([k, t]) => [k, tf.tensor(t.dataSync().slice(), t.shape, t.dtype)])),
        meta: JSON.parse(JSON.stringify(saved.meta)),
      };
      const b = make();
      b.loadState(copy); // before setup, as on resume
      Object.values(copy.tensors).forEach((t) => t.dispose());
      b.initialize(net); // checks shapes, keeps the loaded values
      expect(b.updates).toBe(a.updates);
      expect(read(b.averagedWeights())).toEqual(read(a.averagedWeights()));
      run(a, net, 5, 8);
      setWeights(net, weightsAt(5));
      run(b, net, 5, 8);
      expect(read(b.averagedWeights())).toEqual(read(a.averagedWeights()));
      const wrongKind = { tensors: saved.tensors, meta: { ...(saved.meta as object), kind: 'nope' } };
      expect(() => make().loadState(wrongKind)).toThrow(/averaging state/);
      a.dispose();
      b.dispose();
      net.dispose();
    }
  });
});

describe('memory', () => {
  it('leaks no tensors and dispose frees the averaged copy', async () => {
    const net = tinyNet();
    const start = tf.memory().numTensors;
    const avg = ema({ decay: 0.9 });
    avg.initialize(net);
    expect(tf.memory().numTensors).toBe(start + 3);
    let n = tf.memory().numTensors;
    run(avg, net, 0, 3);
    expect(tf.memory().numTensors).toBe(n);
    avg.withAveragedWeights(net, () => 1);
    expect(tf.memory().numTensors).toBe(n);
    await avg.withAveragedWeights(net, async () => 1);
    expect(tf.memory().numTensors).toBe(n);
    const s = avg.state();
    expect(tf.memory().numTensors).toBe(n);
    const u = uniformAverage();
    u.loadState({ tensors: s.tensors, meta: { ...(s.meta as object), kind: 'uniform' } });
    expect(tf.memory().numTensors).toBe(n + 3);
    u.loadState({ tensors: s.tensors, meta: { ...(s.meta as object), kind: 'uniform' } }); // into existing variables
    expect(tf.memory().numTensors).toBe(n + 3);
    u.dispose();
    avg.dispose();
    expect(tf.memory().numTensors).toBe(start);
    n = tf.memory().numTensors;
    net.dispose();
    expect(tf.memory().numTensors).toBe(n - 3);
  });
});
