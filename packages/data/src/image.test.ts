import { describe, expect, it } from 'vitest';
import { fitImage, resizeBilinear, rgbaToChannels } from './image';

const img = (h: number, w: number, c: number, f: (y: number, x: number, k: number) => number) => {
  const data = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) data[(y * w + x) * c + k] = f(y, x, k);
  return { data, height: h, width: w, channels: c };
};

describe('resizeBilinear', () => {
  it('is the identity at the same size', () => {
    const a = img(3, 5, 2, (y, x, k) => y * 10 + x + k * 100);
    expect(Array.from(resizeBilinear(a, 3, 5))).toEqual(Array.from(a.data));
  });

  it('interpolates with half-pixel centres: [0, 1] → [0, 0.25, 0.75, 1]', () => {
    expect(Array.from(resizeBilinear({ data: [0, 1], height: 1, width: 2, channels: 1 }, 1, 4))).toEqual([0, 0.25, 0.75, 1]);
  });

  it('halving averages each 2×2 block', () => {
    const a = img(4, 6, 1, (y, x) => (y * 7 + x * x) % 11);
    const out = resizeBilinear(a, 2, 3);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        const at = (y: number, x: number) => a.data[y * 6 + x];
        const mean = (at(2 * i, 2 * j) + at(2 * i, 2 * j + 1) + at(2 * i + 1, 2 * j) + at(2 * i + 1, 2 * j + 1)) / 4;
        expect(out[i * 3 + j]).toBeCloseTo(mean, 5);
      }
    }
  });

  it('reproduces a linear function exactly wherever it does not clamp', () => {
    const f = (y: number, x: number) => 3 * y - 2 * x + 5;
    const out = resizeBilinear(img(5, 4, 1, f), 13, 11);
    let checked = 0;
    for (let i = 0; i < 13; i++) {
      for (let j = 0; j < 11; j++) {
        const y = (i + 0.5) * (5 / 13) - 0.5;
        const x = (j + 0.5) * (4 / 11) - 0.5;
        if (y < 0 || y > 4 || x < 0 || x > 3) continue;
        expect(out[i * 11 + j]).toBeCloseTo(f(y, x), 4);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(80);
  });
});

describe('fitImage', () => {
  const wide = img(2, 4, 1, (y, x) => 10 * y + x); // [[0,1,2,3],[10,11,12,13]]

  it("'cover' crops the centre", () => {
    expect(Array.from(fitImage(wide, [2, 2], 'cover'))).toEqual([1, 2, 11, 12]);
  });

  it("'contain' pads with the background", () => {
    expect(Array.from(fitImage(wide, [4, 4], 'contain', -1))).toEqual([-1, -1, -1, -1, 0, 1, 2, 3, 10, 11, 12, 13, -1, -1, -1, -1]);
  });

  it("'fill' stretches the whole image", () => {
    // Width 4 → 2 averages column pairs; height stays.
    expect(Array.from(fitImage(wide, [2, 2], 'fill'))).toEqual([0.5, 2.5, 10.5, 12.5]);
  });

  it('rejects bad sizes and modes', () => {
    expect(() => fitImage(wide, [0, 2])).toThrow(/two positive integers, got \[0,2\]/);
    expect(() => fitImage(wide, [2, 2], 'squash' as never)).toThrow(/got 'squash'/);
    expect(() => fitImage({ data: [1, 2, 3], height: 2, width: 2, channels: 1 }, [1, 1])).toThrow(/needs 4 values, got 3/);
  });
});

describe('rgbaToChannels', () => {
  it('computes BT.601 grey and composites alpha over black', () => {
    const rgba = [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 200, 100, 50, 0, 200, 100, 50, 51];
    const grey = rgbaToChannels(rgba, 1, 5, 1);
    const expected = [0.299 * 255, 0.587 * 255, 0.114 * 255, 0, (0.299 * 200 + 0.587 * 100 + 0.114 * 50) * 0.2];
    expected.forEach((v, i) => expect(grey[i]).toBeCloseTo(v, 3));
    const rgb = rgbaToChannels(rgba, 1, 5, 3);
    expect(Array.from(rgb.subarray(0, 12))).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0]);
    expect(rgb[12]).toBeCloseTo(40, 4);
  });
});
