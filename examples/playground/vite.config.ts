import { defineConfig } from 'vite';

// The gankit packages are workspace links (node_modules/@gankit/* -> packages/*); their dist files
// import the bare '@tensorflow/tfjs-core'. Everything must share ONE copy of tfjs-core: two copies
// register kernels twice and break `instanceof tf.Tensor` checks between the packages.
//  - `resolve.dedupe` makes every import of tfjs-core (from the page, the backends and the linked
//    gankit packages) resolve to the root node_modules copy;
//  - in dev, `optimizeDeps` pre-bundles tfjs-core and the two backends together (esbuild puts the
//    shared tfjs-core into one chunk) and leaves the linked gankit packages out, so they are served
//    as plain ES modules whose bare tfjs-core import is rewritten to that same pre-bundled chunk.
// The page checks at start-up that a tensor made inside @gankit/trainer is an instance of the
// page's own tf.Tensor and reports it as `window.__playground.singleTfjsCore`.
const gankit = [
  '@gankit/core',
  '@gankit/trainer',
  '@gankit/architectures',
  '@gankit/losses',
  '@gankit/regularizers',
  '@gankit/averaging',
  '@gankit/data',
  '@gankit/metrics',
];

export default defineConfig({
  base: './',
  resolve: {
    dedupe: ['@tensorflow/tfjs-core'],
  },
  optimizeDeps: {
    include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgl', '@tensorflow/tfjs-backend-wasm'],
    exclude: gankit,
  },
  build: {
    target: 'es2022',
    // tfjs-core + two backends are large by nature; the warning would only be noise.
    chunkSizeWarningLimit: 4000,
    // The .wasm binaries are imported with `?url` and must stay separate files.
    assetsInlineLimit: 0,
  },
});
