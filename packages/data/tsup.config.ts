import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base';

// One build for both entries so that they share chunks (one InMemoryDataset class, one set of
// declarations). Platform 'node' keeps `node:*` built-ins (used only by src/node.ts) external;
// src/index.ts imports none, and a test checks that it stays browser-safe. `shims` gives the CJS
// build of node.ts an `import.meta.url` (used to locate the `mnist` package).
export default defineConfig(
  packageConfig({
    entry: ['src/index.ts', 'src/node.ts'],
    platform: 'node',
    splitting: true,
    shims: true,
  }),
);
