// Test setup shared by every package: tests run on the embedded wasm backend, as CI does.
// A test that needs a kernel wasm lacks switches to 'cpu' itself and back.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';

const wanted = process.env.GANKIT_TEST_BACKEND ?? 'wasm';
if (tf.getBackend() !== wanted) {
  const ok = await tf.setBackend(wanted);
  if (!ok) throw new Error(`test setup: backend '${wanted}' failed to initialise`);
}
await tf.ready();
