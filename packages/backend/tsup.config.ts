import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base';

// Four entries: the package (browser and Node), `./node` (Node only: DataParallel, runReplicas) and
// the worker threads they start (dist/parallel-worker.js, dist/replica-worker.js, found next to the bundle through
// import.meta.url, which `shims` provides in the CommonJS build).
export default defineConfig(
  packageConfig({
    entry: ['src/index.ts', 'src/node.ts', 'src/parallel-worker.ts', 'src/replica-worker.ts'],
    shims: true,
    external: [/^@tensorflow\//, /^@gankit\//, /^node:/],
  })
);
