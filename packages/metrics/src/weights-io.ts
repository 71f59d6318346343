import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';

/**
 * Weights in the tfjs weights format, already in memory: the manifest (the `weightsManifest` array
 * of a `model.json`, a whole `model.json`-like object holding one, or a flat list of entries) and the
 * bytes of the `.bin` file(s) it names, concatenated in manifest order or given one buffer per path.
 */
export interface WeightsFiles {
  /** `[{ paths, weights: [{ name, shape, dtype, quantization? }] }]`, `{ weightsManifest: [...] }` or a flat entry list. */
  readonly manifest:
    | tf.io.WeightsManifestConfig
    | { readonly weightsManifest: tf.io.WeightsManifestConfig }
    | readonly tf.io.WeightsManifestEntry[];
  /** The contents of the weight file(s): one buffer (all paths concatenated) or one per path. */
  readonly weightData: ArrayBuffer | ArrayBufferView | readonly (ArrayBuffer | ArrayBufferView)[];
}

/**
 * Where a feature extractor's weights come from: tensors by name (used as given, not disposed by the
 * extractor), the tfjs weights format in memory ({@link WeightsFiles}), or a tfjs `IOHandler` whose
 * `load()` returns `weightSpecs` and `weightData` (e.g. `tf.io.http(url)` in a browser, or
 * `tf.io.fileSystem(path)` from tfjs-node).
 */
export type WeightsSource = tf.NamedTensorMap | WeightsFiles | tf.io.IOHandler;

/** An expected weight: its name and shape. */
export interface WeightSpec {
  /** The weight's name in the manifest. */
  readonly name: string;
  /** Its shape. */
  readonly shape: readonly number[];
}

function toArrayBuffer(b: ArrayBuffer | ArrayBufferView): ArrayBuffer {
  if (b instanceof ArrayBuffer) return b;
  if (ArrayBuffer.isView(b)) {
    const out = new ArrayBuffer(b.byteLength);
    new Uint8Array(out).set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    return out;
  }
  throw new GankitError('dtype', 'weights: weightData must be an ArrayBuffer, a typed array or a list of them');
}

function isWeightsFiles(x: unknown): x is WeightsFiles {
  return typeof x === 'object' && x !== null && 'manifest' in x && 'weightData' in x;
}

function isIOHandler(x: unknown): x is tf.io.IOHandler {
  return typeof x === 'object' && x !== null && typeof (x as tf.io.IOHandler).load === 'function';
}

function flattenManifest(m: WeightsFiles['manifest'], what: string): tf.io.WeightsManifestEntry[] {
  const groups = Array.isArray(m) ? m : (m as { weightsManifest?: unknown }).weightsManifest;
  if (!Array.isArray(groups)) {
    throw new GankitError(
      'value',
      `${what}: the manifest must be a weightsManifest array, { weightsManifest } or a list of { name, shape, dtype } entries`,
    );
  }
  const entries: tf.io.WeightsManifestEntry[] = [];
  for (const g of groups as unknown[]) {
    if (g && typeof g === 'object' && Array.isArray((g as tf.io.WeightsManifestConfig[number]).weights)) {
      entries.push(...(g as tf.io.WeightsManifestConfig[number]).weights);
    } else if (g && typeof g === 'object' && typeof (g as tf.io.WeightsManifestEntry).name === 'string') {
      entries.push(g as tf.io.WeightsManifestEntry);
    } else {
      throw new GankitError('value', `${what}: a manifest group has no 'weights' list`);
    }
  }
  return entries;
}

/** Bytes one manifest entry takes in the weight file. */
function entryBytes(e: tf.io.WeightsManifestEntry): number {
  const n = e.shape.reduce((a, b) => a * b, 1);
  const q = e.quantization?.dtype;
  if (q === 'float16' || q === 'uint16') return 2 * n;
  if (q === 'uint8') return n;
  if (e.dtype === 'bool') return n;
  return 4 * n;
}

/**
 * Decodes weights in the tfjs weights format (float32, int32, or float16/uint8/uint16-quantized)
 * into tensors by name, checking first that the data holds as many bytes as the manifest describes.
 * @internal
 */
export function decodeWeightsFiles(files: WeightsFiles, what: string): tf.NamedTensorMap {
  const entries = flattenManifest(files.manifest, what);
  const parts = Array.isArray(files.weightData)
    ? (files.weightData as (ArrayBuffer | ArrayBufferView)[])
    : [files.weightData as ArrayBuffer];
  const buffers = parts.map(toArrayBuffer);
  const total = buffers.reduce((a, b) => a + b.byteLength, 0);
  let expected = 0;
  for (const e of entries) {
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new GankitError('shape', `${what}: manifest entry '${e.name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    }
    expected += entryBytes(e);
  }
  if (total !== expected) {
    throw new GankitError(
      'value',
      `${what}: the weight data holds ${total} bytes but the manifest describes ${expected} bytes; the .bin file does not match the manifest (truncated or from another model?)`,
    );
  }
  const data = buffers.length === 1 ? buffers[0] : buffers;
  return tf.io.decodeWeights(data, entries);
}

/**
 * Resolves a {@link WeightsSource} to tensors by name. `owned` says whether the caller created them
 * (and must dispose them) or they were given as tensors.
 * @internal
 */
export async function resolveWeights(source: WeightsSource, what: string): Promise<{ tensors: tf.NamedTensorMap; owned: boolean }> {
  if (isWeightsFiles(source)) return { tensors: decodeWeightsFiles(source, what), owned: true };
  if (isIOHandler(source)) {
    const artifacts = await source.load!();
    if (!artifacts.weightSpecs || !artifacts.weightData) {
      throw new GankitError('value', `${what}: the IOHandler returned no weightSpecs/weightData`);
    }
    const wd = artifacts.weightData as ArrayBuffer | ArrayBuffer[];
    return { tensors: decodeWeightsFiles({ manifest: artifacts.weightSpecs, weightData: wd }, what), owned: true };
  }
  if (typeof source === 'object' && source !== null) {
    for (const [k, v] of Object.entries(source)) {
      if (!(v instanceof tf.Tensor)) {
        throw new GankitError(
          'value',
          `${what}: weights must be tensors by name, { manifest, weightData } or an IOHandler; '${k}' is not a tensor`,
        );
      }
    }
    return { tensors: source as tf.NamedTensorMap, owned: false };
  }
  throw new GankitError('argument', `${what}: weights must be tensors by name, { manifest, weightData } or an IOHandler`);
}

/**
 * Checks that every expected weight is present, float32 and of the expected shape; names the first
 * offending tensor (and lists unexpected extra ones) in the error.
 * @internal
 */
export function checkWeights(tensors: tf.NamedTensorMap, specs: readonly WeightSpec[], what: string): void {
  const missing: string[] = [];
  for (const s of specs) {
    const t = tensors[s.name];
    if (t === undefined) {
      missing.push(s.name);
      continue;
    }
    if (t.dtype !== 'float32') {
      throw new GankitError('dtype', `${what}: weight '${s.name}' has dtype ${t.dtype}, expected float32`);
    }
    if (t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i])) {
      throw new GankitError('shape', `${what}: weight '${s.name}' has shape ${formatShape(t.shape)}, expected ${formatShape(s.shape)}`);
    }
  }
  if (missing.length > 0) {
    const more =
      missing.length > 1 ? ` (and ${missing.length - 1} more: ${missing.slice(1, 6).join(', ')}${missing.length > 6 ? ', ...' : ''})` : '';
    throw new GankitError('value', `${what}: weight '${missing[0]}' is missing${more}`);
  }
}

/** Disposes tensors by name. @internal */
export function disposeMap(m: tf.NamedTensorMap): void {
  for (const t of Object.values(m)) t.dispose();
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
let b64Lookup: Uint8Array | undefined;

/** Decodes standard base64 (with or without padding) without `Buffer` or `atob`. @internal */
export function base64ToBytes(s: string): Uint8Array {
  if (!b64Lookup) {
    b64Lookup = new Uint8Array(256).fill(255);
    for (let i = 0; i < B64.length; i++) b64Lookup[B64.charCodeAt(i)] = i;
  }
  const lut = b64Lookup;
  let len = s.length;
  while (len > 0 && s[len - 1] === '=') len--;
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < len; i++) {
    const v = lut[s.charCodeAt(i)];
    if (v === 255) throw new GankitError('value', `base64: invalid character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}
