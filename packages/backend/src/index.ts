/**
 * `@gankit/backend`: picks the fastest tfjs backend available and makes the wasm backend able to
 * train convolutional GANs.
 *
 * - {@link initBackend}: tfjs-node-gpu, then tfjs-node, then wasm, then cpu; forced by
 *   `options.backend` or `GANKIT_BACKEND`; returns a {@link BackendReport} saying why.
 * - {@link describeBackend}: a one-line summary of the active backend.
 * - {@link registerWasmTrainingKernels}: `Conv2DBackpropFilter`, a fast `Conv2DBackpropInput` and
 *   `UnsortedSegmentSum` for the wasm backend (called by {@link initBackend} on wasm).
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
