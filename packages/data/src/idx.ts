import { GankitError, formatShape } from '@gankit/core';
import { InMemoryDataset, checkLabels, scaleToMinusOneOne } from './memory';

/** The element types an IDX file can hold. */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The typed array that holds each {@link IdxDtype}. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX array (the format of the MNIST and Fashion-MNIST files). */
export interface IdxArray {
  /** Element type. */
  readonly dtype: IdxDtype;
  /** Dimensions, outermost first (e.g. `[60000, 28, 28]`). */
  readonly shape: readonly number[];
  /** The values in row-major order, in native byte order. */
  readonly data: IdxData;
}

/** IDX dtype codes (third byte of the magic number) and element sizes. */
const CODES: Record<number, { dtype: IdxDtype; bytes: number }> = {
  0x08: { dtype: 'uint8', bytes: 1 },
  0x09: { dtype: 'int8', bytes: 1 },
  0x0b: { dtype: 'int16', bytes: 2 },
  0x0c: { dtype: 'int32', bytes: 4 },
  0x0d: { dtype: 'float32', bytes: 4 },
  0x0e: { dtype: 'float64', bytes: 8 },
};

/** The IDX type code of each dtype. */
export const IDX_TYPE_CODES: Readonly<Record<IdxDtype, number>> = {
  uint8: 0x08,
  int8: 0x09,
  int16: 0x0b,
  int32: 0x0c,
  float32: 0x0d,
  float64: 0x0e,
};

const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

/** The parsed header of an IDX file: element type, dimensions and where the data start. */
export interface IdxHeader {
  /** Element type. */
  readonly dtype: IdxDtype;
  /** Bytes per element. */
  readonly elementBytes: number;
  /** Dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Byte offset of the first value (4 + 4 × rank). */
  readonly dataOffset: number;
  /** Byte length of the data (product of the dimensions × element size). */
  readonly dataBytes: number;
}

/**
 * Parses an IDX header from the first bytes of a file (at least `4 + 4 × rank` bytes).
 *
 * @param source - names the file in error messages
 */
export function parseIdxHeader(bytes: Uint8Array, source = 'IDX data'): IdxHeader {
  if (bytes.length < 4) {
    throw new GankitError('data', `${source}: truncated IDX header: expected at least 4 bytes, got ${bytes.length}`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new GankitError(
      'data',
      `${source}: not an IDX file: the magic number must start with two zero bytes, got ${hex(bytes[0])} ${hex(bytes[1])}` +
        (bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (this is gzip data: gunzip it first, or use readIdxFile from @gankit/data/node)' : ''),
    );
  }
  const code = CODES[bytes[2]];
  if (!code) {
    throw new GankitError(
      'data',
      `${source}: unknown IDX type code ${hex(bytes[2])}; expected one of 0x08 (ubyte), 0x09 (byte), 0x0b (short), 0x0c (int), 0x0d (float), 0x0e (double)`,
    );
  }
  const rank = bytes[3];
  if (rank === 0) throw new GankitError('data', `${source}: IDX header declares 0 dimensions`);
  const dataOffset = 4 + 4 * rank;
  if (bytes.length < dataOffset) {
    throw new GankitError('data', `${source}: truncated IDX header: ${rank} dimensions need ${dataOffset} bytes, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((p, d) => p * d, 1);
  return { dtype: code.dtype, elementBytes: code.bytes, shape, dataOffset, dataBytes: count * code.bytes };
}

/**
 * Parses an IDX file held in memory (magic number `00 00 type rank`, big-endian 32-bit dimensions,
 * then big-endian values). Bytes that are truncated, too long or not IDX at all give a
 * `GankitError` (code `'data'`) naming the problem and the expected and actual byte lengths.
 *
 * @param bytes - the whole (uncompressed) file
 * @param source - names the file in error messages
 */
export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  const h = checkIdxBytes(bytes, source);
  return { dtype: h.dtype, shape: h.shape, data: decodeIdxValues(bytes.subarray(h.dataOffset), h.dtype) };
}

/**
 * Checks a whole (uncompressed) IDX file held in memory without decoding its values: a valid
 * header whose dimensions account for exactly the bytes there are. Returns the header, or throws
 * the `GankitError` that {@link parseIdx} would.
 *
 * @param bytes - the whole (uncompressed) file
 * @param source - names the file in error messages
 */
export function checkIdxBytes(bytes: Uint8Array, source = 'IDX data'): IdxHeader {
  const h = parseIdxHeader(bytes, source);
  const expected = h.dataOffset + h.dataBytes;
  if (bytes.length !== expected) {
    throw new GankitError(
      'data',
      `${source}: ${bytes.length < expected ? 'truncated' : 'corrupt'} IDX ${h.dtype} data of shape ${formatShape(h.shape)}: ` +
        `expected ${expected} bytes (${h.dataOffset} header + ${h.dataBytes} data), got ${bytes.length}`,
    );
  }
  return h;
}

/** Decodes big-endian IDX values of a dtype into a native typed array. */
export function decodeIdxValues(bytes: Uint8Array, dtype: IdxDtype): IdxData {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'uint8':
      return Uint8Array.from(bytes);
    case 'int8':
      return new Int8Array(Uint8Array.from(bytes).buffer);
    case 'int16': {
      const out = new Int16Array(bytes.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = view.getInt16(2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(bytes.length / 4);
      for (let i = 0; i < out.length; i++) out[i] = view.getInt32(4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(bytes.length / 4);
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(bytes.length / 8);
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(8 * i, false);
      return out;
    }
  }
}

/** Encodes an array in the IDX format (big-endian): the inverse of {@link parseIdx}. */
export function encodeIdx(array: IdxArray): Uint8Array {
  const { dtype, shape, data } = array;
  const code = IDX_TYPE_CODES[dtype];
  if (code === undefined) throw new GankitError('data', `encodeIdx: unknown dtype '${dtype}'`);
  if (shape.length === 0 || shape.length > 255 || shape.some((d) => !Number.isInteger(d) || d < 0 || d > 0xffffffff)) {
    throw new GankitError('data', `encodeIdx: shape must have 1..255 non-negative 32-bit dimensions, got ${formatShape(shape)}`);
  }
  const count = shape.reduce((p, d) => p * d, 1);
  if (data.length !== count) {
    throw new GankitError('data', `encodeIdx: shape ${formatShape(shape)} holds ${count} values, data has ${data.length}`);
  }
  const bytes = CODES[code].bytes;
  const offset = 4 + 4 * shape.length;
  const out = new Uint8Array(offset + count * bytes);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const p = offset + i * bytes;
    const v = data[i];
    if (dtype === 'uint8') view.setUint8(p, v);
    else if (dtype === 'int8') view.setInt8(p, v);
    else if (dtype === 'int16') view.setInt16(p, v, false);
    else if (dtype === 'int32') view.setInt32(p, v, false);
    else if (dtype === 'float32') view.setFloat32(p, v, false);
    else view.setFloat64(p, v, false);
  }
  return out;
}

/** Options of {@link idxToDataset}. */
export interface IdxDatasetOptions {
  /** Name for logs. Default `'idx'`. */
  name?: string | undefined;
  /** Number of classes; default: the largest label + 1. */
  numClasses?: number | undefined;
  /** Reshuffle every epoch. Default `true`. */
  shuffle?: boolean | undefined;
}

/**
 * Turns parsed IDX images (`[n, h, w]` or `[n, h, w, c]`, uint8) and optional labels (`[n]`) into an
 * {@link InMemoryDataset} scaled to [-1, 1] with example shape `[h, w, c]` (`c = 1` for 3-D images).
 */
export function idxToDataset(images: IdxArray, labels?: IdxArray, options: IdxDatasetOptions = {}): InMemoryDataset {
  const name = options.name ?? 'idx';
  if (images.shape.length !== 3 && images.shape.length !== 4) {
    throw new GankitError('data', `${name}: IDX images must have shape [n, h, w] or [n, h, w, c], got ${formatShape(images.shape)}`);
  }
  if (images.dtype !== 'uint8') {
    throw new GankitError('data', `${name}: IDX images must be uint8 (type 0x08) to scale from [0, 255], got ${images.dtype}`);
  }
  const [n, h, w, c = 1] = images.shape;
  let lab: Int32Array | undefined;
  if (labels) {
    if (labels.shape.length !== 1)
      throw new GankitError('data', `${name}: IDX labels must have shape [n], got ${formatShape(labels.shape)}`);
    if (labels.shape[0] !== n) {
      throw new GankitError('data', `${name}: ${labels.shape[0]} labels for ${n} images; the files do not belong together`);
    }
    lab = checkLabels(name, labels.data, n, options.numClasses).labels;
  }
  return new InMemoryDataset({
    x: scaleToMinusOneOne(images.data, 'byte'),
    shape: [h, w, c],
    labels: lab,
    numClasses: lab ? options.numClasses : undefined,
    name,
    shuffle: options.shuffle,
  });
}
