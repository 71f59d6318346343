import * as tf from '@tensorflow/tfjs-core';
import { GankitError, RandomSource } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { encodeIdx, idxToDataset, parseIdx } from './idx';

describe('parseIdx', () => {
  it('reads a hand-made big-endian ubyte file', () => {
    // 00 00 08 02 | 00 00 00 02 | 00 00 00 03 | six bytes
    const bytes = new Uint8Array([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 250, 251, 255]);
    const a = parseIdx(bytes);
    expect(a.dtype).toBe('uint8');
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 250, 251, 255]);
  });

  it('reads big-endian int32 and float32 values written by hand', () => {
    // int32 -2 = ff ff ff fe; 258 = 00 00 01 02
    const ints = parseIdx(new Uint8Array([0, 0, 0x0c, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xfe, 0, 0, 1, 2]));
    expect(ints.dtype).toBe('int32');
    expect(Array.from(ints.data)).toEqual([-2, 258]);
    // float32 1.5 = 3f c0 00 00; -2 = c0 00 00 00
    const floats = parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 2, 0x3f, 0xc0, 0, 0, 0xc0, 0, 0, 0]));
    expect(floats.dtype).toBe('float32');
    expect(Array.from(floats.data)).toEqual([1.5, -2]);
    // int16 -3 = ff fd
    expect(Array.from(parseIdx(new Uint8Array([0, 0, 0x0b, 1, 0, 0, 0, 1, 0xff, 0xfd])).data)).toEqual([-3]);
  });

  it('round-trips every dtype through encodeIdx', () => {
    const cases = [
      { dtype: 'uint8', data: Uint8Array.from([0, 7, 255, 128]) },
      { dtype: 'int8', data: Int8Array.from([-128, -1, 0, 127]) },
      { dtype: 'int16', data: Int16Array.from([-32768, -2, 300, 32767]) },
      { dtype: 'int32', data: Int32Array.from([-(2 ** 31), -5, 70000, 2 ** 31 - 1]) },
      { dtype: 'float32', data: Float32Array.from([-1.25, 0, 3.5e10, Math.fround(0.1)]) },
      { dtype: 'float64', data: Float64Array.from([-1e-300, 0.1, Math.PI, 2 ** 60]) },
    ] as const;
    for (const c of cases) {
      const bytes = encodeIdx({ dtype: c.dtype, shape: [2, 2], data: c.data });
      const back = parseIdx(bytes);
      expect(back.dtype).toBe(c.dtype);
      expect(back.shape).toEqual([2, 2]);
      expect(Array.from(back.data)).toEqual(Array.from(c.data));
      expect(back.data.constructor).toBe(c.data.constructor);
    }
  });

  it('names what is wrong with truncated or corrupt bytes', () => {
    const good = encodeIdx({ dtype: 'uint8', shape: [3, 2, 2], data: new Uint8Array(12) });
    expect(good.length).toBe(4 + 12 + 12);
    expect(() => parseIdx(good.subarray(0, 20))).toThrow(
      /truncated IDX uint8 data of shape \[3, 2, 2\]: expected 28 bytes \(16 header \+ 12 data\), got 20/,
    );
    const long = new Uint8Array(30);
    long.set(good);
    expect(() => parseIdx(long)).toThrow(/corrupt .* expected 28 bytes .* got 30/);
    expect(() => parseIdx(good.subarray(0, 10))).toThrow(/3 dimensions need 16 bytes, got 10/);
    expect(() => parseIdx(new Uint8Array([0, 0]))).toThrow(/at least 4 bytes, got 2/);
    expect(() => parseIdx(new Uint8Array([0, 0, 0x0a, 1, 0, 0, 0, 0]))).toThrow(/unknown IDX type code 0x0a/);
    expect(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0]))).toThrow(/gzip/);
    expect(() => parseIdx(new Uint8Array([1, 2, 3, 4]), 'x.idx')).toThrow(/^x\.idx: not an IDX file.*0x01 0x02/);
    const error = (() => {
      try {
        parseIdx(new Uint8Array(3));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(GankitError);
    expect((error as GankitError).code).toBe('data');
  });
});

describe('idxToDataset', () => {
  it('scales uint8 images to [-1, 1], adds a channel axis and keeps labels', () => {
    const images = { dtype: 'uint8' as const, shape: [3, 2, 2], data: Uint8Array.from([0, 255, 51, 102, 1, 2, 3, 4, 255, 255, 255, 255]) };
    const labels = { dtype: 'uint8' as const, shape: [3], data: Uint8Array.from([7, 0, 9]) };
    const ds = idxToDataset(images, labels, { name: 'tiny', shuffle: false });
    expect(ds.sampleShape).toEqual([2, 2, 1]);
    expect(ds.size).toBe(3);
    expect(ds.numClasses).toBe(10);
    const before = tf.memory().numTensors;
    const b = ds.nextBatch(3, new RandomSource(1));
    expect(tf.memory().numTensors - before).toBe(2);
    expect(b.x.shape).toEqual([3, 2, 2, 1]);
    const x = b.x.dataSync();
    Array.from(images.data).forEach((v, i) => expect(x[i]).toBeCloseTo(v / 127.5 - 1, 6));
    expect(Array.from(b.labels!.dataSync())).toEqual([7, 0, 9]);
    tf.dispose([b.x, b.labels!]);
  });

  it('rejects mismatched files', () => {
    const images = { dtype: 'uint8' as const, shape: [2, 1, 1], data: new Uint8Array(2) };
    expect(() => idxToDataset(images, { dtype: 'uint8', shape: [3], data: new Uint8Array(3) })).toThrow(/3 labels for 2 images/);
    expect(() => idxToDataset({ dtype: 'uint8', shape: [4], data: new Uint8Array(4) })).toThrow(/\[n, h, w\].*got \[4\]/);
    expect(() => idxToDataset({ dtype: 'float32', shape: [1, 1, 1], data: new Float32Array(1) })).toThrow(/must be uint8.*float32/);
  });
});
