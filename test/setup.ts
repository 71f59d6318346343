// Test setup shared by every package: tests run on the embedded wasm backend chosen through
// @gankit/backend (so gankit's wasm training kernels are registered), as the CLI and CI do.
// GANKIT_TEST_BACKEND=cpu runs a suite on the pure-JS backend instead. A test that compares
// against 'cpu' switches to it itself and back.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '@gankit/backend';

await initBackend({ backend: process.env.GANKIT_TEST_BACKEND ?? 'wasm', log: () => undefined });
await tf.ready();
