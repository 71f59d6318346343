import * as tf from '@tensorflow/tfjs-core';

/**
 * An `Identity` for the wasm backend that shares its input's buffer instead of copying it, as the
 * cpu backend's does and as wasm's own `Reshape` does: it takes one more reference on the
 * input's data. tfjs tensors are immutable (a variable's `assign` swaps buffers, it never writes
 * into one), so a shared buffer is safe. tfjs's wasm kernel copies every time, and a training
 * step makes ~150 identities (`tf.clone`, gradient pass-throughs, optimizer state): ~13 ms of a
 * DCGAN-MNIST step on one core. String tensors go to `original`.
 *
 * @param original - tfjs's wasm `Identity` kernel config
 * @internal
 */
export function identityConfigFrom(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x } = args.inputs as unknown as tf.IdentityInputs;
    if (x == null || x.dtype === 'string') return original.kernelFunc(args);
    (args.backend as tf.KernelBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
  return {
    kernelName: tf.Identity,
    backendName: 'wasm',
    kernelFunc,
    // setupFunc / disposeFunc only where the original has them (exactOptionalPropertyTypes).
    ...(original.setupFunc ? { setupFunc: original.setupFunc } : {}),
    ...(original.disposeFunc ? { disposeFunc: original.disposeFunc } : {}),
  };
}
