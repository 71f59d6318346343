import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2DBackpropInputConfig, conv2DBackpropInputImpl, subPixelFilters } from './Conv2DBackpropInput';
import { registerWasmTrainingKernels } from './register';
import { expectNoLeak, randomArray, relativeError, runOn } from './test_util';

type Pad = tf.Conv2DBackpropInputAttrs['pad'];
interface Case {
  x: [number, number, number, number]; // the forward input (NHWC), i.e. this kernel's output
  k: [number, number];
  co: number;
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const cases: Case[] = [
  { x: [2, 7, 7, 3], k: [3, 3], co: 4, strides: 1, pad: 'same' },
  { x: [2, 7, 7, 3], k: [3, 3], co: 4, strides: 1, pad: 'valid' },
  { x: [2, 14, 14, 3], k: [4, 4], co: 5, strides: 2, pad: 'same' },
  { x: [2, 9, 8, 3], k: [4, 4], co: 5, strides: 2, pad: 'same' },
  { x: [3, 9, 11, 2], k: [4, 3], co: 3, strides: 2, pad: 'valid' },
  { x: [2, 11, 10, 1], k: [5, 5], co: 6, strides: 2, pad: 'same' },
  { x: [1, 11, 9, 2], k: [3, 5], co: 2, strides: [2, 1], pad: 'same' },
  { x: [2, 13, 12, 2], k: [5, 2], co: 3, strides: [3, 2], pad: 'valid' },
  { x: [2, 10, 10, 2], k: [3, 3], co: 3, strides: 3, pad: 'same' },
  {
    x: [2, 8, 8, 3],
    k: [3, 3],
    co: 2,
    strides: 2,
    pad: 1,
    dimRoundingMode: 'floor',
  },
  {
    x: [2, 8, 7, 3],
    k: [3, 3],
    co: 2,
    strides: 1,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  {
    x: [2, 9, 9, 2],
    k: [3, 3],
    co: 2,
    strides: 2,
    pad: [
      [0, 0],
      [0, 0],
      [2, 1],
      [0, 0],
    ],
  },
  {
    x: [2, 6, 6, 2],
    k: [2, 2],
    co: 2,
    strides: 1,
    pad: [
      [0, 0],
      [3, 0],
      [0, 3],
      [0, 0],
    ],
  },
  {
    x: [2, 7, 9, 3],
    k: [3, 3],
    co: 4,
    strides: 2,
    pad: 'same',
    dataFormat: 'NCHW',
  },
  { x: [2, 6, 6, 2], k: [1, 1], co: 3, strides: 2, pad: 'valid' },
  { x: [2, 5, 5, 2], k: [5, 5], co: 3, strides: 1, pad: 'valid' },
  // ci >= 16: 'auto' convolves each phase separately (DCGAN's 7x7x128 -> 14x14x64 layer, smaller).
  { x: [2, 14, 14, 16], k: [4, 4], co: 8, strides: 2, pad: 'same' },
  { x: [2, 12, 9, 16], k: [5, 3], co: 4, strides: [3, 3], pad: 'same' },
  { x: [1, 8, 8, 17], k: [3, 3], co: 5, strides: 2, pad: 'valid', dataFormat: 'NCHW' },
];

function shapes(c: Case) {
  const info = tf.backend_util.computeConv2DInfo(
    c.x,
    [c.k[0], c.k[1], c.x[3], c.co],
    c.strides,
    1,
    c.pad,
    c.dimRoundingMode,
    false,
    'channelsLast',
  );
  const dy = [c.x[0], info.outHeight, info.outWidth, c.co];
  const nchw = (s: number[]) => [s[0], s[3], s[1], s[2]];
  return c.dataFormat === 'NCHW' ? { x: nchw(c.x), dy: nchw(dy) } : { x: [...c.x], dy };
}

describe('Conv2DBackpropInput on wasm', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  it('replaces the built-in wasm kernel', () => {
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(conv2DBackpropInputConfig.kernelFunc);
  });

  cases.forEach((c, i) => {
    it(`matches cpu: input ${c.x} k ${c.k} co ${c.co} strides ${c.strides} pad ${JSON.stringify(c.pad)} ${
      c.dataFormat ?? 'NHWC'
    }`, async () => {
      const s = shapes(c);
      const inputs = {
        dy: {
          values: randomArray(
            s.dy.reduce((a, b) => a * b),
            31 + i,
          ),
          shape: s.dy,
        },
        filter: {
          values: randomArray(c.k[0] * c.k[1] * c.x[3] * c.co, 71 + i),
          shape: [c.k[0], c.k[1], c.x[3], c.co],
        },
      };
      const attrs = {
        strides: c.strides,
        pad: c.pad,
        dataFormat: c.dataFormat ?? 'NHWC',
        dimRoundingMode: c.dimRoundingMode,
        inputShape: s.x,
      };
      const want = await runOn('cpu', 'Conv2DBackpropInput', inputs, attrs);
      const got = await runOn('wasm', 'Conv2DBackpropInput', inputs, attrs);
      expect(got.shape).toEqual(want.shape);
      expect(got.shape).toEqual(s.x);
      expect(relativeError(got.values, want.values)).toBeLessThan(1e-4);
      // Both ways of running the phases, where each applies.
      const dyT = tf.tensor4d(inputs.dy.values, s.dy as [number, number, number, number]);
      const filterT = tf.tensor4d(inputs.filter.values, inputs.filter.shape as [number, number, number, number]);
      for (const method of ['stacked', 'phases'] as const) {
        const out = conv2DBackpropInputImpl(dyT, filterT, attrs as tf.Conv2DBackpropInputAttrs, method);
        expect(out.shape).toEqual(s.x);
        expect(relativeError(out.dataSync(), want.values)).toBeLessThan(1e-4);
        out.dispose();
      }
      tf.dispose([dyT, filterT]);
    });
  });

  it('builds the sub-pixel filters as the flipped taps of each phase', () => {
    // kh = 5, kw = 3, stride 2: mh = 3, mw = 2, taps past the kernel are zero.
    const [kh, kw, ci, co] = [5, 3, 2, 3];
    const w = randomArray(kh * kw * ci * co, 5);
    const at = (y: number, x: number, c: number, o: number) => (y < kh && x < kw ? w[((y * kw + x) * ci + c) * co + o] : 0);
    const [stacked] = subPixelFilters(w, [kh, kw, ci, co], 2, 2, true);
    const phases = subPixelFilters(w, [kh, kw, ci, co], 2, 2, false);
    expect(stacked.length).toBe(3 * 2 * co * 4 * ci);
    expect(phases.length).toBe(4);
    for (let ry = 0; ry < 2; ry++)
      for (let rx = 0; rx < 2; rx++)
        for (let j = 0; j < 3; j++)
          for (let jx = 0; jx < 2; jx++)
            for (let o = 0; o < co; o++)
              for (let c = 0; c < ci; c++) {
                const want = at((2 - j) * 2 + ry, (1 - jx) * 2 + rx, c, o);
                const p = ry * 2 + rx;
                expect(phases[p][((j * 2 + jx) * co + o) * ci + c]).toBe(want);
                expect(stacked[((j * 2 + jx) * co + o) * 4 * ci + p * ci + c]).toBe(want);
              }
  });

  it('runs conv2dTranspose (a generator layer) like cpu, values and gradients', async () => {
    const { ensureGradients } = await import('@gankit/core');
    ensureGradients();
    const xv = randomArray(3 * 7 * 7 * 6, 8);
    const wv = randomArray(4 * 4 * 5 * 6, 9);
    const run = () => {
      const x = tf.tensor4d(xv, [3, 7, 7, 6]);
      const w = tf.tensor4d(wv, [4, 4, 5, 6]);
      const f = (xx: tf.Tensor, ww: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2dTranspose(xx as tf.Tensor4D, ww as tf.Tensor4D, [3, 14, 14, 5], 2, 'same')));
      const y = tf.conv2dTranspose(x, w, [3, 14, 14, 5], 2, 'same');
      const [gx, gw] = tf.grads(f)([x, w]);
      const out = [y, gx, gw].map((t) => t.dataSync().slice());
      tf.dispose([x, w, y, gx, gw]);
      return out;
    };
    const got = run();
    await tf.setBackend('cpu');
    const want = run();
    await tf.setBackend('wasm');
    for (let k = 0; k < 3; k++) expect(relativeError(got[k], want[k])).toBeLessThan(1e-4);
  });

  it('leaves no tensors, bytes or wasm buffers behind', () => {
    const dy = tf.tensor4d(randomArray(2 * 5 * 5 * 4, 3), [2, 5, 5, 4]);
    const filter = tf.tensor4d(randomArray(3 * 3 * 2 * 4, 4), [3, 3, 2, 4]);
    const attrs = {
      strides: 2,
      pad: 'same',
      dataFormat: 'NHWC',
      inputShape: [2, 9, 9, 2],
    };
    expectNoLeak(() => {
      const out = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs) as tf.Tensor;
      expect(out.shape).toEqual([2, 9, 9, 2]);
      out.dispose();
    });
    expectNoLeak(() => {
      const out = conv2DBackpropInputConfig.kernelFunc({
        inputs: {
          dy: { dataId: dy.dataId, shape: dy.shape, dtype: dy.dtype },
          filter: {
            dataId: filter.dataId,
            shape: filter.shape,
            dtype: filter.dtype,
          },
        },
        attrs: attrs as unknown as tf.NamedAttrMap,
        backend: tf.backend(),
      }) as tf.Tensor;
      out.dispose();
    });
    expect(filter.dataSync().length).toBe(3 * 3 * 2 * 4);
    tf.dispose([dy, filter]);
  });
});
