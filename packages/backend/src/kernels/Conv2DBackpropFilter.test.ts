import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter';
import { registerWasmTrainingKernels } from './register';
import { expectNoLeak, randomArray, relativeError, runOn } from './test_util';

type Pad = tf.Conv2DBackpropFilterAttrs['pad'];
interface Case {
  x: [number, number, number, number]; // NHWC
  k: [number, number]; // filter height, width
  co: number;
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const cases: Case[] = [
  { x: [2, 7, 7, 3], k: [3, 3], co: 4, strides: 1, pad: 'same' },
  { x: [2, 7, 7, 3], k: [3, 3], co: 4, strides: 1, pad: 'valid' },
  { x: [2, 9, 8, 3], k: [4, 4], co: 5, strides: 2, pad: 'same' },
  { x: [3, 9, 11, 2], k: [4, 3], co: 3, strides: 2, pad: 'valid' },
  { x: [2, 10, 10, 1], k: [4, 4], co: 6, strides: 2, pad: 'same' },
  { x: [1, 11, 9, 2], k: [3, 5], co: 2, strides: [2, 1], pad: 'same' },
  { x: [2, 13, 12, 2], k: [5, 2], co: 3, strides: [3, 2], pad: 'valid' },
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
    x: [2, 7, 9, 3],
    k: [3, 3],
    co: 4,
    strides: 2,
    pad: 'same',
    dataFormat: 'NCHW',
  },
  { x: [2, 5, 5, 2], k: [5, 5], co: 3, strides: 1, pad: 'valid' },
  { x: [2, 6, 6, 2], k: [1, 1], co: 3, strides: 2, pad: 'valid' },
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
  const dy: [number, number, number, number] = [c.x[0], info.outHeight, info.outWidth, c.co];
  const nchw = (s: number[]) => [s[0], s[3], s[1], s[2]];
  return c.dataFormat === 'NCHW' ? { x: nchw(c.x), dy: nchw(dy) } : { x: [...c.x], dy: [...dy] };
}

describe('Conv2DBackpropFilter on wasm', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });

  it('is the kernel registered for wasm', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(conv2DBackpropFilterConfig.kernelFunc);
    expect(tf.getBackend()).toBe('wasm');
  });

  cases.forEach((c, i) => {
    it(`matches cpu: x ${c.x} k ${c.k} co ${c.co} strides ${c.strides} pad ${JSON.stringify(c.pad)} ${
      c.dataFormat ?? 'NHWC'
    }`, async () => {
      const s = shapes(c);
      const inputs = {
        x: {
          values: randomArray(
            s.x.reduce((a, b) => a * b),
            11 + i,
          ),
          shape: s.x,
        },
        dy: {
          values: randomArray(
            s.dy.reduce((a, b) => a * b),
            101 + i,
          ),
          shape: s.dy,
        },
      };
      const attrs = {
        strides: c.strides,
        pad: c.pad,
        dataFormat: c.dataFormat ?? 'NHWC',
        dimRoundingMode: c.dimRoundingMode,
        filterShape: [c.k[0], c.k[1], c.x[3], c.co],
      };
      const want = await runOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
      const got = await runOn('wasm', 'Conv2DBackpropFilter', inputs, attrs);
      expect(got.shape).toEqual(want.shape);
      expect(got.shape).toEqual(attrs.filterShape);
      expect(relativeError(got.values, want.values)).toBeLessThan(1e-4);
    });
  });

  it('gives conv2d filter gradients equal to cpu through tf.grad', async () => {
    const xv = randomArray(2 * 9 * 9 * 3, 5);
    const wv = randomArray(4 * 4 * 3 * 5, 6);
    const grad = () => {
      const x = tf.tensor4d(xv, [2, 9, 9, 3]);
      const w = tf.tensor4d(wv, [4, 4, 3, 5]);
      const g = tf.grad((ww: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, ww as tf.Tensor4D, 2, 'same'))))(w);
      const values = g.dataSync().slice();
      tf.dispose([x, w, g]);
      return values;
    };
    const { ensureGradients } = await import('@gankit/core');
    ensureGradients();
    const got = grad();
    await tf.setBackend('cpu');
    const want = grad();
    await tf.setBackend('wasm');
    expect(relativeError(got, want)).toBeLessThan(1e-4);
  });

  it('leaves no tensors, bytes or wasm buffers behind', () => {
    const x = tf.tensor4d(randomArray(2 * 9 * 9 * 3, 1), [2, 9, 9, 3]);
    const dy = tf.tensor4d(randomArray(2 * 5 * 5 * 4, 2), [2, 5, 5, 4]);
    const attrs = {
      strides: 2,
      pad: 'same',
      dataFormat: 'NHWC',
      filterShape: [3, 3, 3, 4],
    };
    expectNoLeak(() => {
      const out = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
      expect(out.shape).toEqual([3, 3, 3, 4]);
      out.dispose();
    });
    // Plain TensorInfo inputs (not tf.Tensor) must not be freed by the kernel.
    expectNoLeak(() => {
      const out = conv2DBackpropFilterConfig.kernelFunc({
        inputs: {
          x: { dataId: x.dataId, shape: x.shape, dtype: x.dtype },
          dy: { dataId: dy.dataId, shape: dy.shape, dtype: dy.dtype },
        },
        attrs: attrs as unknown as tf.NamedAttrMap,
        backend: tf.backend(),
      }) as tf.Tensor;
      out.dispose();
    });
    expect(x.dataSync().length).toBe(2 * 9 * 9 * 3);
    tf.dispose([x, dy]);
  });
});
