import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import { PNG } from 'pngjs';
import { writeFileAtomic } from './files';

/** A batch of images as plain numbers: `data` holds `shape` = `[n, height, width, channels]` in row-major order. */
export interface ImageBatch {
  /** The values, `n · height · width · channels` of them, row-major (NHWC). */
  readonly data: ArrayLike<number>;
  /** `[n, height, width, channels]` with 1 (grey) or 3 (RGB) channels; `[n, height, width]` means grey. */
  readonly shape: readonly number[];
}

/** Images for {@link imageGrid}: a tensor `[n, h, w, 1 | 3]` (or `[n, h, w]`), or an {@link ImageBatch}. */
export type ImagesInput = tf.Tensor | ImageBatch;

/** Options of {@link imageGrid}. */
export interface ImageGridOptions {
  /** Number of rows; by default enough rows for all images given `cols`. */
  readonly rows?: number | undefined;
  /** Number of columns; by default `ceil(sqrt(n))`, or enough for all images given `rows`. */
  readonly cols?: number | undefined;
  /** Pixels of background between tiles and around the border (default 2). */
  readonly padding?: number | undefined;
  /** The value range that maps to 0–255 (default `[-1, 1]`, a tanh generator); values outside are clamped. */
  readonly range?: readonly [number, number] | undefined;
  /** Grey level 0–255 of the padding and of empty cells (default 255, white). */
  readonly background?: number | undefined;
  /**
   * Class-conditional mode: the integer class of each image. Each row then holds one class, rows in
   * ascending class order, images of a class left to right in the order given; `cols` defaults to
   * the largest class count and `rows` is the number of classes.
   */
  readonly labelsPerRow?: ArrayLike<number> | undefined;
}

/** An 8-bit picture in memory: grey (1 channel) or RGB (3 channels), row-major. */
export interface RasterImage {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** 1 (grey) or 3 (RGB). */
  readonly channels: 1 | 3;
  /** `height · width · channels` bytes. */
  readonly pixels: Uint8Array;
}

interface Batch {
  data: ArrayLike<number>;
  n: number;
  h: number;
  w: number;
  c: 1 | 3;
}

function readBatch(images: ImagesInput): Batch {
  let data: ArrayLike<number>;
  let shape: readonly number[];
  if (images instanceof tf.Tensor) {
    if (images.dtype !== 'float32' && images.dtype !== 'int32') {
      throw new GankitError('dtype', `imageGrid needs float32 or int32 images, got dtype ${images.dtype}`);
    }
    shape = images.shape;
    data = images.dataSync() as Float32Array | Int32Array;
  } else if (images && typeof images === 'object' && 'data' in images && 'shape' in images) {
    data = images.data;
    shape = images.shape;
  } else {
    throw new GankitError('argument', 'imageGrid needs a tensor [n, h, w, c] or { data, shape }');
  }
  const s = shape.length === 3 ? [...shape, 1] : [...shape];
  if (s.length !== 4 || s.some((d) => !Number.isInteger(d) || d < 0) || (s[3] !== 1 && s[3] !== 3)) {
    throw new GankitError('shape', `imageGrid needs images of shape [n, height, width, 1 | 3], got ${formatShape(shape)}`);
  }
  const [n, h, w, c] = s;
  if (h === 0 || w === 0) throw new GankitError('shape', `imageGrid needs non-empty images, got ${formatShape(shape)}`);
  if (data.length !== n * h * w * c) {
    throw new GankitError('shape', `image data has ${data.length} values but shape ${formatShape(shape)} needs ${n * h * w * c}`);
  }
  return { data, n, h, w, c: c as 1 | 3 };
}

function checkCount(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
    throw new GankitError('config', `imageGrid: ${name} must be a positive integer, got ${v}`);
  }
}

/** Which image goes in each cell (row-major), -1 for an empty cell. */
function layout(n: number, o: ImageGridOptions): { rows: number; cols: number; cells: number[] } {
  checkCount('rows', o.rows);
  checkCount('cols', o.cols);
  if (o.labelsPerRow !== undefined) {
    const labels = o.labelsPerRow;
    if (labels.length !== n) {
      throw new GankitError('shape', `imageGrid: labelsPerRow has ${labels.length} labels for ${n} images`);
    }
    const byClass = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const l = labels[i];
      if (!Number.isInteger(l)) throw new GankitError('value', `imageGrid: label ${i} is ${l}, not an integer`);
      let list = byClass.get(l);
      if (!list) byClass.set(l, (list = []));
      list.push(i);
    }
    const classes = [...byClass.keys()].sort((a, b) => a - b);
    const widest = Math.max(1, ...[...byClass.values()].map((l) => l.length));
    const cols = o.cols ?? widest;
    if (cols < widest) throw new GankitError('config', `imageGrid: cols = ${cols} but a class has ${widest} images`);
    const rows = Math.max(1, classes.length);
    if (o.rows !== undefined && o.rows !== rows) {
      throw new GankitError('config', `imageGrid: rows = ${o.rows} but labelsPerRow has ${classes.length} classes (one row each)`);
    }
    const cells = new Array<number>(rows * cols).fill(-1);
    classes.forEach((cls, r) => byClass.get(cls)!.forEach((img, c) => (cells[r * cols + c] = img)));
    return { rows, cols, cells };
  }
  let rows = o.rows;
  let cols = o.cols;
  if (rows === undefined && cols === undefined) cols = Math.max(1, Math.ceil(Math.sqrt(n)));
  if (rows === undefined) rows = Math.max(1, Math.ceil(n / cols!));
  if (cols === undefined) cols = Math.max(1, Math.ceil(n / rows));
  if (rows * cols < n) throw new GankitError('config', `imageGrid: a ${rows}×${cols} grid has room for ${rows * cols} images, got ${n}`);
  const cells = Array.from({ length: rows * cols }, (_, i) => (i < n ? i : -1));
  return { rows, cols, cells };
}

/**
 * Tiles a batch of images into one picture (the pixels, before PNG encoding). See {@link imageGrid}.
 */
export function renderImageGrid(images: ImagesInput, options: ImageGridOptions = {}): RasterImage {
  const { data, n, h, w, c } = readBatch(images);
  const padding = options.padding ?? 2;
  if (!Number.isInteger(padding) || padding < 0)
    throw new GankitError('config', `imageGrid: padding must be an integer >= 0, got ${padding}`);
  const [lo, hi] = options.range ?? [-1, 1];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) {
    throw new GankitError('config', `imageGrid: range must be two finite numbers [low, high] with low < high, got [${lo}, ${hi}]`);
  }
  const background = options.background ?? 255;
  if (!Number.isInteger(background) || background < 0 || background > 255) {
    throw new GankitError('config', `imageGrid: background must be an integer grey level 0-255, got ${background}`);
  }
  const { rows, cols, cells } = layout(n, options);
  const width = cols * w + (cols + 1) * padding;
  const height = rows * h + (rows + 1) * padding;
  const pixels = new Uint8Array(width * height * c).fill(background);
  const scale = 255 / (hi - lo);
  for (let cell = 0; cell < cells.length; cell++) {
    const img = cells[cell];
    if (img < 0) continue;
    const x0 = padding + (cell % cols) * (w + padding);
    const y0 = padding + Math.floor(cell / cols) * (h + padding);
    let src = img * h * w * c;
    for (let y = 0; y < h; y++) {
      let dst = ((y0 + y) * width + x0) * c;
      for (let k = 0; k < w * c; k++) {
        const v = Math.round((data[src++] - lo) * scale);
        // NaN fails both comparisons and lands on 0.
        pixels[dst++] = v > 255 ? 255 : v >= 0 ? v : 0;
      }
    }
  }
  return { width, height, channels: c, pixels };
}

/** Encodes a grey or RGB {@link RasterImage} as PNG bytes. */
export function encodePng(image: RasterImage): Uint8Array {
  const { width, height, channels, pixels } = image;
  if (pixels.length !== width * height * channels) {
    throw new GankitError('shape', `encodePng: ${pixels.length} bytes for a ${width}×${height}×${channels} image`);
  }
  const colorType = channels === 1 ? 0 : 2;
  const png = new PNG({ width, height, colorType, inputColorType: colorType, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  return new Uint8Array(PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: false, bitDepth: 8 }));
}

/** Decodes PNG bytes into a grey (if the PNG is grey) or RGB {@link RasterImage}; alpha is dropped. */
export function decodePng(bytes: Uint8Array): RasterImage {
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new GankitError('format', `not a readable PNG (${(e as Error).message})`);
  }
  const grey = png.colorType === 0 || png.colorType === 4;
  const channels = grey ? 1 : 3;
  const { width, height, data } = png;
  const pixels = new Uint8Array(width * height * channels);
  for (let i = 0, j = 0; i < width * height; i++) {
    pixels[j++] = data[i * 4];
    if (!grey) {
      pixels[j++] = data[i * 4 + 1];
      pixels[j++] = data[i * 4 + 2];
    }
  }
  return { width, height, channels, pixels };
}

/**
 * Tiles grey or RGB samples into a grid and returns it as PNG bytes.
 *
 * Values map linearly from `range` (default `[-1, 1]`) to 0–255 and are clamped (NaN becomes 0).
 * Tiles are `padding` pixels apart and from the border; the picture is
 * `cols·w + (cols+1)·padding` wide and `rows·h + (rows+1)·padding` high. Grey input gives a grey
 * PNG, RGB input an RGB PNG. A tensor is read synchronously (`dataSync`) and not disposed.
 *
 * @example
 * ```ts
 * const samples = generator.apply(z, { training: false }); // [64, 28, 28, 1] in [-1, 1]
 * const png = imageGrid(samples, { cols: 8 });
 * samples.dispose();
 * ```
 */
export function imageGrid(images: ImagesInput, options: ImageGridOptions = {}): Uint8Array {
  return encodePng(renderImageGrid(images, options));
}

/**
 * {@link imageGrid}, written to `file` (parent folders are created; the file appears whole, through
 * a temporary name and a rename). Returns the PNG bytes.
 */
export async function writeImageGrid(file: string, images: ImagesInput, options: ImageGridOptions = {}): Promise<Uint8Array> {
  const png = imageGrid(images, options);
  await writeFileAtomic(file, png);
  return png;
}
