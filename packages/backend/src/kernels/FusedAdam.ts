import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../errors';

/**
 * The name of gankit's fused Adam kernel: one call per variable updates the variable and its two
 * moments. `fusedAdam` of `@gankit/trainer` calls it by this name where the active backend has it
 * registered (wasm and cpu, by this package) and runs `tf.train.adam`'s op sequence elsewhere.
 */
export const FUSED_ADAM_KERNEL = 'GankitFusedAdam';

/** Inputs of {@link FUSED_ADAM_KERNEL}: float32 tensors of one shape, and two float32 scalars. */
interface FusedAdamInputs {
  /** The variable's value. */
  x: tf.TensorInfo;
  /** The first moment. */
  m: tf.TensorInfo;
  /** The second moment. */
  v: tf.TensorInfo;
  /** The gradient. */
  gradient: tf.TensorInfo;
  /** `1 - β₁ᵗ`, as tfjs's Adam computes it (`tf.sub(1, accBeta1)`). */
  oneMinusAccBeta1: tf.TensorInfo;
  /** `1 - β₂ᵗ`. */
  oneMinusAccBeta2: tf.TensorInfo;
}

/** Attributes of {@link FUSED_ADAM_KERNEL}: the optimizer's settings, as numbers. */
interface FusedAdamAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** How a backend lets the kernel read and write float32 buffers. */
interface Access {
  /** A live view of a tensor's float32 data (read it again after allocating: wasm memory may grow). */
  view(info: tf.TensorInfo): Float32Array;
  /** A fresh float32 output of this shape. */
  alloc(shape: number[]): tf.TensorInfo;
  /** The SIMD loop on the backend's own memory (wasm), else undefined. */
  simd?: SimdAdam | undefined;
}

type WasmBackend = tf.KernelBackend & {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  wasm: { asm?: { memory?: unknown }; wasmMemory?: unknown };
};

/**
 * The update's loop in WebAssembly SIMD (`f32x4` mul/add/div/sqrt: IEEE float32, as tfjs's own
 * wasm ops), over the first `end` bytes, four elements at a time; pointers are byte offsets
 * into the tfjs wasm module's memory, which this module imports. Arguments: x, m, v, g, x', m', v'
 * (i32), end (i32), then β₁, 1-β₁, β₂, 1-β₂, 1-β₁ᵗ, 1-β₂ᵗ, ε, -lr (f32).
 */
type SimdAdam = (...args: number[]) => void;

/** The module's bytes, hand-assembled (see {@link SimdAdam}); `shared`: import a shared memory (threaded build). */
function simdModuleBytes(shared: boolean): Uint8Array {
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const simd = (op: number) => (op < 0x80 ? [0xfd, op] : [0xfd, (op & 0x7f) | 0x80, op >> 7]);
  const [load, store, splat, sqrt, add, mul, div] = [0x00, 0x0b, 0x13, 0xe3, 0xe4, 0xe6, 0xe7].map(simd);
  const mem = [0x00, 0x00]; // align, offset
  const I = 16; // byte index
  const S = 17; // 8 splatted constants: 17..24
  const [G, M1, V1, X1] = [25, 26, 27, 28];
  const at = (ptr: number) => [...get(ptr), ...get(I), 0x6a];
  const body = [
    0x02,
    0x01,
    0x7f,
    0x0c,
    0x7b, // locals: 1 i32, 12 v128
    ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((k) => [...get(8 + k), ...splat, ...set(S + k)]),
    0x02,
    0x40,
    0x03,
    0x40, // block, loop
    ...get(I),
    ...get(7),
    0x4f,
    0x0d,
    0x01, // if i >= end: break
    ...at(3),
    ...load,
    ...mem,
    ...set(G),
    ...at(1),
    ...load,
    ...mem,
    ...get(S),
    ...mul,
    ...get(G),
    ...get(S + 1),
    ...mul,
    ...add,
    ...set(M1),
    ...at(2),
    ...load,
    ...mem,
    ...get(S + 2),
    ...mul,
    ...get(G),
    ...get(G),
    ...mul,
    ...get(S + 3),
    ...mul,
    ...add,
    ...set(V1),
    ...get(M1),
    ...get(S + 4),
    ...div,
    ...get(V1),
    ...get(S + 5),
    ...div,
    ...sqrt,
    ...get(S + 6),
    ...add,
    ...div,
    ...get(S + 7),
    ...mul,
    ...at(0),
    ...load,
    ...mem,
    ...add,
    ...set(X1),
    ...at(4),
    ...get(X1),
    ...store,
    ...mem,
    ...at(5),
    ...get(M1),
    ...store,
    ...mem,
    ...at(6),
    ...get(V1),
    ...store,
    ...mem,
    ...get(I),
    0x41,
    0x10,
    0x6a,
    ...set(I), // i += 16
    0x0c,
    0x00,
    0x0b,
    0x0b,
    0x0b, // br loop; end loop; end block; end func
  ];
  const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  const section = (id: number, bytes: number[]) => [id, ...leb(bytes.length), ...bytes];
  const limits = shared ? [0x03, 0x01, 0x80, 0x80, 0x04] : [0x00, 0x01];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [0x01, 0x60, 16, ...Array(8).fill(0x7f), ...Array(8).fill(0x7d), 0x00]),
    ...section(2, [0x01, ...name('env'), ...name('memory'), 0x02, ...limits]),
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, ...name('adam'), 0x00, 0x00]),
    ...section(10, [0x01, ...leb(body.length), ...body]),
  ]);
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

/** One instance per wasm memory (a backend's, or a replica's). */
const simdByMemory = new WeakMap<WebAssembly.Memory, SimdAdam | null>();

/**
 * The SIMD loop bound to this wasm backend's memory; undefined where it cannot be (no wasm SIMD,
 * no memory export), and the kernel then runs its JavaScript loop. @internal
 */
export function simdFor(backend: WasmBackend): SimdAdam | undefined {
  // The one-thread build exports its memory; the threaded build's glue makes a shared one.
  const memory = backend.wasm?.asm?.memory ?? backend.wasm?.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  let fn = simdByMemory.get(memory);
  if (fn === undefined) {
    try {
      const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
      const instance = new WebAssembly.Instance(new WebAssembly.Module(simdModuleBytes(shared) as Uint8Array<ArrayBuffer>), {
        env: { memory },
      });
      fn = instance.exports.adam as SimdAdam;
    } catch {
      fn = null; // a runtime without wasm SIMD: the JavaScript loop
    }
    simdByMemory.set(memory, fn);
  }
  return fn ?? undefined;
}
type CpuBackend = tf.KernelBackend & {
  data: { get(dataId: tf.DataId): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
};

const wasmAccess = (b: tf.KernelBackend): Access => {
  const backend = b as WasmBackend;
  return {
    view: (info) => backend.typedArrayFromHeap(info),
    alloc: (shape) => backend.makeOutput(shape, 'float32'),
    simd: simdFor(backend),
  };
};
const cpuAccess = (b: tf.KernelBackend): Access => {
  const backend = b as CpuBackend;
  return {
    view: (info) => backend.data.get(info.dataId).values,
    alloc: (shape) => backend.makeTensorInfo(shape, 'float32', new Float32Array(tf.util.sizeFromShape(shape))),
  };
};

const f32 = Math.fround;

/**
 * One Adam update of a variable and its moments, element by element, with float32 rounding after
 * every operation in the order of tfjs 4.22's `AdamOptimizer.applyGradients`:
 * `m' = m·β₁ + g·(1-β₁)`, `v' = v·β₂ + g²·(1-β₂)`,
 * `x' = (m'/(1-β₁ᵗ)) / (√(v'/(1-β₂ᵗ)) + ε) · (-lr) + x`. A product, quotient, sum or square root
 * of float32 values computed in float64 and rounded once to float32 is the float32 operation's
 * result, so this gives tfjs's values bit for bit. The moments `m`, `v` are updated in place when
 * their buffers are theirs alone (the output then shares them), else written to fresh buffers (a
 * clone shares its source's buffer on wasm: see `Identity`); the variable's new value always goes
 * to a fresh buffer (see below).
 */
function fusedAdam(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }, access: Access): tf.TensorInfo[] {
  const inputs = args.inputs as unknown as Partial<FusedAdamInputs>;
  const attrs = (args.attrs ?? {}) as unknown as Partial<FusedAdamAttrs>;
  const backend = args.backend as tf.KernelBackend;
  const { x, m, v, gradient, oneMinusAccBeta1, oneMinusAccBeta2 } = inputs;
  const named = { x, m, v, gradient, oneMinusAccBeta1, oneMinusAccBeta2 };
  for (const [name, t] of Object.entries(named)) {
    if (t == null) throw new BackendError('backend', `${FUSED_ADAM_KERNEL}: input '${name}' is missing`);
    if (t.dtype !== 'float32') throw new BackendError('backend', `${FUSED_ADAM_KERNEL}: input '${name}' must be float32, got ${t.dtype}`);
  }
  const size = tf.util.sizeFromShape((x as tf.TensorInfo).shape);
  for (const [name, t] of Object.entries({ m, v, gradient })) {
    if (tf.util.sizeFromShape((t as tf.TensorInfo).shape) !== size) {
      throw new BackendError('backend', `${FUSED_ADAM_KERNEL}: '${name}' has shape [${t?.shape}], the variable [${x?.shape}]`);
    }
  }
  for (const key of ['learningRate', 'beta1', 'beta2', 'epsilon'] as const) {
    if (typeof attrs[key] !== 'number') throw new BackendError('backend', `${FUSED_ADAM_KERNEL}: attribute '${key}' must be a number`);
  }
  // The moments in place when their buffers are theirs alone; the variable always to a new buffer:
  // tfjs's wasm conv2d and matMul cache XNNPACK operators with the weights packed into them under
  // the weights' buffer id, so a variable changed in place would be read stale (a new buffer, and
  // the old one freed by `assign`, drops that cache entry).
  const outs = [x, m, v].map((t, k) => {
    const info = t as tf.TensorInfo;
    if (k > 0 && backend.refCount(info.dataId) === 1) {
      backend.incRef(info.dataId);
      return { dataId: info.dataId, shape: [...info.shape], dtype: 'float32' as const };
    }
    return access.alloc([...info.shape]);
  });
  // Views only now: allocating may have grown (and detached) wasm memory.
  const X = access.view(x as tf.TensorInfo);
  const M = access.view(m as tf.TensorInfo);
  const V = access.view(v as tf.TensorInfo);
  const G = access.view(gradient as tf.TensorInfo);
  const XO = access.view(outs[0]);
  const MO = access.view(outs[1]);
  const VO = access.view(outs[2]);
  const c1 = access.view(oneMinusAccBeta1 as tf.TensorInfo)[0];
  const c2 = access.view(oneMinusAccBeta2 as tf.TensorInfo)[0];
  const b1 = f32(attrs.beta1 as number);
  const a1 = f32(1 - (attrs.beta1 as number));
  const b2 = f32(attrs.beta2 as number);
  const a2 = f32(1 - (attrs.beta2 as number));
  const eps = f32(attrs.epsilon as number);
  const step = f32(-(attrs.learningRate as number));
  let first = 0;
  if (access.simd) {
    first = size - (size % 4);
    const at = (t: Float32Array) => t.byteOffset;
    access.simd(at(X), at(M), at(V), at(G), at(XO), at(MO), at(VO), first * 4, b1, a1, b2, a2, c1, c2, eps, step);
  }
  for (let i = first; i < size; i++) {
    const g = G[i];
    const m1 = f32(f32(M[i] * b1) + f32(g * a1));
    const v1 = f32(f32(V[i] * b2) + f32(f32(g * g) * a2));
    const denominator = f32(f32(Math.sqrt(f32(v1 / c2))) + eps);
    const update = f32(f32(f32(m1 / c1) / denominator) * step);
    const xi = X[i];
    MO[i] = m1;
    VO[i] = v1;
    XO[i] = update + xi; // the Float32Array store rounds
  }
  return outs;
}

/** {@link FUSED_ADAM_KERNEL} for the wasm backend (registered by `registerWasmTrainingKernels`). @internal */
export const fusedAdamWasmConfig: tf.KernelConfig = {
  kernelName: FUSED_ADAM_KERNEL,
  backendName: 'wasm',
  kernelFunc: (args) => fusedAdam(args, wasmAccess(args.backend as tf.KernelBackend)),
};

/** {@link FUSED_ADAM_KERNEL} for the cpu backend. @internal */
export const fusedAdamCpuConfig: tf.KernelConfig = {
  kernelName: FUSED_ADAM_KERNEL,
  backendName: 'cpu',
  kernelFunc: (args) => fusedAdam(args, cpuAccess(args.backend as tf.KernelBackend)),
};

/** Registers {@link FUSED_ADAM_KERNEL} for the cpu backend (idempotent; importing this package does it). @internal */
export function registerCpuFusedAdam(): void {
  if (tf.getKernel(FUSED_ADAM_KERNEL, 'cpu') == null) tf.registerKernel(fusedAdamCpuConfig);
}
