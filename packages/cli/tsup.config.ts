import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';
import { packageConfig } from '../../tsup.base';

// The built-in examples (../../examples/*/example.ts, reached through src/generated/, which
// scripts/build-examples.mjs writes first) import the example kit as '@gankit/cli': compiled in,
// that is the kit's source (tsconfig.json's paths say the same to tsc and to the declarations).
const kit = fileURLToPath(new URL('./src/examples/kit.ts', import.meta.url));
const examples: Partial<Options> = {
  external: [/^@tensorflow\//, /^@gankit\/(?!cli$)/],
  esbuildOptions(options) {
    options.alias = { ...options.alias, '@gankit/cli': kit };
  },
};

export default defineConfig([
  // index + replica (the module trainInWorkers' worker threads load, found next to the bundle).
  packageConfig({ platform: 'node', entry: ['src/index.ts', 'src/replica.ts'], shims: true, ...examples }),
  // The executable: ESM only, no declarations.
  packageConfig({ entry: ['src/bin.ts'], format: ['esm'], dts: false, clean: false, platform: 'node', ...examples }),
]);
