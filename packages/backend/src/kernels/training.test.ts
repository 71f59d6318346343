// End-to-end: the workloads gankit trains on wasm, run with the kernels registered, against cpu.
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '@gankit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './register';
import { expectNoLeak, randomArray, relativeError } from './test_util';

// The DCGAN-MNIST architecture with narrower layers (128 -> 32, 64 -> 16 channels) to keep the
// cpu reference fast; the kernels see the same kinds of shapes, strides and paddings.
const B = 4;
const C1 = 32;
const C2 = 16;
type Weights = Record<string, tf.Tensor>;

function makeWeights(spec: Record<string, number[]>, seed: number, scale = 0.1): Weights {
  const out: Weights = {};
  Object.entries(spec).forEach(([name, shape], i) => {
    out[name] = tf.tensor(
      randomArray(
        shape.reduce((a, b) => a * b, 1),
        seed + i,
      ).map((v) => v * scale),
      shape,
    );
  });
  return out;
}
const G_SPEC = {
  w1: [100, 7 * 7 * C1],
  g1: [C1],
  b1: [C1],
  k2: [4, 4, C2, C1],
  g2: [C2],
  b2: [C2],
  k3: [4, 4, 1, C2],
  c3: [1],
};
const D_SPEC = {
  k1: [4, 4, 1, C2],
  c1: [C2],
  k2: [4, 4, C2, C1],
  c2: [C1],
  w: [7 * 7 * C1, 1],
  b: [1],
};

function batchNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, beta, tf.add(gamma, 1), 1e-5) as tf.Tensor4D;
}
function generator(g: Weights, z: tf.Tensor2D): tf.Tensor4D {
  let h = tf.reshape(tf.matMul(z, g.w1 as tf.Tensor2D), [-1, 7, 7, C1]) as tf.Tensor4D;
  h = tf.relu(batchNorm(h, g.g1, g.b1));
  h = tf.conv2dTranspose(h, g.k2 as tf.Tensor4D, [z.shape[0], 14, 14, C2], 2, 'same');
  h = tf.relu(batchNorm(h, g.g2, g.b2));
  h = tf.conv2dTranspose(h, g.k3 as tf.Tensor4D, [z.shape[0], 28, 28, 1], 2, 'same');
  return tf.tanh(tf.add(h, g.c3)) as tf.Tensor4D;
}
function discriminator(d: Weights, x: tf.Tensor4D): tf.Tensor2D {
  let h = tf.leakyRelu(tf.add(tf.conv2d(x, d.k1 as tf.Tensor4D, 2, 'same'), d.c1), 0.2) as tf.Tensor4D;
  h = tf.leakyRelu(tf.add(tf.conv2d(h, d.k2 as tf.Tensor4D, 2, 'same'), d.c2), 0.2) as tf.Tensor4D;
  return tf.add(tf.matMul(tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D, d.w as tf.Tensor2D), d.b);
}

/** Gradients of the D and G non-saturating losses and of the WGAN-GP penalty, as arrays. */
function workloads(): Record<string, Float32Array> {
  return tf.tidy(() => {
    const g = makeWeights(G_SPEC, 1);
    const d = makeWeights(D_SPEC, 100);
    const z = tf.tensor2d(randomArray(B * 100, 7), [B, 100]);
    const real = tf.tensor4d(randomArray(B * 28 * 28, 8), [B, 28, 28, 1]);
    const eps = tf.tensor4d(
      randomArray(B, 9).map((v) => (v + 1) / 2),
      [B, 1, 1, 1],
    );
    const out: Record<string, Float32Array> = {};
    const dNames = Object.keys(D_SPEC);
    const gNames = Object.keys(G_SPEC);
    const asD = (ts: tf.Tensor[]) => Object.fromEntries(dNames.map((n, i) => [n, ts[i]]));
    const asG = (ts: tf.Tensor[]) => Object.fromEntries(gNames.map((n, i) => [n, ts[i]]));
    // (a) DCGAN: D loss softplus(-D(x)) + softplus(D(G(z))), G loss softplus(-D(G(z))).
    const dGrads = tf.grads((...ws: tf.Tensor[]) => {
      const fake = generator(g, z);
      const dd = asD(ws);
      return tf.add(tf.mean(tf.softplus(tf.neg(discriminator(dd, real)))), tf.mean(tf.softplus(discriminator(dd, fake))));
    })(dNames.map((n) => d[n]));
    dGrads.forEach((t, i) => (out[`D.${dNames[i]}`] = t.dataSync() as Float32Array));
    const gGrads = tf.grads((...ws: tf.Tensor[]) => tf.mean(tf.softplus(tf.neg(discriminator(d, generator(asG(ws), z))))))(
      gNames.map((n) => g[n]),
    );
    gGrads.forEach((t, i) => (out[`G.${gNames[i]}`] = t.dataSync() as Float32Array));
    // (b) WGAN-GP: gradient of (||dD/dx|| - 1)^2 at interpolates, with respect to D's weights
    // (the biases get zero or no gradient: dD/dx does not depend on them but through ReLU masks).
    const gpNames = ['k1', 'k2', 'w'];
    const fake = generator(g, z);
    const xh = tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake)) as tf.Tensor4D;
    const gpGrads = tf.grads((...ws: tf.Tensor[]) => {
      const dd = { ...d, k1: ws[0], k2: ws[1], w: ws[2] };
      const gx = tf.grad((x: tf.Tensor) => tf.sum(discriminator(dd, x as tf.Tensor4D)))(xh);
      const norm = tf.sqrt(tf.add(tf.sum(tf.square(gx), [1, 2, 3]), 1e-12));
      return tf.mean(tf.square(tf.sub(norm, 1)));
    })([d.k1, d.k2, d.w]);
    gpGrads.forEach((t, i) => (out[`GP.${gpNames[i]}`] = t.dataSync() as Float32Array));
    // (c) spectral norm: power iteration on D's second kernel, and sigma's gradient.
    const u0 = tf.tensor2d(randomArray(C1, 10), [1, C1]);
    const sigma = (k: tf.Tensor) => {
      const w = tf.reshape(k, [-1, C1]) as tf.Tensor2D;
      let v = tf.matMul(u0, w, false, true);
      v = tf.div(v, tf.add(tf.norm(v), 1e-12));
      let u = tf.matMul(v, w);
      u = tf.div(u, tf.add(tf.norm(u), 1e-12));
      return tf.sum(tf.mul(tf.matMul(v, w), u));
    };
    out['SN.sigma'] = sigma(d.k2).dataSync() as Float32Array;
    out['SN.grad'] = tf.grad(sigma)(d.k2).dataSync() as Float32Array;
    return out;
  });
}

describe('training workloads on wasm with the gankit kernels', () => {
  let onWasm: Record<string, Float32Array>;
  let onCpu: Record<string, Float32Array>;

  beforeAll(async () => {
    ensureGradients();
    registerWasmTrainingKernels();
    expect(tf.getBackend()).toBe('wasm');
    onWasm = workloads();
    await tf.setBackend('cpu');
    onCpu = workloads();
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('wasm');
  });

  it('computes every gradient of a DCGAN-MNIST step, the WGAN-GP penalty and spectral norm like cpu', () => {
    expect(Object.keys(onWasm).sort()).toEqual(Object.keys(onCpu).sort());
    expect(Object.keys(onWasm)).toHaveLength(6 + 8 + 3 + 2);
    for (const key of Object.keys(onCpu)) {
      const scale = onCpu[key].reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(scale, key).toBeGreaterThan(0);
      expect(relativeError(onWasm[key], onCpu[key]), key).toBeLessThan(1e-4);
    }
  });

  it('runs Adam steps of D and G on wasm without leaking tensors or bytes', () => {
    const g = Object.fromEntries(Object.entries(makeWeights(G_SPEC, 1)).map(([k, t]) => [k, tf.variable(t)]));
    const d = Object.fromEntries(Object.entries(makeWeights(D_SPEC, 100)).map(([k, t]) => [k, tf.variable(t)]));
    const optG = tf.train.adam(2e-4, 0.5);
    const optD = tf.train.adam(2e-4, 0.5);
    const z = tf.tensor2d(randomArray(B * 100, 3), [B, 100]);
    const real = tf.tensor4d(randomArray(B * 28 * 28, 4), [B, 28, 28, 1]);
    const step = () => {
      optD.minimize(
        () => tf.add(tf.mean(tf.softplus(tf.neg(discriminator(d, real)))), tf.mean(tf.softplus(discriminator(d, generator(g, z))))),
        false,
        Object.values(d),
      );
      optG.minimize(() => tf.mean(tf.softplus(tf.neg(discriminator(d, generator(g, z))))), false, Object.values(g));
    };
    step(); // the first step creates Adam's moment variables
    const before = d.k2.dataSync().slice();
    expectNoLeak(step);
    expect(relativeError(d.k2.dataSync(), before)).toBeGreaterThan(0);
    optG.dispose();
    optD.dispose();
    tf.dispose([...Object.values(g), ...Object.values(d), z, real]);
  });
});
