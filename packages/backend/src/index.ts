/**
 * `@gankit/backend`: picks the fastest tfjs backend available and makes the wasm backend able to
 * train convolutional GANs.
 *
 * - {@link initBackend}: tfjs-node-gpu, then tfjs-node, then wasm, then cpu; forced by
 *   `options.backend` or `GANKIT_BACKEND`; returns a {@link BackendReport} saying why.
 * - {@link describeBackend}: a one-line summary of the active backend.
 * - {@link registerWasmTrainingKernels}: `Conv2DBackpropFilter`, a fast `Conv2DBackpropInput` and
 *   `UnsortedSegmentSum` for the wasm backend, and faster `BatchMatMul` (transposed products),
 *   `Sum`/`Mean` (leading axes), `Greater` (against a scalar), `Identity` (no copy), `LeakyRelu`
 *   and `Select` (WebAssembly SIMD) around tfjs's own (called by {@link initBackend} on wasm).
 * - {@link FUSED_ADAM_KERNEL}: one Adam update per variable in one call, for wasm and cpu (what
 *   `fusedAdam` of `@gankit/trainer` calls; bit for bit `tf.train.adam`'s numbers).
 *
 * - `initBackend({ threads })`: threads inside each wasm kernel (opt-in), on tfjs's threaded SIMD
 *   build, which gankit also runs in Node; the same numbers as one thread.
 *
 * Node only, from `@gankit/backend/node`: `runReplicas` and `AllReduceMember`, data-parallel
 * training on worker threads (by default tfjs's wasm backend runs one thread in Node).
 *
 * Importing this package registers the wasm and cpu backends with `@tensorflow/tfjs-core`.
 *
 * @packageDocumentation
 */
export { BackendError } from './errors';
export { BACKEND_CHOICES, describeBackend, initBackend, parseBackendChoice } from './select';
export type { BackendAttempt, BackendChoice, BackendReport, InitBackendOptions } from './select';
export {
  WASM_TRAINING_KERNELS,
  registerWasmTrainingKernels,
  registeredWasmTrainingKernels,
  unregisterWasmTrainingKernels,
} from './kernels/register';
export { FUSED_ADAM_KERNEL } from './kernels/FusedAdam';
