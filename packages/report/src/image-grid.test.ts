import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { GankitError } from '@gankit/core';
import { imageGrid, renderImageGrid, writeImageGrid } from './image-grid';
import { tempDir } from '../test/helpers';

/** Decodes with pngjs (independent of this package) into { width, height, rgba }. */
function read(png: Uint8Array) {
  const p = PNG.sync.read(Buffer.from(png));
  return { width: p.width, height: p.height, colorType: p.colorType, rgba: p.data };
}

/** The byte value v should map to in range [lo, hi]. */
function expected(v: number, lo = -1, hi = 1): number {
  return Math.min(255, Math.max(0, Math.round(((v - lo) / (hi - lo)) * 255)));
}

describe('imageGrid', () => {
  it('places each grey image at its tile with padding, values mapped from [-1, 1]', () => {
    // 5 images of 2×3 (h×w); image i's pixel (y, x) = -1 + (i*6 + y*3 + x) / 15.
    const n = 5;
    const h = 2;
    const w = 3;
    const data = Float32Array.from({ length: n * h * w }, (_, k) => -1 + k / 15);
    const png = imageGrid({ data, shape: [n, h, w, 1] }, { cols: 3, padding: 2, background: 77 });
    const im = read(png);
    expect(im.colorType).toBe(0);
    expect(im.width).toBe(3 * w + 4 * 2);
    expect(im.height).toBe(2 * h + 3 * 2);
    const at = (x: number, y: number) => im.rgba[(y * im.width + x) * 4];
    for (let i = 0; i < n; i++) {
      const x0 = 2 + (i % 3) * (w + 2);
      const y0 = 2 + Math.floor(i / 3) * (h + 2);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(at(x0 + x, y0 + y)).toBe(expected(data[i * 6 + y * 3 + x]));
    }
    // Border, the gap between tiles, and the empty 6th cell are background.
    expect(at(0, 0)).toBe(77);
    expect(at(1, 5)).toBe(77);
    expect(at(2 + w, 2)).toBe(77);
    expect(at(2 + w + 1, 2)).toBe(77);
    expect(at(2 + 2 * (w + 2), 2 + h + 2)).toBe(77);
    expect(at(im.width - 1, im.height - 1)).toBe(77);
  });

  it('clamps values outside the range and maps NaN to 0; honours a custom range', () => {
    const data = [-5, -1, 0, 1, 5, NaN, 0.25, 0.5];
    const raw = renderImageGrid({ data, shape: [1, 1, 8, 1] }, { padding: 0 });
    expect(Array.from(raw.pixels)).toEqual([0, 0, 128, 255, 255, 0, expected(0.25), expected(0.5)]);
    const unit = renderImageGrid({ data, shape: [1, 1, 8, 1] }, { padding: 0, range: [0, 1] });
    expect(Array.from(unit.pixels)).toEqual([0, 0, 0, 255, 255, 0, 64, 128]);
  });

  it('keeps RGB channels and reads a tensor without leaking', () => {
    const x = tf.tensor4d([1, -1, 0, -1, 1, -1], [2, 1, 1, 3]);
    const before = tf.memory().numTensors;
    const im = read(imageGrid(x, { rows: 1, padding: 1, background: 0 }));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    expect([im.width, im.height, im.colorType]).toEqual([5, 3, 2]);
    const px = (x: number, y: number) => Array.from(im.rgba.subarray((y * 5 + x) * 4, (y * 5 + x) * 4 + 3));
    expect(px(1, 1)).toEqual([255, 0, 128]);
    expect(px(3, 1)).toEqual([0, 255, 0]);
    expect(px(2, 1)).toEqual([0, 0, 0]);
  });

  it('chooses a near-square layout by default and honours rows or cols alone', () => {
    const batch = (n: number) => ({ data: new Float32Array(n * 4), shape: [n, 2, 2, 1] });
    const size = (n: number, o = {}) => {
      const r = renderImageGrid(batch(n), { padding: 0, ...o });
      return [r.height / 2, r.width / 2];
    };
    expect(size(10)).toEqual([3, 4]);
    expect(size(16)).toEqual([4, 4]);
    expect(size(10, { rows: 2 })).toEqual([2, 5]);
    expect(size(10, { cols: 3 })).toEqual([4, 3]);
    expect(() => renderImageGrid(batch(10), { rows: 2, cols: 4 })).toThrow(/room for 8 images, got 10/);
  });

  it('labelsPerRow puts one class per row, ascending, in the given order', () => {
    // Image i is a single pixel of value i / 10 (range [0, 1]).
    const labels = [2, 0, 2, 1, 0, 2];
    const data = labels.map((_, i) => i / 10);
    const r = renderImageGrid({ data, shape: [6, 1, 1, 1] }, { labelsPerRow: labels, padding: 0, range: [0, 1], background: 255 });
    expect([r.height, r.width]).toEqual([3, 3]);
    const v = (i: number) => expected(i / 10, 0, 1);
    expect(Array.from(r.pixels)).toEqual([v(1), v(4), 255, v(3), 255, 255, v(0), v(2), v(5)]);
    expect(() => renderImageGrid({ data, shape: [6, 1, 1, 1] }, { labelsPerRow: [1, 2] })).toThrow(/2 labels for 6 images/);
    expect(() => renderImageGrid({ data, shape: [6, 1, 1, 1] }, { labelsPerRow: labels, cols: 2 })).toThrow(/a class has 3 images/);
  });

  it('rejects bad shapes and options with a GankitError naming them', () => {
    expect(() => imageGrid({ data: new Float32Array(8), shape: [2, 2, 2] as number[] })).not.toThrow();
    expect(() => imageGrid({ data: new Float32Array(16), shape: [2, 2, 2, 2] })).toThrow(/\[2, 2, 2, 2\]/);
    expect(() => imageGrid({ data: new Float32Array(7), shape: [2, 2, 2, 1] })).toThrow(/7 values/);
    expect(() => imageGrid({ data: new Float32Array(8), shape: [2, 2, 2, 1] }, { range: [1, 1] })).toThrow(GankitError);
    expect(() => imageGrid({ data: new Float32Array(8), shape: [2, 2, 2, 1] }, { padding: -1 })).toThrow(/padding/);
    const b = tf.tensor4d([true, false], [1, 1, 2, 1], 'bool');
    expect(() => imageGrid(b)).toThrow(/dtype bool/);
    b.dispose();
  });

  it('writeImageGrid writes the same bytes to a file, creating folders', async () => {
    const dir = await tempDir();
    const file = join(dir, 'a', 'b', 'grid.png');
    const batch = { data: Float32Array.from({ length: 12 }, (_, i) => i / 6 - 1), shape: [3, 2, 2, 1] };
    const bytes = await writeImageGrid(file, batch);
    expect(new Uint8Array(await readFile(file))).toEqual(bytes);
    expect(bytes).toEqual(imageGrid(batch));
  });
});
