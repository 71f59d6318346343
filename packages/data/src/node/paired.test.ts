import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { RandomSource } from '@gankit/core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairedImageFolders, sideBySidePairs } from './paired';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-paired-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A grey PNG whose pixel (x, y) is `value(x, y)`. */
function writePng(file: string, w: number, h: number, value: (x: number, y: number) => number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) png.data.set([value(x, y), value(x, y), value(x, y), 255], (y * w + x) * 4);
  fs.writeFileSync(file, PNG.sync.write(png));
}

const toMinusOneOne = (v: number) => (v / 255) * 2 - 1;

describe('pairedImageFolders', () => {
  it('pairs files by relative path (any extension aside) in sorted order, each folder at its own size', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'folders-'));
    // three pairs: a 2×2 input of value 10·k and a 4×4 target of value 10·k + 5
    for (const [k, name] of [
      [1, 'a'],
      [2, 'b'],
      [3, 'sub/c'],
    ] as const) {
      writePng(path.join(dir, 'small', `${name}.png`), 2, 2, () => 10 * k);
      writePng(path.join(dir, 'large', `${name}.png`), 4, 4, (x, y) => 10 * k + 5 + (x === 0 && y === 0 ? 1 : 0));
    }
    const ds = pairedImageFolders({ inputs: path.join(dir, 'small'), targets: path.join(dir, 'large'), channels: 1, shuffle: false });
    expect(ds.size).toBe(3);
    expect(ds.inputShape).toEqual([2, 2, 1]);
    expect(ds.targetShape).toEqual([4, 4, 1]);
    expect(ds.name).toBe('small');
    const random = new RandomSource(0);
    const x = ds.inputs.nextBatch(3, random).x;
    const y = ds.targets.nextBatch(3, random).x;
    expect(x.shape).toEqual([3, 2, 2, 1]);
    expect(y.shape).toEqual([3, 4, 4, 1]);
    const xs = x.arraySync() as number[][][][];
    const ys = y.arraySync() as number[][][][];
    for (let k = 0; k < 3; k++) {
      expect(xs[k][1][1][0]).toBeCloseTo(toMinusOneOne(10 * (k + 1)), 5);
      expect(ys[k][0][0][0]).toBeCloseTo(toMinusOneOne(10 * (k + 1) + 6), 5);
      expect(ys[k][3][3][0]).toBeCloseTo(toMinusOneOne(10 * (k + 1) + 5), 5);
    }
    tf.dispose([x, y]);
    // with sizes given, both sides are fitted
    const resized = pairedImageFolders({
      inputs: path.join(dir, 'small'),
      targets: path.join(dir, 'large'),
      channels: 1,
      targetSize: [2, 2],
    });
    expect(resized.targetShape).toEqual([2, 2, 1]);
  });

  it('names the missing partner, the odd-sized image and the missing folder in one line', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'bad-'));
    writePng(path.join(dir, 'in', 'a.png'), 2, 2, () => 0);
    writePng(path.join(dir, 'in', 'b.png'), 2, 2, () => 0);
    writePng(path.join(dir, 'out', 'a.png'), 2, 2, () => 0);
    expect(() => pairedImageFolders({ inputs: path.join(dir, 'in'), targets: path.join(dir, 'out') })).toThrow(
      /pairedImageFolders: 2 inputs and 1 targets do not pair up; no target in .*out for .*b\.png/,
    );
    writePng(path.join(dir, 'out', 'b.png'), 3, 2, () => 0);
    expect(() => pairedImageFolders({ inputs: path.join(dir, 'in'), targets: path.join(dir, 'out') })).toThrow(
      /pairedImageFolders \(targets\): .*b\.png is 2×3 but .*a\.png is 2×2; give a size to resize them all/,
    );
    expect(() => pairedImageFolders({ inputs: path.join(dir, 'nope'), targets: path.join(dir, 'out') })).toThrow(
      /pairedImageFolders: folder not found: .*nope/,
    );
    writePng(path.join(dir, 'out', 'c.png'), 2, 2, () => 0);
    expect(() => pairedImageFolders({ inputs: path.join(dir, 'in'), targets: path.join(dir, 'out') })).toThrow(
      /no input in .*in for .*c\.png/,
    );
  });
});

describe('sideBySidePairs', () => {
  it('splits [A | B] images into input and target halves, either way round', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'sbs-'));
    // left half 40, right half 200; a second image 60 | 220
    writePng(path.join(dir, '1.png'), 4, 2, (x) => (x < 2 ? 40 : 200));
    writePng(path.join(dir, '2.png'), 4, 2, (x) => (x < 2 ? 60 : 220));
    const ab = sideBySidePairs({ dir, channels: 1, shuffle: false });
    expect(ab.inputShape).toEqual([2, 2, 1]);
    const { input, target } = ab.batchAt([0, 1]);
    const i = Array.from(input.dataSync());
    const t = Array.from(target.dataSync());
    expect(i.slice(0, 4).every((v) => Math.abs(v - toMinusOneOne(40)) < 1e-5)).toBe(true);
    expect(i.slice(4).every((v) => Math.abs(v - toMinusOneOne(60)) < 1e-5)).toBe(true);
    expect(t.slice(0, 4).every((v) => Math.abs(v - toMinusOneOne(200)) < 1e-5)).toBe(true);
    const ba = sideBySidePairs({ dir, channels: 1, shuffle: false, direction: 'BtoA' });
    const swapped = ba.batchAt([0]);
    expect(swapped.input.dataSync()[0]).toBeCloseTo(toMinusOneOne(200), 5);
    tf.dispose([input, target, swapped.input, swapped.target]);
    writePng(path.join(dir, '3.png'), 5, 2, () => 0);
    expect(() => sideBySidePairs({ dir })).toThrow(
      /sideBySidePairs: .*3\.png is 5 pixels wide; a side-by-side pair \[A \| B\] needs an even width/,
    );
  });
});
