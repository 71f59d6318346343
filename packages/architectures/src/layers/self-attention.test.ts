import * as tf from '@tensorflow/tfjs-core';
import { RandomSource, ensureGradients } from '@gankit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLayer } from '../layer';
import { sequential } from '../sequential';
import { maxAbsDiff } from '../test-helpers';
import { conv2d } from './conv2d';
import { asSelfAttention, selfAttention, selfAttentionMap } from './self-attention';

/** SAGAN's eqs. 1–3 with plain loops over positions and channels. */
function directAttention(x: number[][][][], wq: number[][], wk: number[][], wv: number[][], wo: number[][], gamma: number) {
  const n = x.length;
  const h = x[0].length;
  const w = x[0][0].length;
  const c = x[0][0][0].length;
  const proj = (v: number[], m: number[][]) => m[0].map((_, o) => v.reduce((s, vi, i) => s + vi * m[i][o], 0));
  const out: number[][][][] = [];
  const maps: number[][][] = [];
  for (let b = 0; b < n; b++) {
    const pos: number[][] = [];
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) pos.push(x[b][i][j]);
    const f = pos.map((p) => proj(p, wk));
    const g = pos.map((p) => proj(p, wq));
    const hv = pos.map((p) => proj(p, wv));
    const beta = g.map((gj) => {
      const s = f.map((fi) => fi.reduce((acc, v, k) => acc + v * gj[k], 0));
      const m = Math.max(...s);
      const e = s.map((v) => Math.exp(v - m));
      const z = e.reduce((a, b2) => a + b2, 0);
      return e.map((v) => v / z);
    });
    maps.push(beta);
    const o = beta.map((row) =>
      proj(
        hv[0].map((_, k) => row.reduce((acc, bi, i) => acc + bi * hv[i][k], 0)),
        wo,
      ),
    );
    const img: number[][][] = [];
    for (let i = 0; i < h; i++) {
      img.push([]);
      for (let j = 0; j < w; j++) img[i].push(pos[i * w + j].map((v, k) => v + gamma * o[i * w + j][k]));
    }
    out.push(img);
  }
  return { out, maps, c };
}

const matrix = (v: tf.Variable) => {
  const [, , a, b] = v.shape;
  return tf.reshape(v, [a, b]).arraySync() as number[][];
};

describe('selfAttention', () => {
  let previous: string;
  beforeAll(async () => {
    previous = tf.getBackend();
    await tf.setBackend('cpu');
  });
  afterAll(async () => {
    await tf.setBackend(previous);
  });

  it('matches a direct computation of SAGAN eqs. 1–3 (output and attention maps)', () => {
    const layer = asSelfAttention(buildLayer(selfAttention(), [3, 2, 16], { name: 'attn', seed: 3 }));
    expect(layer.keyChannels).toBe(2);
    expect(layer.valueChannels).toBe(2);
    expect(layer.trainableVariables.map((v) => v.name)).toEqual([
      'attn/query/kernel',
      'attn/key/kernel',
      'attn/value/kernel',
      'attn/output/kernel',
      'attn/gamma',
    ]);
    expect(layer.gamma.dataSync()[0]).toBe(0);
    tf.tidy(() => layer.gamma.assign(tf.scalar(0.7)));
    const x = tf.tidy(() => new RandomSource(4).normal([2, 3, 2, 16]));
    const [wq, wk, wv, wo] = layer.trainableVariables.slice(0, 4).map((v) => matrix(v));
    const want = directAttention(x.arraySync() as number[][][][], wq, wk, wv, wo, 0.7);
    const before = tf.memory().numTensors;
    const y = layer.apply(x, { training: true });
    const beta = layer.attention(x, { training: false });
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(y.shape).toEqual([2, 3, 2, 16]);
    expect(beta.shape).toEqual([2, 6, 6]);
    expect(maxAbsDiff(y, tf.tensor(want.out))).toBeLessThan(1e-5);
    expect(maxAbsDiff(beta, tf.tensor(want.maps))).toBeLessThan(1e-6);
    // the output differs from x, so the test would see a layer that ignored attention
    expect(maxAbsDiff(y, x)).toBeGreaterThan(1e-2);
    tf.dispose([x, y, beta]);
    layer.dispose();
  });

  it('is the identity with γ = 0 (its initial value), and frees every variable on dispose', () => {
    const before = tf.memory().numTensors;
    const layer = buildLayer(selfAttention({ keyChannels: 3, valueChannels: 5, useBias: true }), [4, 4, 8], { name: 'a', seed: 1 });
    expect(layer.trainableVariables.map((v) => v.shape)).toEqual([
      [1, 1, 8, 3],
      [3],
      [1, 1, 8, 3],
      [3],
      [1, 1, 8, 5],
      [5],
      [1, 1, 5, 8],
      [8],
      [],
    ]);
    const x = tf.tidy(() => new RandomSource(2).normal([3, 4, 4, 8]));
    const y = layer.apply(x, { training: true });
    expect(maxAbsDiff(y, x)).toBe(0);
    tf.dispose([x, y]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('has gradients that match central finite differences (input, γ and a projection kernel)', () => {
    ensureGradients();
    const layer = asSelfAttention(buildLayer(selfAttention({ keyChannels: 2, valueChannels: 3 }), [2, 3, 4], { name: 'fd', seed: 5 }));
    tf.tidy(() => layer.gamma.assign(tf.scalar(0.9)));
    const x = tf.tidy(() => new RandomSource(6).normal([2, 2, 3, 4]));
    const r = tf.tidy(() => new RandomSource(7).normal([2, 2, 3, 4]));
    const loss = (input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }), r)) as tf.Scalar;
    const before = tf.memory().numTensors;
    const gx = tf.grad(loss)(x);
    const { grads, value } = tf.variableGrads(() => loss(x), layer.trainableVariables as tf.Variable[]);
    value.dispose();
    const eps = 1e-2;
    const numeric = (perturb: (delta: number) => void): number => {
      perturb(eps);
      const up = tf.tidy(() => loss(x).dataSync()[0]);
      perturb(-2 * eps);
      const down = tf.tidy(() => loss(x).dataSync()[0]);
      perturb(eps);
      return (up - down) / (2 * eps);
    };
    const close = (analytic: number, fd: number) => expect(Math.abs(analytic - fd)).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)));
    // input entries: perturb x through a one-hot offset
    const xv = tf.variable(x);
    const lossV = () => tf.sum(tf.mul(layer.apply(xv, { training: true }), r)) as tf.Scalar;
    const gxData = gx.dataSync();
    for (const idx of [0, 7, 13, 22]) {
      const fd = (() => {
        const bump = (d: number) => tf.tidy(() => xv.assign(tf.add(xv, tf.mul(tf.reshape(tf.oneHot([idx], x.size), x.shape), d))));
        bump(eps);
        const up = tf.tidy(() => lossV().dataSync()[0]);
        bump(-2 * eps);
        const down = tf.tidy(() => lossV().dataSync()[0]);
        bump(eps);
        return (up - down) / (2 * eps);
      })();
      close(gxData[idx], fd);
    }
    xv.dispose();
    // γ
    const gGamma = grads['fd/gamma'].dataSync()[0];
    close(
      gGamma,
      numeric((d) => tf.tidy(() => layer.gamma.assign(tf.add(layer.gamma, d)))),
    );
    expect(Math.abs(gGamma)).toBeGreaterThan(1e-3);
    // entries of the query kernel (its gradient flows only through the softmax)
    const q = layer.trainableVariables[0] as tf.Variable;
    const gq = grads['fd/query/kernel'].dataSync();
    for (const idx of [0, 5]) {
      const bump = (d: number) => tf.tidy(() => q.assign(tf.add(q, tf.mul(tf.reshape(tf.oneHot([idx], q.size), q.shape), d))));
      close(gq[idx], numeric(bump));
    }
    tf.dispose([gx, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, r]);
    layer.dispose();
  });

  it('selfAttentionMap runs a sequential network up to its attention layer and returns β', () => {
    const net = sequential({
      name: 'g',
      inputShape: [4, 4, 2],
      layers: [conv2d({ filters: 8, kernelSize: 3 }), selfAttention(), conv2d({ filters: 1, kernelSize: 1 })],
      seed: 1,
    });
    const x = tf.tidy(() => new RandomSource(1).normal([2, 4, 4, 2]));
    const before = tf.memory().numTensors;
    const map = selfAttentionMap(net, x);
    expect(tf.memory().numTensors).toBe(before + 1);
    const h = tf.tidy(() => net.layers[0].apply(x, { training: false }));
    const direct = asSelfAttention(net.layers[1]).attention(h, { training: false });
    expect(map.shape).toEqual([2, 16, 16]);
    expect(maxAbsDiff(map, direct)).toBe(0);
    const rowSums = tf.sum(map, -1);
    const ones = tf.ones([2, 16]);
    expect(maxAbsDiff(rowSums, ones)).toBeLessThan(1e-5);
    tf.dispose([rowSums, ones]);
    tf.dispose([x, h, map, direct]);
    expect(() => selfAttentionMap(net, tf.zeros([1, 4, 4, 2]), { layer: 'nope' })).toThrow(/has no selfAttention layer named 'nope'/);
    net.dispose();
  });

  it('rejects inputs that are not feature maps and bad channel counts', () => {
    expect(() => buildLayer(selfAttention(), [16])).toThrow(/expects input of shape \[\?, \?, \?, \?\] \(rank 4/);
    expect(() => selfAttention({ keyChannels: 0 })).toThrow(/keyChannels must be a positive integer/);
    const layer = asSelfAttention(buildLayer(selfAttention(), [2, 2, 8], { name: 's' }));
    expect(() => layer.attention(tf.zeros([1, 3, 2, 8]), { training: false })).toThrow(/expects input \[batch, 2, 2, 8\]/);
    layer.dispose();
  });
});
