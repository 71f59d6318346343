import type { Options } from 'tsup';

/**
 * Shared tsup settings for every gankit package: ESM + CJS + declarations, and every
 * `@tensorflow/*` and `@gankit/*` import left external so that one copy of tfjs-core is used.
 */
export function packageConfig(overrides: Partial<Options> = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    external: [/^@tensorflow\//, /^@gankit\//],
    ...overrides,
  };
}
