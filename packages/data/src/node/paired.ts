import * as path from 'node:path';
import { GankitError } from '@gankit/core';
import { fitImage, rgbaToChannels } from '../image';
import type { Fit } from '../image';
import { scaleToMinusOneOne } from '../memory';
import { PairedDataset } from '../paired';
import { checkFolder, decodeImage, listImages } from './folder';
import { readFileOrThrow } from './files';

/** Options shared by {@link pairedImageFolders} and {@link sideBySidePairs}. */
interface PairedImageCommon {
  /** 1 (grey, BT.601 luma) or 3 (RGB). Default 3. */
  readonly channels?: 1 | 3 | undefined;
  /** How images are fitted to a given size: `'cover'` (default), `'contain'` or `'fill'`. */
  readonly fit?: Fit | undefined;
  /** Reshuffle the pairs every epoch (default `true`). */
  readonly shuffle?: boolean | undefined;
  /** Name for logs (default: the folder's base name). */
  readonly name?: string | undefined;
}

/** Options of {@link pairedImageFolders}. */
export interface PairedImageFoldersOptions extends PairedImageCommon {
  /** The folder of input images (searched recursively). */
  readonly inputs: string;
  /** The folder of target images: the same relative paths (any image extension) as the inputs. */
  readonly targets: string;
  /** Resize every input to `[height, width]` (default: keep; then all inputs must share one size). */
  readonly inputSize?: readonly [number, number] | undefined;
  /** Resize every target to `[height, width]` (default: keep; then all targets must share one size). */
  readonly targetSize?: readonly [number, number] | undefined;
}

/** Options of {@link sideBySidePairs}. */
export interface SideBySidePairsOptions extends PairedImageCommon {
  /** The folder of side-by-side images `[A | B]`, as pix2pix's data sets ship them. */
  readonly dir: string;
  /** `'AtoB'` (default): the left half is the input, the right half the target; `'BtoA'` the reverse. */
  readonly direction?: 'AtoB' | 'BtoA' | undefined;
  /** Resize both halves to `[height, width]` (default: keep; then all images must share one size). */
  readonly size?: readonly [number, number] | undefined;
}

interface Decoded {
  readonly file: string;
  readonly pixels: Float32Array;
  readonly height: number;
  readonly width: number;
}

function checkChannels(channels: unknown, what: string): 1 | 3 {
  if (channels !== 1 && channels !== 3) throw new GankitError('data', `${what}: channels must be 1 or 3, got ${String(channels)}`);
  return channels;
}

function checkSize(size: unknown, what: string): void {
  if (size !== undefined && (!Array.isArray(size) || size.length !== 2 || !size.every((d) => Number.isInteger(d) && d > 0))) {
    throw new GankitError('data', `${what} must be [height, width] positive integers, got ${JSON.stringify(size)}`);
  }
}

function decode(file: string, channels: 1 | 3): Decoded {
  const img = decodeImage(readFileOrThrow(file, 'image'), file);
  return { file, pixels: rgbaToChannels(img.data, img.height, img.width, channels), height: img.height, width: img.width };
}

/**
 * Fits every image to `size`, or checks that all share the first one's size when `size` is not
 * given; returns the values scaled to [-1, 1], `[n, h, w, channels]` flattened, and the shape.
 */
function stack(
  images: readonly Decoded[],
  channels: 1 | 3,
  size: readonly [number, number] | undefined,
  fit: Fit,
  what: string,
): { data: Float32Array; shape: [number, number, number] } {
  const [h, w] = size ?? [images[0].height, images[0].width];
  const per = h * w * channels;
  const data = new Float32Array(images.length * per);
  images.forEach((img, i) => {
    if (!size && (img.height !== h || img.width !== w)) {
      throw new GankitError(
        'data',
        `${what}: ${img.file} is ${img.height}×${img.width} but ${images[0].file} is ${h}×${w}; give a size to resize them all`,
      );
    }
    const pixels = size ? fitImage({ data: img.pixels, height: img.height, width: img.width, channels }, [h, w], fit, 0) : img.pixels;
    data.set(scaleToMinusOneOne(pixels, 'byte'), i * per);
  });
  return { data, shape: [h, w, channels] };
}

/** Relative path without the extension: the key that pairs an input with its target. */
function keyOf(dir: string, file: string): string {
  const rel = path.relative(dir, file);
  return rel.slice(0, rel.length - path.extname(rel).length);
}

function listing(names: readonly string[]): string {
  return names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
}

/**
 * Paired images from two aligned folders (pix2pix's paired setting, Isola et al. 2017; SRGAN's
 * low- and high-resolution pairs, Ledig et al. 2017): every input image `inputs/<path>` is paired
 * with the target image of the same relative path, extension aside, in `targets/`. A file without
 * its partner, two counts that differ, or images of different sizes in one folder (when no size
 * is given) are `GankitError`s naming the files. Images are converted to grey or RGB, optionally
 * fitted to a size, and scaled to [-1, 1]. Returns a {@link PairedDataset}, whose `inputs` and
 * `targets` views a game draws together.
 *
 * @example
 * ```ts
 * const pairs = pairedImageFolders({ inputs: 'data/small', targets: 'data/large', channels: 1 });
 * pairs.inputShape; // e.g. [7, 7, 1]; pairs.targetShape: [28, 28, 1]
 * ```
 */
export function pairedImageFolders(options: PairedImageFoldersOptions): PairedDataset {
  const what = 'pairedImageFolders';
  const channels = checkChannels(options.channels ?? 3, what);
  checkSize(options.inputSize, `${what}: inputSize`);
  checkSize(options.targetSize, `${what}: targetSize`);
  const fit = options.fit ?? 'cover';
  const sides = (['inputs', 'targets'] as const).map((side) => {
    const dir = options[side];
    checkFolder(dir, what);
    const files = listImages(dir);
    if (files.length === 0) throw new GankitError('data', `${what}: no images found in the ${side} folder ${dir}`);
    const byKey = new Map<string, string>();
    for (const f of files) {
      const key = keyOf(dir, f);
      const twin = byKey.get(key);
      if (twin) throw new GankitError('data', `${what}: ${twin} and ${f} have the same name; each ${side.slice(0, -1)} needs one file`);
      byKey.set(key, f);
    }
    return { dir, files, byKey };
  });
  const [inputs, targets] = sides;
  const missingTargets = [...inputs.byKey.keys()].filter((k) => !targets.byKey.has(k));
  const missingInputs = [...targets.byKey.keys()].filter((k) => !inputs.byKey.has(k));
  if (missingTargets.length > 0 || missingInputs.length > 0) {
    const parts = [`${inputs.files.length} inputs and ${targets.files.length} targets do not pair up`];
    if (missingTargets.length > 0)
      parts.push(`no target in ${targets.dir} for ${listing(missingTargets.map((k) => inputs.byKey.get(k) as string))}`);
    if (missingInputs.length > 0)
      parts.push(`no input in ${inputs.dir} for ${listing(missingInputs.map((k) => targets.byKey.get(k) as string))}`);
    throw new GankitError('data', `${what}: ${parts.join('; ')}`);
  }
  const keys = [...inputs.byKey.keys()]; // sorted paths, as listImages returns them
  const x = stack(
    keys.map((k) => decode(inputs.byKey.get(k) as string, channels)),
    channels,
    options.inputSize,
    fit,
    `${what} (inputs)`,
  );
  const y = stack(
    keys.map((k) => decode(targets.byKey.get(k) as string, channels)),
    channels,
    options.targetSize,
    fit,
    `${what} (targets)`,
  );
  return new PairedDataset({
    inputs: x.data,
    inputShape: x.shape,
    targets: y.data,
    targetShape: y.shape,
    shuffle: options.shuffle,
    name: options.name ?? path.basename(path.resolve(inputs.dir)),
  });
}

/**
 * Paired images from one folder of side-by-side pairs `[A | B]`, the layout of pix2pix's data sets
 * (facades, maps, edges2shoes: each file holds the two aligned images next to each other). The
 * left half is the input and the right the target (`direction: 'AtoB'`, the default) or the
 * reverse. An odd width, or images of different sizes without a `size`, give a `GankitError`
 * naming the file. Returns a {@link PairedDataset}.
 */
export function sideBySidePairs(options: SideBySidePairsOptions): PairedDataset {
  const what = 'sideBySidePairs';
  const channels = checkChannels(options.channels ?? 3, what);
  checkSize(options.size, `${what}: size`);
  const direction = options.direction ?? 'AtoB';
  if (direction !== 'AtoB' && direction !== 'BtoA')
    throw new GankitError('data', `${what}: direction must be 'AtoB' or 'BtoA', got ${JSON.stringify(direction)}`);
  checkFolder(options.dir, what);
  const files = listImages(options.dir);
  if (files.length === 0) throw new GankitError('data', `${what}: no images found in ${options.dir}`);
  const lefts: Decoded[] = [];
  const rights: Decoded[] = [];
  for (const file of files) {
    const img = decode(file, channels);
    if (img.width % 2 !== 0) {
      throw new GankitError('data', `${what}: ${file} is ${img.width} pixels wide; a side-by-side pair [A | B] needs an even width`);
    }
    const half = img.width / 2;
    const left = new Float32Array(img.height * half * channels);
    const right = new Float32Array(img.height * half * channels);
    const row = img.width * channels;
    const halfRow = half * channels;
    for (let r = 0; r < img.height; r++) {
      left.set(img.pixels.subarray(r * row, r * row + halfRow), r * halfRow);
      right.set(img.pixels.subarray(r * row + halfRow, (r + 1) * row), r * halfRow);
    }
    lefts.push({ file: `${file} (left half)`, pixels: left, height: img.height, width: half });
    rights.push({ file: `${file} (right half)`, pixels: right, height: img.height, width: half });
  }
  const [ins, outs] = direction === 'AtoB' ? [lefts, rights] : [rights, lefts];
  const fit = options.fit ?? 'cover';
  const x = stack(ins, channels, options.size, fit, what);
  const y = stack(outs, channels, options.size, fit, what);
  return new PairedDataset({
    inputs: x.data,
    inputShape: x.shape,
    targets: y.data,
    targetShape: y.shape,
    shuffle: options.shuffle,
    name: options.name ?? path.basename(path.resolve(options.dir)),
  });
}
