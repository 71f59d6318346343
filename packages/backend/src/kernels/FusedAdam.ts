import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../errors';
import { type SimdKernels, type WasmBackend, simdFor } from './simd';

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
  simd?: SimdKernels | undefined;
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
    access.simd.adam(at(X), at(M), at(V), at(G), at(XO), at(MO), at(VO), first * 4, b1, a1, b2, a2, c1, c2, eps, step);
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
