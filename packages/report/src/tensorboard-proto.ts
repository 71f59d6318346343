// TensorBoard's wire format, written and read by hand: the `Event` protocol buffer (scalar and
// image summaries) and TFRecord framing with masked CRC-32C.
import { GankitError } from '@gankit/core';
import { maskedCrc32c } from './crc';
import { readPngChunks } from './png-strip';

/** An image summary: encoded image bytes (PNG here) with their size and colour space. */
export interface TensorBoardImage {
  /** Height in pixels. */
  readonly height: number;
  /** Width in pixels. */
  readonly width: number;
  /** 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA (TensorBoard's `Summary.Image.colorspace`). */
  readonly colorspace: number;
  /** The encoded image (`encoded_image_string`). */
  readonly encoded: Uint8Array;
}

/** What one TensorBoard `Event` record holds (the fields this package writes). */
export interface TensorBoardEvent {
  /** Seconds since the Unix epoch. */
  readonly wallTime: number;
  /** The global step (a non-negative integer). */
  readonly step: number;
  /** Set only on a file's first record: `'brain.Event:2'`. */
  readonly fileVersion?: string | undefined;
  /** Scalar summaries: tag → value (stored as float32). */
  readonly scalars?: Readonly<Record<string, number>> | undefined;
  /** Image summaries: tag → image. */
  readonly images?: Readonly<Record<string, TensorBoardImage>> | undefined;
}

class ByteWriter {
  private bytes: number[] = [];
  byte(b: number): void {
    this.bytes.push(b & 0xff);
  }
  /** Unsigned LEB128 varint of a non-negative safe integer. */
  varint(v: number): void {
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }
  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }
  raw(b: Uint8Array): void {
    for (const x of b) this.bytes.push(x);
  }
  lengthDelimited(field: number, b: Uint8Array): void {
    this.tag(field, 2);
    this.varint(b.length);
    this.raw(b);
  }
  double(field: number, v: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.tag(field, 1);
    this.raw(b);
  }
  float(field: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.tag(field, 5);
    this.raw(b);
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

const utf8 = new TextEncoder();

function checkImage(tag: string, image: TensorBoardImage): void {
  for (const k of ['height', 'width', 'colorspace'] as const) {
    const v = image[k];
    if (!Number.isInteger(v) || v < 1 || v > 0x7fffffff)
      throw new GankitError('value', `encodeEvent: image '${tag}' needs a positive integer ${k}, got ${v}`);
  }
  if (!(image.encoded instanceof Uint8Array)) throw new GankitError('argument', `encodeEvent: image '${tag}' needs its bytes in 'encoded'`);
}

/**
 * Encodes a TensorBoard `Event` protocol buffer by hand: `wall_time` (field 1, double), `step`
 * (2, int64), `file_version` (3, string), and `summary` (5) holding one `value` (1) per scalar with
 * `tag` (1, string) and `simple_value` (2, float), then one per image with `tag` and `image` (4): a
 * `Summary.Image` of `height` (1), `width` (2), `colorspace` (3) and `encoded_image_string` (4).
 */
export function encodeEvent(event: TensorBoardEvent): Uint8Array {
  const { wallTime, step } = event;
  if (!Number.isFinite(wallTime)) throw new GankitError('value', `encodeEvent: wallTime must be finite, got ${wallTime}`);
  if (!Number.isSafeInteger(step) || step < 0)
    throw new GankitError('value', `encodeEvent: step must be a non-negative integer, got ${step}`);
  const w = new ByteWriter();
  w.double(1, wallTime);
  w.tag(2, 0);
  w.varint(step);
  if (event.fileVersion !== undefined) w.lengthDelimited(3, utf8.encode(event.fileVersion));
  const scalars = Object.entries(event.scalars ?? {});
  const images = Object.entries(event.images ?? {});
  if (scalars.length + images.length > 0) {
    const summary = new ByteWriter();
    for (const [tag, value] of scalars) {
      if (typeof value !== 'number') throw new GankitError('argument', `encodeEvent: scalar '${tag}' is ${typeof value}, not a number`);
      const v = new ByteWriter();
      v.lengthDelimited(1, utf8.encode(tag));
      v.float(2, value);
      summary.lengthDelimited(1, v.finish());
    }
    for (const [tag, image] of images) {
      checkImage(tag, image);
      const im = new ByteWriter();
      for (const [field, value] of [image.height, image.width, image.colorspace].entries()) {
        im.tag(field + 1, 0);
        im.varint(value);
      }
      im.lengthDelimited(4, image.encoded);
      const v = new ByteWriter();
      v.lengthDelimited(1, utf8.encode(tag));
      v.lengthDelimited(4, im.finish());
      summary.lengthDelimited(1, v.finish());
    }
    w.lengthDelimited(5, summary.finish());
  }
  return w.finish();
}

/**
 * Frames bytes as one TFRecord: length (uint64 little-endian), masked CRC-32C of those 8 bytes,
 * the data, masked CRC-32C of the data (each CRC a uint32 little-endian).
 */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + data.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** The colour space TensorBoard's image summaries name for a PNG colour type. */
const PNG_COLORSPACE: Readonly<Record<number, number>> = { 0: 1, 4: 2, 2: 3, 3: 3, 6: 4 };

/** An image summary of PNG bytes: its size and colour space from the IHDR chunk (CRCs checked). */
export function pngImage(png: Uint8Array): TensorBoardImage {
  const ihdr = readPngChunks(png)[0];
  if (ihdr?.type !== 'IHDR' || ihdr.data.length < 13) throw new GankitError('format', 'not a PNG: the first chunk is not IHDR');
  const view = new DataView(ihdr.data.buffer, ihdr.data.byteOffset, ihdr.data.byteLength);
  const colorspace = PNG_COLORSPACE[ihdr.data[9]];
  if (colorspace === undefined) throw new GankitError('format', `not a PNG: colour type ${ihdr.data[9]}`);
  return { width: view.getUint32(0), height: view.getUint32(4), colorspace, encoded: png };
}

// ---- reading ----------------------------------------------------------------------------------

/** A protobuf field: number, wire type and raw value (a varint, or the bytes of the rest). */
interface Field {
  readonly field: number;
  readonly wire: number;
  readonly varint: number;
  readonly bytes: Uint8Array;
}

const EMPTY: Uint8Array = new Uint8Array(0);

function fields(bytes: Uint8Array, what: string): Field[] {
  const out: Field[] = [];
  let p = 0;
  const fail = (): never => {
    throw new GankitError('format', `TensorBoard ${what} is not a valid protocol buffer (at byte ${p})`);
  };
  const varint = (): number => {
    let r = 0;
    for (let scale = 1; ; scale *= 0x80) {
      if (p >= bytes.length || scale > 2 ** 63) fail();
      const b = bytes[p++];
      r += (b & 0x7f) * scale;
      if (!(b & 0x80)) return r;
    }
  };
  const take = (n: number): Uint8Array => {
    if (p + n > bytes.length) fail();
    return bytes.subarray(p, (p += n));
  };
  while (p < bytes.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) out.push({ field, wire, varint: varint(), bytes: EMPTY });
    else if (wire === 1) out.push({ field, wire, varint: 0, bytes: take(8) });
    else if (wire === 5) out.push({ field, wire, varint: 0, bytes: take(4) });
    else if (wire === 2) out.push({ field, wire, varint: 0, bytes: take(varint()) });
    else fail();
  }
  return out;
}

const le = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const utf8Decoder = new TextDecoder();

/** Decodes one `Event` record written by {@link encodeEvent} (other fields are passed over). */
export function decodeEvent(bytes: Uint8Array): TensorBoardEvent {
  let wallTime = 0;
  let step = 0;
  let fileVersion: string | undefined;
  const scalars: Record<string, number> = {};
  const images: Record<string, TensorBoardImage> = {};
  for (const f of fields(bytes, 'event')) {
    if (f.field === 1 && f.wire === 1) wallTime = le(f.bytes).getFloat64(0, true);
    else if (f.field === 2 && f.wire === 0) step = f.varint;
    else if (f.field === 3 && f.wire === 2) fileVersion = utf8Decoder.decode(f.bytes);
    else if (f.field === 5 && f.wire === 2) {
      for (const v of fields(f.bytes, 'summary')) {
        if (v.field !== 1 || v.wire !== 2) continue;
        let tag = '';
        let value: number | undefined;
        let image: TensorBoardImage | undefined;
        for (const x of fields(v.bytes, 'summary value')) {
          if (x.field === 1 && x.wire === 2) tag = utf8Decoder.decode(x.bytes);
          else if (x.field === 2 && x.wire === 5) value = le(x.bytes).getFloat32(0, true);
          else if (x.field === 4 && x.wire === 2) {
            const im: { -readonly [K in keyof TensorBoardImage]: TensorBoardImage[K] } = {
              height: 0,
              width: 0,
              colorspace: 0,
              encoded: EMPTY,
            };
            for (const y of fields(x.bytes, 'image')) {
              if (y.wire === 0 && y.field >= 1 && y.field <= 3) im[(['height', 'width', 'colorspace'] as const)[y.field - 1]] = y.varint;
              else if (y.field === 4 && y.wire === 2) im.encoded = y.bytes;
            }
            image = im;
          }
        }
        if (value !== undefined) scalars[tag] = value;
        if (image) images[tag] = image;
      }
    }
  }
  return {
    wallTime,
    step,
    ...(fileVersion !== undefined ? { fileVersion } : {}),
    ...(Object.keys(scalars).length > 0 ? { scalars } : {}),
    ...(Object.keys(images).length > 0 ? { images } : {}),
  };
}

/**
 * Splits the bytes of an event file into its records, checking both masked CRC-32Cs of each. A
 * last record cut short (a writer killed mid-append) is left out; a bad CRC or a length that runs
 * past the end of a whole record is a `GankitError` (code `'format'`) naming the byte.
 */
export function readRecords(bytes: Uint8Array): Uint8Array[] {
  const view = le(bytes);
  const out: Uint8Array[] = [];
  let p = 0;
  while (p + 12 <= bytes.length) {
    if (view.getUint32(p + 8, true) !== maskedCrc32c(bytes.subarray(p, p + 8)))
      throw new GankitError('format', `TFRecord at byte ${p}: the CRC of its length does not match`);
    const len = Number(view.getBigUint64(p, true));
    if (p + 16 + len > bytes.length) break; // cut short
    const data = bytes.subarray(p + 12, p + 12 + len);
    if (view.getUint32(p + 12 + len, true) !== maskedCrc32c(data))
      throw new GankitError('format', `TFRecord at byte ${p}: the CRC of its ${len} bytes does not match`);
    out.push(data);
    p += 16 + len;
  }
  return out;
}

/** Decodes the bytes of a whole event file: {@link readRecords}, then {@link decodeEvent} of each. */
export function parseEventFile(bytes: Uint8Array): TensorBoardEvent[] {
  return readRecords(bytes).map(decodeEvent);
}
