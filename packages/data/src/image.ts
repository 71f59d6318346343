import { GankitError } from '@gankit/core';

/** How an image is fitted to a target size. */
export type Fit = 'cover' | 'contain' | 'fill';

/** A decoded image: `height × width × channels` values in row-major (HWC) order. */
export interface RawImage {
  /** Pixel values, HWC order. */
  readonly data: ArrayLike<number>;
  /** Rows. */
  readonly height: number;
  /** Columns. */
  readonly width: number;
  /** Values per pixel. */
  readonly channels: number;
}

/** A rectangle of a source image, in pixels (may be fractional). */
export interface Region {
  /** First row (pixel edge, not centre). */
  readonly top: number;
  /** First column. */
  readonly left: number;
  /** Height in pixels. */
  readonly height: number;
  /** Width in pixels. */
  readonly width: number;
}

function checkImage(image: RawImage, what: string): void {
  const { height, width, channels, data } = image;
  if (![height, width, channels].every((d) => Number.isInteger(d) && d > 0)) {
    throw new GankitError('data', `${what}: image size must be positive integers, got ${height}×${width}×${channels}`);
  }
  if (data.length !== height * width * channels) {
    throw new GankitError(
      'data',
      `${what}: a ${height}×${width}×${channels} image needs ${height * width * channels} values, got ${data.length}`,
    );
  }
}

/**
 * Bilinear resampling with pixel centres at half-integers (the convention of TensorFlow's
 * `half_pixel_centers` and of most image libraries): output pixel `i` samples the source at
 * `top + (i + 0.5)·height/outHeight − 0.5`, clamped to the image. An optional `region` resamples only
 * that rectangle of the source (a crop).
 *
 * @returns `outHeight × outWidth × channels` float values, HWC order
 */
export function resizeBilinear(image: RawImage, outHeight: number, outWidth: number, region?: Region): Float32Array {
  checkImage(image, 'resizeBilinear');
  if (!Number.isInteger(outHeight) || !Number.isInteger(outWidth) || outHeight <= 0 || outWidth <= 0) {
    throw new GankitError('data', `resizeBilinear: output size must be positive integers, got ${outHeight}×${outWidth}`);
  }
  const { data, height: h, width: w, channels: c } = image;
  const r = region ?? { top: 0, left: 0, height: h, width: w };
  const sy = r.height / outHeight;
  const sx = r.width / outWidth;
  const out = new Float32Array(outHeight * outWidth * c);
  // Column sample positions are the same for every row: precompute them.
  const x0s = new Int32Array(outWidth);
  const x1s = new Int32Array(outWidth);
  const fxs = new Float64Array(outWidth);
  for (let j = 0; j < outWidth; j++) {
    const x = Math.min(w - 1, Math.max(0, r.left + (j + 0.5) * sx - 0.5));
    x0s[j] = Math.floor(x);
    x1s[j] = Math.min(w - 1, x0s[j] + 1);
    fxs[j] = x - x0s[j];
  }
  for (let i = 0; i < outHeight; i++) {
    const y = Math.min(h - 1, Math.max(0, r.top + (i + 0.5) * sy - 0.5));
    const y0 = Math.floor(y);
    const y1 = Math.min(h - 1, y0 + 1);
    const fy = y - y0;
    for (let j = 0; j < outWidth; j++) {
      const fx = fxs[j];
      const a = (y0 * w + x0s[j]) * c;
      const b = (y0 * w + x1s[j]) * c;
      const d = (y1 * w + x0s[j]) * c;
      const e = (y1 * w + x1s[j]) * c;
      const o = (i * outWidth + j) * c;
      for (let k = 0; k < c; k++) {
        const top = data[a + k] + (data[b + k] - data[a + k]) * fx;
        const bottom = data[d + k] + (data[e + k] - data[d + k]) * fx;
        out[o + k] = top + (bottom - top) * fy;
      }
    }
  }
  return out;
}

/**
 * Fits an image to `[height, width]`:
 * - `'fill'` stretches the whole image (the aspect ratio may change);
 * - `'cover'` scales it to cover the target and crops the centre;
 * - `'contain'` scales it to fit inside and pads the borders with `background`.
 *
 * @returns `height × width × channels` float values, HWC order
 */
export function fitImage(image: RawImage, size: readonly [number, number], fit: Fit = 'cover', background = 0): Float32Array {
  checkImage(image, 'fitImage');
  const [oh, ow] = size;
  if (!Number.isInteger(oh) || !Number.isInteger(ow) || oh <= 0 || ow <= 0) {
    throw new GankitError('data', `fitImage: size must be two positive integers, got ${JSON.stringify(size)}`);
  }
  const { height: h, width: w, channels: c } = image;
  if (fit === 'fill') return resizeBilinear(image, oh, ow);
  if (fit === 'cover') {
    const scale = Math.max(oh / h, ow / w);
    const ch = oh / scale;
    const cw = ow / scale;
    return resizeBilinear(image, oh, ow, { top: (h - ch) / 2, left: (w - cw) / 2, height: ch, width: cw });
  }
  if (fit === 'contain') {
    const scale = Math.min(oh / h, ow / w);
    const rh = Math.min(oh, Math.max(1, Math.round(h * scale)));
    const rw = Math.min(ow, Math.max(1, Math.round(w * scale)));
    const inner = resizeBilinear(image, rh, rw);
    const out = new Float32Array(oh * ow * c).fill(background);
    const top = Math.floor((oh - rh) / 2);
    const left = Math.floor((ow - rw) / 2);
    for (let i = 0; i < rh; i++) out.set(inner.subarray(i * rw * c, (i + 1) * rw * c), ((top + i) * ow + left) * c);
    return out;
  }
  throw new GankitError('data', `fitImage: fit must be 'cover', 'contain' or 'fill', got '${String(fit)}'`);
}

/**
 * Converts 8-bit RGBA pixels (what the PNG and JPEG decoders give) to 1 (grey) or 3 (RGB) channels:
 * alpha is composited over black, grey is the ITU-R BT.601 luma `0.299 R + 0.587 G + 0.114 B`.
 * Values stay in [0, 255].
 */
export function rgbaToChannels(rgba: ArrayLike<number>, height: number, width: number, channels: 1 | 3): Float32Array {
  const n = height * width;
  if (rgba.length !== n * 4)
    throw new GankitError('data', `rgbaToChannels: a ${height}×${width} RGBA image needs ${n * 4} values, got ${rgba.length}`);
  if (channels !== 1 && channels !== 3) throw new GankitError('data', `rgbaToChannels: channels must be 1 or 3, got ${String(channels)}`);
  const out = new Float32Array(n * channels);
  for (let p = 0; p < n; p++) {
    const a = rgba[4 * p + 3] / 255;
    const r = rgba[4 * p] * a;
    const g = rgba[4 * p + 1] * a;
    const b = rgba[4 * p + 2] * a;
    if (channels === 1) out[p] = 0.299 * r + 0.587 * g + 0.114 * b;
    else {
      out[3 * p] = r;
      out[3 * p + 1] = g;
      out[3 * p + 2] = b;
    }
  }
  return out;
}
