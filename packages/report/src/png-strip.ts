import { GankitError } from '@gankit/core';
import { crc32 } from './crc';
import { decodePng, encodePng, type RasterImage } from './image-grid';

/** Options of {@link sideBySide}. */
export interface SideBySideOptions {
  /** `'horizontal'` (default): left to right, a "progress strip"; `'vertical'`: top to bottom. */
  readonly direction?: 'horizontal' | 'vertical' | undefined;
  /** Pixels of background between pictures (default 4). */
  readonly gap?: number | undefined;
  /** Grey level 0–255 of the gaps and of the space beside smaller pictures (default 255). */
  readonly background?: number | undefined;
}

function checkByte(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new GankitError('config', `${name} must be an integer 0-255, got ${v}`);
}

/** Gives every picture the same channel count: RGB if any of them is RGB. */
function commonChannels(images: RasterImage[]): RasterImage[] {
  if (images.every((im) => im.channels === 1)) return images;
  return images.map((im) => {
    if (im.channels === 3) return im;
    const pixels = new Uint8Array(im.width * im.height * 3);
    for (let i = 0; i < im.width * im.height; i++) pixels[3 * i] = pixels[3 * i + 1] = pixels[3 * i + 2] = im.pixels[i];
    return { width: im.width, height: im.height, channels: 3 as const, pixels };
  });
}

/**
 * Places PNG pictures (say, the sample grids of several training steps) next to each other in one
 * PNG: a static "progress strip" that any image viewer and browser shows and that prints well.
 * Pictures of different sizes are top/left aligned on the background; alpha is dropped.
 *
 * @example
 * ```ts
 * const strip = sideBySide(recorder.files.map((f) => readFileSync(f)));
 * ```
 */
export function sideBySide(pngs: readonly Uint8Array[], options: SideBySideOptions = {}): Uint8Array {
  if (pngs.length === 0) throw new GankitError('value', 'sideBySide needs at least one PNG');
  const gap = options.gap ?? 4;
  if (!Number.isInteger(gap) || gap < 0) throw new GankitError('config', `sideBySide: gap must be an integer >= 0, got ${gap}`);
  const background = options.background ?? 255;
  checkByte('sideBySide: background', background);
  const horizontal = (options.direction ?? 'horizontal') === 'horizontal';
  if (options.direction !== undefined && options.direction !== 'horizontal' && options.direction !== 'vertical') {
    throw new GankitError('config', `sideBySide: direction must be 'horizontal' or 'vertical', got '${options.direction}'`);
  }
  const images = commonChannels(pngs.map(decodePng));
  const c = images[0].channels;
  const along = images.reduce((s, im) => s + (horizontal ? im.width : im.height), 0) + gap * (images.length - 1);
  const across = Math.max(...images.map((im) => (horizontal ? im.height : im.width)));
  const width = horizontal ? along : across;
  const height = horizontal ? across : along;
  const pixels = new Uint8Array(width * height * c).fill(background);
  let offset = 0;
  for (const im of images) {
    const x0 = horizontal ? offset : 0;
    const y0 = horizontal ? 0 : offset;
    for (let y = 0; y < im.height; y++) {
      pixels.set(im.pixels.subarray(y * im.width * c, (y + 1) * im.width * c), ((y0 + y) * width + x0) * c);
    }
    offset += (horizontal ? im.width : im.height) + gap;
  }
  return encodePng({ width, height, channels: c, pixels });
}

/** Options of {@link animatedPng}. */
export interface AnimatedPngOptions {
  /** How long each frame shows, in milliseconds (default 500, at most 65535). */
  readonly delayMs?: number | undefined;
  /** How many times the animation plays; 0 (default) loops forever. */
  readonly loops?: number | undefined;
}

/** A PNG chunk: its four-letter type and its data. */
export interface PngChunk {
  /** The chunk type, e.g. `IHDR`, `IDAT`, `fcTL`. */
  readonly type: string;
  /** The chunk's data, without length, type or CRC. */
  readonly data: Uint8Array;
}

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** Splits PNG bytes into chunks, checking the signature, the lengths and every chunk's CRC-32. */
export function readPngChunks(bytes: Uint8Array): PngChunk[] {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new GankitError('format', 'not a PNG: bad signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunk[] = [];
  let p = 8;
  while (p < bytes.length) {
    if (p + 12 > bytes.length) throw new GankitError('format', `PNG truncated at byte ${p}`);
    const length = view.getUint32(p);
    if (p + 12 + length > bytes.length) throw new GankitError('format', `PNG chunk at byte ${p} runs past the end`);
    const typeAndData = bytes.subarray(p + 4, p + 8 + length);
    const type = String.fromCharCode(...typeAndData.subarray(0, 4));
    if (crc32(typeAndData) !== view.getUint32(p + 8 + length))
      throw new GankitError('format', `PNG chunk ${type} at byte ${p} has a bad CRC`);
    chunks.push({ type, data: typeAndData.subarray(4) });
    p += 12 + length;
  }
  return chunks;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Makes an animated PNG (APNG) with one frame per picture, e.g. the sample grids of successive
 * steps, so a browser shows training progress as a loop. APNG plays in `<img>` in every current
 * browser (Chrome, Firefox, Safari, Edge); viewers that do not know APNG show the first frame.
 * All pictures must have the same size; grey frames are turned into RGB if any frame is RGB.
 */
export function animatedPng(pngs: readonly Uint8Array[], options: AnimatedPngOptions = {}): Uint8Array {
  if (pngs.length === 0) throw new GankitError('value', 'animatedPng needs at least one PNG');
  const delayMs = options.delayMs ?? 500;
  if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > 65535) {
    throw new GankitError('config', `animatedPng: delayMs must be an integer 0-65535, got ${delayMs}`);
  }
  const loops = options.loops ?? 0;
  if (!Number.isInteger(loops) || loops < 0) throw new GankitError('config', `animatedPng: loops must be an integer >= 0, got ${loops}`);
  const images = commonChannels(pngs.map(decodePng));
  const { width, height } = images[0];
  images.forEach((im, i) => {
    if (im.width !== width || im.height !== height) {
      throw new GankitError(
        'shape',
        `animatedPng: frame ${i} is ${im.width}×${im.height}, frame 0 is ${width}×${height}; frames must have one size`,
      );
    }
  });
  const frames = images.map((im) => readPngChunks(encodePng(im)));
  const ihdr = frames[0].find((c) => c.type === 'IHDR')!;
  const parts: Uint8Array[] = [SIGNATURE, chunk('IHDR', ihdr.data)];
  const actl = new Uint8Array(8);
  new DataView(actl.buffer).setUint32(0, frames.length);
  new DataView(actl.buffer).setUint32(4, loops);
  parts.push(chunk('acTL', actl));
  let sequence = 0;
  frames.forEach((chunks, i) => {
    const fctl = new Uint8Array(26);
    const v = new DataView(fctl.buffer);
    v.setUint32(0, sequence++);
    v.setUint32(4, width);
    v.setUint32(8, height);
    v.setUint32(12, 0); // x offset
    v.setUint32(16, 0); // y offset
    v.setUint16(20, delayMs);
    v.setUint16(22, 1000);
    fctl[24] = 0; // dispose op: none
    fctl[25] = 0; // blend op: source
    parts.push(chunk('fcTL', fctl));
    for (const c of chunks) {
      if (c.type !== 'IDAT') continue;
      if (i === 0) {
        parts.push(chunk('IDAT', c.data));
      } else {
        const fdat = new Uint8Array(4 + c.data.length);
        new DataView(fdat.buffer).setUint32(0, sequence++);
        fdat.set(c.data, 4);
        parts.push(chunk('fdAT', fdat));
      }
    }
  });
  parts.push(chunk('IEND', new Uint8Array(0)));
  return concat(parts);
}
