import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base';

export default defineConfig([
  packageConfig({ platform: 'node' }),
  // The executable: ESM only, no declarations.
  packageConfig({ entry: ['src/bin.ts'], format: ['esm'], dts: false, clean: false, platform: 'node' }),
]);
