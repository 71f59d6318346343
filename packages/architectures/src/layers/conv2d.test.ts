import * as tf from '@tensorflow/tfjs-core';
import { RandomSource } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { normal } from '../initializers';
import { buildLayer } from '../layer';
import { conv2d } from './conv2d';
import { conv2dTranspose } from './conv2d-transpose';
import { convOutputLength, convTransposeOutputLength } from './conv-utils';

/** A direct NHWC convolution (cross-correlation), written independently of tfjs, for reference. */
function naiveConv(x: number[][][][], k: number[][][][], stride: number, padding: 'same' | 'valid'): number[][][][] {
  const [n, h, w, c] = [x.length, x[0].length, x[0][0].length, x[0][0][0].length];
  const [kh, kw, , f] = [k.length, k[0].length, k[0][0].length, k[0][0][0].length];
  const oh = padding === 'same' ? Math.ceil(h / stride) : Math.floor((h - kh) / stride) + 1;
  const ow = padding === 'same' ? Math.ceil(w / stride) : Math.floor((w - kw) / stride) + 1;
  // TensorFlow's 'same': total padding max((o-1)·s + k - in, 0), the smaller half on top/left
  const padTop = padding === 'same' ? Math.floor(Math.max((oh - 1) * stride + kh - h, 0) / 2) : 0;
  const padLeft = padding === 'same' ? Math.floor(Math.max((ow - 1) * stride + kw - w, 0) / 2) : 0;
  const out: number[][][][] = [];
  for (let b = 0; b < n; b++) {
    out.push([]);
    for (let i = 0; i < oh; i++) {
      out[b].push([]);
      for (let j = 0; j < ow; j++) {
        const cell = new Array(f).fill(0);
        for (let di = 0; di < kh; di++) {
          for (let dj = 0; dj < kw; dj++) {
            const yi = i * stride + di - padTop;
            const xj = j * stride + dj - padLeft;
            if (yi < 0 || yi >= h || xj < 0 || xj >= w) continue;
            for (let ci = 0; ci < c; ci++) for (let fo = 0; fo < f; fo++) cell[fo] += x[b][yi][xj][ci] * k[di][dj][ci][fo];
          }
        }
        out[b][i].push(cell);
      }
    }
  }
  return out;
}

describe('conv2d', () => {
  it('output shapes for same/valid, strides and dilation match the tensors', () => {
    const cases = [
      { input: [28, 28, 1], filters: 8, kernelSize: 4, strides: 2, padding: 'same' as const, want: [14, 14, 8] },
      { input: [28, 28, 1], filters: 8, kernelSize: 4, strides: 2, padding: 'valid' as const, want: [13, 13, 8] },
      { input: [7, 9, 3], filters: 2, kernelSize: 3, strides: 1, padding: 'valid' as const, want: [5, 7, 2] },
      { input: [7, 9, 3], filters: 2, kernelSize: 3, strides: 3, padding: 'same' as const, want: [3, 3, 2] },
      { input: [10, 10, 2], filters: 4, kernelSize: 3, dilation: 2, padding: 'valid' as const, want: [6, 6, 4] },
      { input: [10, 10, 2], filters: 4, kernelSize: [1, 3] as const, strides: [2, 1] as const, padding: 'valid' as const, want: [5, 8, 4] },
    ];
    for (const c of cases) {
      const layer = buildLayer(conv2d(c), c.input);
      expect(layer.outputShape(c.input)).toEqual(c.want);
      const x = tf.ones([2, ...c.input]);
      const y = layer.apply(x, { training: false });
      expect(y.shape).toEqual([2, ...c.want]);
      tf.dispose([x, y]);
      layer.dispose();
    }
    expect(convOutputLength(5, 3, 1, 'valid', 2)).toBe(1);
  });

  it('matches a direct convolution for same and valid padding, stride 1 and 2', () => {
    const rng = new RandomSource(9);
    for (const padding of ['same', 'valid'] as const) {
      for (const strides of [1, 2]) {
        const layer = buildLayer(
          conv2d({ filters: 3, kernelSize: 3, strides, padding, useBias: false, kernelInitializer: normal(0, 1) }),
          [6, 5, 2],
          { seed: strides },
        );
        const x = rng.normal([2, 6, 5, 2]);
        const y = layer.apply(x, { training: false });
        const want = naiveConv(
          x.arraySync() as number[][][][],
          layer.trainableVariables[0].arraySync() as number[][][][],
          strides,
          padding,
        );
        const got = y.arraySync() as number[][][][];
        expect(y.shape).toEqual([2, want[0].length, want[0][0].length, 3]);
        const flatWant = want.flat(3);
        const flatGot = got.flat(3);
        for (let i = 0; i < flatWant.length; i++) expect(flatGot[i]).toBeCloseTo(flatWant[i], 4);
        tf.dispose([x, y]);
        layer.dispose();
      }
    }
  });

  it('adds the bias per channel', () => {
    const layer = buildLayer(conv2d({ filters: 2, kernelSize: 1, biasInitializer: normal(0, 1) }), [2, 2, 1]);
    const [kernel, bias] = layer.trainableVariables;
    const x = tf.zeros([1, 2, 2, 1]);
    const y = layer.apply(x, { training: false });
    const b = Array.from(bias.dataSync());
    expect(Array.from(y.dataSync())).toEqual([b, b, b, b].flat());
    expect(kernel.shape).toEqual([1, 1, 1, 2]);
    tf.dispose([x, y]);
    layer.dispose();
  });

  it('rejects bad configurations and inputs', () => {
    expect(() => conv2d({ filters: 2, kernelSize: 3, strides: 2, dilation: 2 })).toThrow(/cannot both exceed 1/);
    expect(() => conv2d({ filters: 2, kernelSize: 3, padding: 'full' as never })).toThrow(/'same' or 'valid'/);
    expect(() => conv2d({ filters: 2 } as never)).toThrow(/kernelSize is required/);
    expect(() => buildLayer(conv2d({ filters: 2, kernelSize: 5, padding: 'valid' }), [3, 3, 1], { name: 'c' })).toThrow(
      /layer 'c': a 5x5 kernel .* does not fit input \[\?, 3, 3, 1\]/,
    );
    expect(() => buildLayer(conv2d({ filters: 2, kernelSize: 3 }), [100], { name: 'c' })).toThrow(
      /expects input of shape \[\?, \?, \?, \?\].*got \[\?, 100\]/,
    );
  });
});

describe('conv2dTranspose', () => {
  it('output shapes follow Keras for same/valid and strides', () => {
    const cases = [
      { input: [7, 7, 128], filters: 64, kernelSize: 4, strides: 2, padding: 'same' as const, want: [14, 14, 64] },
      { input: [7, 7, 8], filters: 4, kernelSize: 4, strides: 2, padding: 'valid' as const, want: [16, 16, 4] },
      { input: [5, 6, 3], filters: 2, kernelSize: 3, strides: 1, padding: 'valid' as const, want: [7, 8, 2] },
      { input: [5, 6, 3], filters: 2, kernelSize: 3, strides: 1, padding: 'same' as const, want: [5, 6, 2] },
      { input: [4, 4, 3], filters: 2, kernelSize: 2, strides: 3, padding: 'valid' as const, want: [12, 12, 2] },
      { input: [4, 4, 3], filters: 2, kernelSize: 5, strides: 3, padding: 'same' as const, want: [12, 12, 2] },
    ];
    for (const c of cases) {
      const layer = buildLayer(conv2dTranspose(c), c.input);
      expect(layer.outputShape(c.input)).toEqual(c.want);
      expect(layer.trainableVariables[0].shape).toEqual([c.kernelSize, c.kernelSize, c.filters, c.input[2]]);
      const x = tf.ones([2, ...c.input]);
      const y = layer.apply(x, { training: false });
      expect(y.shape).toEqual([2, ...c.want]);
      tf.dispose([x, y]);
      layer.dispose();
    }
    expect(convTransposeOutputLength(7, 4, 2, 'valid')).toBe(16);
  });

  it('is the adjoint of conv2d with the same kernel: <T(y), x> = <y, C(x)>', () => {
    const rng = new RandomSource(21);
    for (const padding of ['same', 'valid'] as const) {
      for (const strides of [1, 2]) {
        const inShape = [4, 5, 3];
        const t = buildLayer(
          conv2dTranspose({ filters: 2, kernelSize: 3, strides, padding, useBias: false, kernelInitializer: normal(0, 1) }),
          inShape,
          { seed: 3 },
        );
        const outShape = t.outputShape(inShape);
        const y = rng.normal([2, ...inShape]);
        const x = rng.normal([2, ...outShape]);
        const ty = t.apply(y, { training: false });
        const kernel = t.trainableVariables[0] as tf.Tensor4D;
        // conv2d with kernel [kh, kw, filters, in] maps the transposed conv's output space back to its input space
        const cx = tf.conv2d(x as tf.Tensor4D, kernel, strides, padding);
        expect(cx.shape).toEqual(y.shape);
        const lhs = tf.sum(tf.mul(ty, x)).dataSync()[0];
        const rhs = tf.sum(tf.mul(y, cx)).dataSync()[0];
        expect(Math.abs(lhs - rhs)).toBeLessThan(1e-3 * Math.max(1, Math.abs(lhs)));
        tf.dispose([y, x, ty, cx]);
        t.dispose();
      }
    }
  });

  it('frees its intermediates', () => {
    const layer = buildLayer(conv2dTranspose({ filters: 3, kernelSize: 4, strides: 2 }), [3, 3, 2]);
    const x = tf.ones([1, 3, 3, 2]);
    const before = tf.memory().numTensors;
    const y = layer.apply(x, { training: true });
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, y]);
    const n = tf.memory().numTensors;
    layer.dispose();
    expect(tf.memory().numTensors).toBe(n - 2);
  });
});
