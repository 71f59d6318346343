import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, ensureGradients } from '@gankit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FUSED_ADAM_KERNEL_NAME, FusedAdamOptimizer, fusedAdam } from './fused-adam';
import { captureOptimizer, restoreOptimizer } from './optimizer-state';

const SHAPES: number[][] = [[3], [4, 5], [3, 3, 8, 16], [1000]];

/** Gradients of step `t`: normal values over many magnitudes, with exact zeros and tiny values. */
function gradients(vars: tf.Variable[], t: number): { name: string; tensor: tf.Tensor }[] {
  return vars.map((v, j) => {
    const rs = new RandomSource(100 * t + j);
    const tensor = tf.tidy(() => {
      const g = rs.normal(v.shape);
      const scale = tf.pow(10, tf.sub(tf.floor(tf.mul(rs.uniform(v.shape), 12)), 8));
      const mask = tf.greater(rs.uniform(v.shape), 0.1);
      return tf.where(mask, tf.mul(g, scale), tf.zerosLike(g));
    });
    return { name: v.name, tensor };
  });
}

function makeVars(tag: string): tf.Variable[] {
  return SHAPES.map((s, j) => tf.variable(new RandomSource(7 + j).normal(s), true, `fused-adam-${tag}-${j}`));
}

/** Float32 bit patterns of a tensor. */
function bits(t: tf.Tensor): number[] {
  return Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
}

/** The bits of every variable and every optimizer weight (moments; the counter). */
async function state(opt: tf.Optimizer, vars: tf.Variable[]): Promise<number[][]> {
  const weights = await opt.getWeights();
  const out = [...vars.map(bits), ...weights.slice(1).map((w) => bits(w.tensor)), Array.from(weights[0].tensor.dataSync())];
  weights[0].tensor.dispose();
  for (const key of ['accBeta1', 'accBeta2']) out.push(bits((opt as unknown as Record<string, tf.Tensor>)[key]));
  return out;
}

/** Runs `steps` updates with `opt` (array form on odd steps, map form on even ones); states after each. */
async function run(opt: tf.Optimizer, vars: tf.Variable[], steps: number, from = 1): Promise<number[][][]> {
  const trace: number[][][] = [];
  for (let t = from; t < from + steps; t++) {
    const g = gradients(vars, t);
    opt.applyGradients(t % 2 ? g : Object.fromEntries(g.map((e) => [e.name, e.tensor])));
    tf.dispose(g.map((e) => e.tensor));
    trace.push(await state(opt, vars));
  }
  return trace;
}

const settings: [string, [number, number, number, (number | null)?]][] = [
  ['defaults', [0.001, 0.9, 0.999]],
  ['DCGAN (2e-4, 0.5)', [2e-4, 0.5, 0.999]],
  ['epsilon 1e-3, lr 0.1', [0.1, 0.8, 0.99, 1e-3]],
];

describe('fusedAdam', () => {
  const initial = tf.getBackend();
  afterEach(async () => {
    await tf.setBackend(initial);
  });

  for (const backend of ['wasm', 'cpu']) {
    for (const [label, args] of settings) {
      it(`gives tf.train.adam's variables, moments and accBeta bit for bit over 6 steps (${backend}, ${label})`, async () => {
        await tf.setBackend(backend);
        const a = makeVars(`a-${backend}-${label}`);
        const b = makeVars(`b-${backend}-${label}`);
        const plain = tf.train.adam(args[0], args[1], args[2], args[3] ?? undefined);
        const fused = fusedAdam(args[0], args[1], args[2], args[3] ?? null);
        const expected = await run(plain, a, 6);
        const got = await run(fused, b, 6);
        expect(fused.usedKernel).toBe(true);
        expect(got).toEqual(expected);
        // The values moved (the comparison is not between two untouched states).
        expect(expected[5][0]).not.toEqual(expected[0][0]);
        tf.dispose([...a, ...b]);
        plain.dispose();
        fused.dispose();
      });
    }
  }

  it('trains a conv + dense model as tf.train.adam does, bit for bit (weights read by cached XNNPACK operators each step)', async () => {
    // tfjs's wasm conv2d and matMul cache the packed weights under the weights' buffer: a
    // variable updated in place would be read stale at the next step.
    const model = (tag: string) => ({
      k: tf.variable(new RandomSource(1).normal([3, 3, 2, 8]), true, `fused-adam-conv-${tag}`),
      w: tf.variable(new RandomSource(2).normal([8 * 8 * 8, 4]), true, `fused-adam-dense-${tag}`),
    });
    ensureGradients();
    const x = new RandomSource(3).normal([4, 8, 8, 2]);
    const train = (opt: tf.Optimizer, m: { k: tf.Variable; w: tf.Variable }) => {
      const losses: number[] = [];
      for (let t = 0; t < 5; t++) {
        const loss = opt.minimize(
          () =>
            tf.mean(tf.square(tf.matMul(tf.reshape(tf.relu(tf.conv2d(x as tf.Tensor4D, m.k as tf.Tensor4D, 1, 'same')), [4, -1]), m.w))),
          true,
          [m.k, m.w],
        );
        losses.push(...bits(loss as tf.Scalar));
        tf.dispose(loss as tf.Scalar);
      }
      return [losses, bits(m.k), bits(m.w)];
    };
    const a = model('a');
    const b = model('b');
    const plain = tf.train.adam(0.05, 0.5);
    const fused = fusedAdam(0.05, 0.5);
    const expected = train(plain, a);
    expect(train(fused, b)).toEqual(expected);
    expect(fused.usedKernel).toBe(true);
    expect(new Set(expected[0]).size).toBe(5); // the loss moved every step
    tf.dispose([x, a.k, a.w, b.k, b.w]);
    plain.dispose();
    fused.dispose();
  });

  it('keeps a clone of a variable or of a moment as it was (the kernel writes shared buffers to a copy)', async () => {
    const [v] = makeVars('clone');
    const opt = fusedAdam(0.1);
    await run(opt, [v], 1);
    const before = bits(v);
    const snapshot = tf.clone(v); // shares v's buffer on wasm
    const moment = (await opt.getWeights())[1].tensor;
    const momentSnapshot = tf.clone(moment);
    const momentBefore = bits(momentSnapshot);
    await run(opt, [v], 1, 2);
    expect(bits(snapshot)).toEqual(before);
    expect(bits(momentSnapshot)).toEqual(momentBefore);
    expect(bits(v)).not.toEqual(before);
    tf.dispose([v, snapshot, momentSnapshot]);
    opt.dispose();
  });

  it("runs tf.train.adam's op sequence where the kernel is not registered, with the same numbers", async () => {
    const config = tf.getKernel(FUSED_ADAM_KERNEL_NAME, 'wasm');
    expect(config).toBeDefined();
    const a = makeVars('fallback-a');
    const b = makeVars('fallback-b');
    const plain = tf.train.adam(2e-4, 0.5);
    const fused = fusedAdam(2e-4, 0.5);
    const expected = await run(plain, a, 3);
    tf.unregisterKernel(FUSED_ADAM_KERNEL_NAME, 'wasm');
    try {
      const got = await run(fused, b, 3);
      expect(fused.usedKernel).toBe(false);
      expect(got).toEqual(expected);
    } finally {
      tf.registerKernel(config as tf.KernelConfig);
    }
    tf.dispose([...a, ...b]);
    plain.dispose();
    fused.dispose();
  });

  it('restores a checkpoint of tf.train.adam and its own checkpoints go into tf.train.adam (optimizer-state.ts)', async () => {
    const a = makeVars('ckpt-a');
    const b = makeVars('ckpt-b');
    const plain = tf.train.adam(2e-4, 0.5);
    await run(plain, a, 3);
    // a's state → a fused optimizer on b (b takes a's values).
    b.forEach((v, j) => v.assign(a[j]));
    const fused = fusedAdam(2e-4, 0.5);
    const snap = await captureOptimizer(plain, 'generator');
    await restoreOptimizer(fused, snap, b, 'generator');
    tf.dispose([...snap.slots, ...Object.values(snap.extra)]);
    const expected = await run(plain, a, 3, 4);
    const got = await run(fused, b, 3, 4);
    expect(fused.usedKernel).toBe(true);
    expect(got).toEqual(expected);
    // And back: the fused optimizer's state into a fresh tf.train.adam.
    const back = tf.train.adam(2e-4, 0.5);
    const snap2 = await captureOptimizer(fused, 'discriminator');
    expect(snap2.className).toBe('Adam');
    await restoreOptimizer(back, snap2, a, 'discriminator');
    tf.dispose([...snap2.slots, ...Object.values(snap2.extra)]);
    b.forEach((v, j) => a[j].assign(v));
    expect(await run(back, a, 2, 7)).toEqual(await run(fused, b, 2, 7));
    tf.dispose([...a, ...b]);
    for (const o of [plain, fused, back]) o.dispose();
  });

  it('leaks no tensor and no backend buffer per step', async () => {
    const vars = makeVars('leak');
    const opt = fusedAdam();
    await run(opt, vars, 1); // creates the moments
    const g = gradients(vars, 2);
    const before = tf.memory().numTensors;
    const buffers = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) opt.applyGradients(g);
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    tf.dispose([...vars, ...g.map((e) => e.tensor)]);
    opt.dispose();
  });

  it('is an AdamOptimizer named Adam, and says which variable is missing', () => {
    const opt = fusedAdam();
    expect(opt).toBeInstanceOf(tf.AdamOptimizer);
    expect(opt).toBeInstanceOf(FusedAdamOptimizer);
    expect(opt.getClassName()).toBe('Adam');
    const g = tf.ones([2]);
    expect(() => opt.applyGradients({ 'fused-adam-nowhere': g as tf.Variable })).toThrow(/no variable named 'fused-adam-nowhere'/);
    g.dispose();
    opt.dispose();
  });
});
