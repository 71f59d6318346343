import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base';

// Two entries: the browser-safe loop (src/index.ts) and the Node-only checkpoint files
// (src/node.ts). Platform 'node' keeps `node:*` built-ins external; src/index.ts imports none.
export default defineConfig(
  packageConfig({
    entry: ['src/index.ts', 'src/node.ts'],
    platform: 'node',
  }),
);
