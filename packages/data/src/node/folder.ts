import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as PngJs from 'pngjs';
import type * as JpegJs from 'jpeg-js';
import { GankitError } from '@gankit/core';
import { fitImage, rgbaToChannels } from '../image';
import type { Fit } from '../image';
import { InMemoryDataset, scaleToMinusOneOne } from '../memory';
import { readFileOrThrow } from './files';
import { requireOptional } from './optional';

/** File extensions {@link imageFolder} picks up (case-insensitive). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg'];

/** A decoded 8-bit RGBA image. */
export interface RgbaImage {
  /** `height × width × 4` bytes. */
  readonly data: Uint8Array;
  /** Rows. */
  readonly height: number;
  /** Columns. */
  readonly width: number;
}

/**
 * Decodes PNG (pngjs) or JPEG (jpeg-js) bytes to 8-bit RGBA, choosing the codec by the file's
 * signature. Undecodable bytes give a `GankitError` naming `file`. `pngjs` and `jpeg-js` are
 * optional peer dependencies: install the one your images need (`npm install pngjs jpeg-js`); a
 * missing one gives a `GankitError` that names it.
 */
export function decodeImage(bytes: Uint8Array, file = 'image'): RgbaImage {
  const isPng = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!isPng && !isJpeg) {
    throw new GankitError('data', `cannot decode image ${file}: neither a PNG nor a JPEG signature at the start of the file`);
  }
  // The codecs are optional peer dependencies, loaded on first use (a missing one is named).
  if (isPng) {
    const { PNG } = requireOptional<typeof PngJs>('pngjs', `decoding the PNG image ${file}`);
    try {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), height: png.height, width: png.width };
    } catch (e) {
      throw new GankitError('data', `cannot decode PNG image ${file}: ${(e as Error).message}`);
    }
  }
  const jpeg = requireOptional<typeof JpegJs>('jpeg-js', `decoding the JPEG image ${file}`);
  try {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    return { data: img.data, height: img.height, width: img.width };
  } catch (e) {
    throw new GankitError('data', `cannot decode JPEG image ${file}: ${(e as Error).message}`);
  }
}

/** Options of {@link imageFolder}. */
export interface ImageFolderOptions {
  /** The folder to read (searched recursively). */
  dir: string;
  /** Output size `[height, width]`. */
  size: readonly [number, number];
  /** 1 (grey, BT.601 luma) or 3 (RGB). Default 3. */
  channels?: 1 | 3 | undefined;
  /** How images are fitted to `size`: `'cover'` (default, centre crop), `'contain'` (pad with black) or `'fill'` (stretch). */
  fit?: Fit | undefined;
  /**
   * Label every image by the name of the top-level sub-folder it sits in (class names sorted, label =
   * index); images directly in `dir` are then an error. Default `false`.
   */
  labels?: boolean | undefined;
  /** Reshuffle every epoch. Default `true`. */
  shuffle?: boolean | undefined;
  /** Name for logs. Default: the folder's base name. */
  name?: string | undefined;
}

/** An {@link InMemoryDataset} read from a folder of images, with the files and class names it came from. */
export class ImageFolderDataset extends InMemoryDataset {
  /** The image files, in example order (sorted paths). */
  readonly files: readonly string[];
  /** Class names by label, when the data set is labelled by sub-folder. */
  readonly classNames?: readonly string[] | undefined;

  /** @internal */
  constructor(options: ConstructorParameters<typeof InMemoryDataset>[0], files: string[], classNames?: string[]) {
    super(options);
    this.files = files;
    this.classNames = classNames;
  }
}

/** Every image file ({@link IMAGE_EXTENSIONS}) under `dir`, recursively, in sorted path order. @internal */
export function listImages(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    const entries = fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && IMAGE_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Throws a `GankitError` naming `what` unless `dir` is an existing folder. @internal */
export function checkFolder(dir: string, what: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new GankitError('data', `${what}: folder not found: ${dir}`);
  }
  if (!stat.isDirectory()) throw new GankitError('data', `${what}: not a folder: ${dir}`);
}

/**
 * Loads a folder of PNG and JPEG images into memory as a data set scaled to [-1, 1] with example
 * shape `[height, width, channels]`: each image is decoded, converted to grey or RGB, fitted to
 * `size` (bilinear resampling, centre crop or padding) and optionally labelled by its sub-folder.
 *
 * @example
 * ```ts
 * const faces = imageFolder({ dir: 'data/faces', size: [64, 64], channels: 3, fit: 'cover' });
 * ```
 */
export function imageFolder(options: ImageFolderOptions): ImageFolderDataset {
  const { dir, size } = options;
  const channels = options.channels ?? 3;
  const fit = options.fit ?? 'cover';
  if (channels !== 1 && channels !== 3) throw new GankitError('data', `imageFolder: channels must be 1 or 3, got ${String(channels)}`);
  if (!Array.isArray(size) || size.length !== 2 || !size.every((d) => Number.isInteger(d) && d > 0)) {
    throw new GankitError('data', `imageFolder: size must be [height, width] positive integers, got ${JSON.stringify(size)}`);
  }
  checkFolder(dir, 'imageFolder');
  const files = listImages(dir);
  if (files.length === 0) {
    throw new GankitError('data', `imageFolder: no images (${IMAGE_EXTENSIONS.join(', ')}) found in ${dir}`);
  }
  let classNames: string[] | undefined;
  let labels: number[] | undefined;
  if (options.labels) {
    const classOf = files.map((f) => {
      const rel = path.relative(dir, f).split(path.sep);
      if (rel.length < 2) {
        throw new GankitError(
          'data',
          `imageFolder: with labels: true every image must sit in a class sub-folder, but ${f} is directly in ${dir}`,
        );
      }
      return rel[0];
    });
    classNames = [...new Set(classOf)].sort();
    labels = classOf.map((c) => classNames!.indexOf(c));
  }
  const [h, w] = size;
  const per = h * w * channels;
  const x = new Float32Array(files.length * per);
  files.forEach((file, i) => {
    const img = decodeImage(readFileOrThrow(file, 'image'), file);
    const pixels = rgbaToChannels(img.data, img.height, img.width, channels);
    const fitted = fitImage({ data: pixels, height: img.height, width: img.width, channels }, [h, w], fit, 0);
    x.set(scaleToMinusOneOne(fitted, 'byte'), i * per);
  });
  return new ImageFolderDataset(
    {
      x,
      shape: [h, w, channels],
      labels,
      numClasses: classNames?.length,
      name: options.name ?? path.basename(path.resolve(dir)),
      shuffle: options.shuffle,
    },
    files,
    classNames,
  );
}
