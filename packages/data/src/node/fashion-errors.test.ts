// Fashion-MNIST's data errors name the real cause first: a truncated file, a wrong magic number,
// corrupt gzip or mismatched labels are reported as such, with the file's path; "not found …
// install it" is said only when the files are absent. And `split: 'test'` reads the t10k files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GankitError } from '@gankit/core';
import { encodeIdx } from '../idx';
import { checkFashionMnist, fashionMnist, findFashionMnistFiles } from './datasets';
import { checkIdxFile } from './files';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-fashion-errors-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** IDX bytes of n 28×28 images whose pixels all hold `value`, and of n labels `label`. */
function idxPair(n: number, value: number, label: number): { images: Uint8Array; labels: Uint8Array } {
  return {
    images: encodeIdx({ dtype: 'uint8', shape: [n, 28, 28], data: new Uint8Array(n * 784).fill(value) }),
    labels: encodeIdx({ dtype: 'uint8', shape: [n], data: new Uint8Array(n).fill(label) }),
  };
}

/** A folder holding a train pair (n images of 255, label 1) and a t10k pair (n - 1 images of 0, label 7). */
function dataDir(name: string, n = 4, gzip = true): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  const pack = (b: Uint8Array) => (gzip ? zlib.gzipSync(b) : b);
  const ext = gzip ? '.gz' : '';
  for (const [prefix, pair] of [
    ['train', idxPair(n, 255, 1)],
    ['t10k', idxPair(n - 1, 0, 7)],
  ] as const) {
    fs.writeFileSync(path.join(dir, `${prefix}-images-idx3-ubyte${ext}`), pack(pair.images));
    fs.writeFileSync(path.join(dir, `${prefix}-labels-idx1-ubyte${ext}`), pack(pair.labels));
  }
  return dir;
}

/** The message of the GankitError (code 'data') that `fn` throws. */
function dataError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GankitError);
    expect((err as GankitError).code).toBe('data');
    return (err as Error).message;
  }
  throw new Error('expected a GankitError, nothing was thrown');
}

describe('fashionMnist and checkFashionMnist', () => {
  it("read the split asked for: 'train' the train-* files, 'test' the t10k-* files", () => {
    const dir = dataDir('splits');
    const train = fashionMnist({ dir });
    const test = fashionMnist({ dir, split: 'test' });
    expect([train.size, train.name, train.labels![0]]).toEqual([4, 'fashion-mnist-train', 1]);
    expect([test.size, test.name, test.labels![0]]).toEqual([3, 'fashion-mnist-test', 7]);
    expect(checkFashionMnist({ dir })).toBe(4);
    expect(checkFashionMnist({ dir, split: 'test' })).toBe(3);
  });

  it('name a truncated file and its byte counts first, not "not found"', () => {
    for (const gzip of [true, false]) {
      const dir = dataDir(`truncated-${gzip}`, 4, gzip);
      const file = path.join(dir, `train-images-idx3-ubyte${gzip ? '.gz' : ''}`);
      const whole = idxPair(4, 255, 1).images;
      const cut = whole.subarray(0, 1000);
      fs.writeFileSync(file, gzip ? zlib.gzipSync(cut) : cut);
      for (const fn of [() => fashionMnist({ dir }), () => checkFashionMnist({ dir })]) {
        const message = dataError(fn);
        expect(message.startsWith(`${file}: truncated IDX uint8 data of shape [4, 28, 28]: expected ${whole.length} bytes`), message).toBe(
          true,
        );
        expect(message).toMatch(/got 1000$/);
        expect(message).not.toMatch(/not found|install/i);
      }
      // The test split is whole and still loads.
      expect(fashionMnist({ dir, split: 'test' }).size).toBe(3);
    }
  });

  it('name a wrong magic number, corrupt gzip data and a label count that does not match', () => {
    const dir = dataDir('magic');
    const images = path.join(dir, 'train-images-idx3-ubyte.gz');
    const bad = Uint8Array.from(idxPair(4, 255, 1).images);
    bad[0] = 0x12;
    bad[1] = 0x34;
    fs.writeFileSync(images, zlib.gzipSync(bad));
    expect(dataError(() => checkFashionMnist({ dir }))).toBe(
      `${images}: not an IDX file: the magic number must start with two zero bytes, got 0x12 0x34`,
    );
    expect(dataError(() => fashionMnist({ dir }))).toMatch(/^\S+train-images-idx3-ubyte\.gz: not an IDX file/);

    const gz = zlib.gzipSync(idxPair(4, 255, 1).images);
    fs.writeFileSync(images, gz.subarray(0, gz.length - 20));
    expect(dataError(() => fashionMnist({ dir }))).toMatch(new RegExp(`^${images.replace(/[.]/g, '\\.')}: corrupt gzip data`));

    fs.writeFileSync(images, zlib.gzipSync(idxPair(5, 255, 1).images));
    const labels = path.join(dir, 'train-labels-idx1-ubyte.gz');
    for (const fn of [() => fashionMnist({ dir }), () => checkFashionMnist({ dir })]) {
      expect(dataError(fn)).toBe(`fashionMnist: ${labels} holds labels of shape [4], expected [5] (one per image in ${images})`);
    }

    fs.writeFileSync(images, zlib.gzipSync(encodeIdx({ dtype: 'uint8', shape: [4, 32, 32], data: new Uint8Array(4 * 1024) })));
    expect(dataError(() => checkFashionMnist({ dir }))).toBe(
      `fashionMnist: ${images} holds images of shape [4, 32, 32], expected [n, 28, 28]`,
    );
  });

  it('say "not found" only when files are absent, and list which', () => {
    const dir = dataDir('absent');
    fs.rmSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'));
    const files = findFashionMnistFiles({ dir, split: 'test' });
    expect(files.images).toBe(path.join(dir, 't10k-images-idx3-ubyte.gz'));
    expect(files.labels).toBeUndefined();
    expect(files.missing).toEqual(['t10k-labels-idx1-ubyte']);
    expect(findFashionMnistFiles({ dir }).missing).toEqual([]);
    expect(dataError(() => checkFashionMnist({ dir, split: 'test' }))).toMatch(
      /^fashionMnist: t10k-labels-idx1-ubyte\(\.gz\) not found in .*absent\. Pass `dir`/,
    );
    const empty = path.join(tmp, 'nothing-here');
    expect(findFashionMnistFiles({ dir: empty }).missing).toEqual(['train-images-idx3-ubyte', 'train-labels-idx1-ubyte']);
    expect(dataError(() => findFashionMnistFiles({ split: 'val' as never }))).toMatch(/split must be 'train' or 'test', got 'val'/);
  });

  it('checkIdxFile reads the header and checks the length without decoding', () => {
    const dir = dataDir('header', 6, false);
    const h = checkIdxFile(path.join(dir, 'train-images-idx3-ubyte'));
    expect([h.dtype, [...h.shape], h.dataOffset]).toEqual(['uint8', [6, 28, 28], 16]);
    expect(dataError(() => checkIdxFile(path.join(dir, 'nope')))).toBe(`IDX file not found: ${path.join(dir, 'nope')}`);
  });
});
