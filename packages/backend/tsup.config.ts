import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base';

// Three entries: the package (browser and Node), `./node` (Node only: runReplicas) and the worker
// thread it starts (dist/replica-worker.js, found next to the bundle through
// import.meta.url, which `shims` provides in the CommonJS build).
export default defineConfig(
  packageConfig({
    entry: ['src/index.ts', 'src/node.ts', 'src/replica-worker.ts'],
    shims: true,
    external: [/^@tensorflow\//, /^@gankit\//, /^node:/],
  }),
);
