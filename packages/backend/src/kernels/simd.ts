// A small hand-assembled WebAssembly SIMD module that works in place on tfjs's wasm memory: the
// loops of gankit's fused Adam update, leaky ReLU and select. Its `f32x4` operations are IEEE float32
// operations, as tfjs's own wasm kernels compute them, so the results are theirs bit for bit.
import type * as tf from '@tensorflow/tfjs-core';

/**
 * The module's functions; pointers are byte offsets into the tfjs wasm module's memory, `end` the
 * byte length processed four elements at a time (the caller does the tail).
 */
export interface SimdKernels {
  /**
   * Adam: x, m, v, g, x', m', v' (i32), end (i32), then β₁, 1-β₁, β₂, 1-β₂, 1-β₁ᵗ, 1-β₂ᵗ, ε, -lr
   * (f32): `m' = m·β₁ + g·(1-β₁)`, `v' = v·β₂ + g²·(1-β₂)`,
   * `x' = (m'/(1-β₁ᵗ)) / (√(v'/(1-β₂ᵗ)) + ε) · (-lr) + x`, each operation rounded to float32.
   */
  adam(...args: number[]): void;
  /** Leaky ReLU: x, y (i32), end (i32), α (f32): `y = x < 0 ? α·x : x`. */
  leakyRelu(x: number, y: number, end: number, alpha: number): void;
  /** Select: c (bool bytes), t, e, y (i32), end (i32, bytes of t): `y = c ? t : e`. */
  select(c: number, t: number, e: number, y: number, end: number): void;
}

/** A wasm backend as these kernels see it. @internal */
export type WasmBackend = tf.KernelBackend & {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  wasm: { asm?: { memory?: unknown }; wasmMemory?: unknown };
};

const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const tee = (i: number) => [0x22, i];
const simd = (op: number) => (op < 0x80 ? [0xfd, op] : [0xfd, (op & 0x7f) | 0x80, op >> 7]);
const [load, store, splat, lt, bitselect, sqrt, add, mul, div] = [0x00, 0x0b, 0x13, 0x43, 0x52, 0xe3, 0xe4, 0xe6, 0xe7].map(simd);
const [i32x4Splat, i32x4Ne, load32Zero, extendI8, extendI16] = [0x11, 0x38, 0x5c, 0x89, 0xa9].map(simd);
const MEM = [0x00, 0x00]; // memarg: align, offset
const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

/** `block; loop; if i >= end break; <body>; i += 16; continue`: the loop over bytes `i`. */
function loop(i: number, end: number, body: number[]): number[] {
  // biome-ignore format: bytecode
  return [0x02, 0x40, 0x03, 0x40, ...get(i), ...get(end), 0x4f, 0x0d, 0x01, ...body, ...get(i), 0x41, 0x10, 0x6a, ...set(i), 0x0c, 0x00, 0x0b, 0x0b];
}

function adamBody(): number[] {
  const I = 16; // byte index
  const S = 17; // the 8 splatted f32 arguments: 17..24
  const [G, M1, V1, X1] = [25, 26, 27, 28];
  const at = (ptr: number) => [...get(ptr), ...get(I), 0x6a];
  // biome-ignore format: bytecode
  const code = [
    ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((k) => [...get(8 + k), ...splat, ...set(S + k)]),
    ...loop(I, 7, [
      ...at(3), ...load, ...MEM, ...set(G),
      ...at(1), ...load, ...MEM, ...get(S), ...mul, ...get(G), ...get(S + 1), ...mul, ...add, ...set(M1),
      ...at(2), ...load, ...MEM, ...get(S + 2), ...mul, ...get(G), ...get(G), ...mul, ...get(S + 3), ...mul, ...add, ...set(V1),
      ...get(M1), ...get(S + 4), ...div,
      ...get(V1), ...get(S + 5), ...div, ...sqrt, ...get(S + 6), ...add,
      ...div, ...get(S + 7), ...mul,
      ...at(0), ...load, ...MEM, ...add, ...set(X1),
      ...at(4), ...get(X1), ...store, ...MEM,
      ...at(5), ...get(M1), ...store, ...MEM,
      ...at(6), ...get(V1), ...store, ...MEM,
    ]),
    0x0b,
  ];
  return [0x02, 0x01, I32, 0x0c, V128, ...code]; // locals: 1 i32, 12 v128
}

function leakyReluBody(): number[] {
  const I = 4;
  const [A, X, Z] = [5, 6, 7];
  // biome-ignore format: bytecode
  const code = [
    ...get(3), ...splat, ...set(A),
    0x43, 0x00, 0x00, 0x00, 0x00, ...splat, ...set(Z), // f32.const 0
    ...loop(I, 2, [
      ...get(1), ...get(I), 0x6a, // store address
      ...get(0), ...get(I), 0x6a, ...load, ...MEM, ...tee(X),
      ...get(A), ...mul, ...get(X), ...get(X), ...get(Z), ...lt, ...bitselect, // x < 0 ? α·x : x
      ...store, ...MEM,
    ]),
    0x0b,
  ];
  return [0x02, 0x01, I32, 0x03, V128, ...code]; // locals: 1 i32, 3 v128
}

function selectBody(): number[] {
  const I = 5;
  const Z = 6;
  const at = (ptr: number) => [...get(ptr), ...get(I), 0x6a];
  // biome-ignore format: bytecode
  const code = [
    0x41, 0x00, ...i32x4Splat, ...set(Z),
    ...loop(I, 4, [
      ...at(3),
      ...at(1), ...load, ...MEM,
      ...at(2), ...load, ...MEM,
      ...get(0), ...get(I), 0x41, 0x02, 0x76, 0x6a, ...load32Zero, ...MEM, // c + i/4: 4 bool bytes
      ...extendI8, ...extendI16, ...get(Z), ...i32x4Ne, ...bitselect, // c ? t : e
      ...store, ...MEM,
    ]),
    0x0b,
  ];
  return [0x02, 0x01, I32, 0x01, V128, ...code]; // locals: 1 i32, 1 v128
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

/** The module's bytes; `shared`: import a shared memory (the threaded build's). */
function moduleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  const section = (id: number, bytes: number[]) => [id, ...leb(bytes.length), ...bytes];
  const limits = shared ? [0x03, 0x01, 0x80, 0x80, 0x04] : [0x00, 0x01]; // min 1 page (max 65536 if shared)
  const types = [
    0x03,
    ...[0x60, 16, ...Array(8).fill(I32), ...Array(8).fill(F32), 0x00], // adam
    ...[0x60, 4, I32, I32, I32, F32, 0x00], // leakyRelu
    ...[0x60, 5, I32, I32, I32, I32, I32, 0x00], // select
  ];
  const bodies = [adamBody(), leakyReluBody(), selectBody()];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, types),
    ...section(2, [0x01, ...name('env'), ...name('memory'), 0x02, ...limits]),
    ...section(3, [0x03, 0x00, 0x01, 0x02]),
    ...section(7, [0x03, ...name('adam'), 0x00, 0x00, ...name('leakyRelu'), 0x00, 0x01, ...name('select'), 0x00, 0x02]),
    ...section(10, [0x03, ...bodies.flatMap((b) => [...leb(b.length), ...b])]),
  ]);
}

/** One instance per wasm memory (a backend's, or a replica's). */
const byMemory = new WeakMap<WebAssembly.Memory, SimdKernels | null>();

/**
 * The SIMD loops bound to this wasm backend's memory; undefined where they cannot be (no wasm SIMD,
 * no memory to import): the kernels then run JavaScript loops. @internal
 */
export function simdFor(backend: WasmBackend): SimdKernels | undefined {
  // The one-thread build exports its memory; the threaded build's glue makes a shared one.
  const memory = backend.wasm?.asm?.memory ?? backend.wasm?.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  let kernels = byMemory.get(memory);
  if (kernels === undefined) {
    try {
      const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
      const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes(shared)), { env: { memory } });
      kernels = instance.exports as unknown as SimdKernels;
    } catch {
      kernels = null;
    }
    byMemory.set(memory, kernels);
  }
  return kernels ?? undefined;
}
