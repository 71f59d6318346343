import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base';

// Three entries: the package (browser and Node), `./node` (Node only: DataParallel) and the worker
// thread that DataParallel starts (dist/parallel-worker.js, found next to the bundle through
// import.meta.url, which `shims` provides in the CommonJS build).
export default defineConfig(
  packageConfig({
    entry: ['src/index.ts', 'src/node.ts', 'src/parallel-worker.ts'],
    shims: true,
    external: [/^@tensorflow\//, /^@gankit\//, /^node:/],
  })
);
