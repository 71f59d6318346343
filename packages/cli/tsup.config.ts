import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base';

export default defineConfig([
  // index + replica (the module trainInWorkers' worker threads load, found next to the bundle).
  packageConfig({ platform: 'node', entry: ['src/index.ts', 'src/replica.ts'], shims: true }),
  // The executable: ESM only, no declarations.
  packageConfig({ entry: ['src/bin.ts'], format: ['esm'], dts: false, clean: false, platform: 'node' }),
]);
