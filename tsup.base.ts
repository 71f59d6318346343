import type { Options } from 'tsup';

/**
 * Shared tsup settings for every gankit package: ESM + CJS + declarations, and every
 * `@tensorflow/*` and `@gankit/*` import left external so that one copy of tfjs-core is used.
 *
 * The CommonJS build is made with esbuild's `platform: 'node'` whatever the package's platform:
 * only then does esbuild end it with the `0 && (module.exports = { a, b, ... })` annotation that
 * Node's cjs-module-lexer reads, so that an ESM `import()` of the `.cjs` file sees the named
 * exports and not only `default` (`npm run check:packages` tests it on the packed tarballs). The
 * ESM build keeps the package's platform (`'neutral'` unless a package says `'node'`).
 */
export function packageConfig(overrides: Partial<Options> = {}): Options {
  const { esbuildOptions, ...rest } = overrides;
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    external: [/^@tensorflow\//, /^@gankit\//],
    ...rest,
    esbuildOptions(options, context) {
      if (context.format === 'cjs') options.platform = 'node';
      esbuildOptions?.(options, context);
    },
  };
}
