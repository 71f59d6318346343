import { fileURLToPath } from 'node:url';
import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared';

// The built-in examples (../../examples/*/example.ts) import the example kit as '@gankit/cli': the
// tests run them on the kit's source, as the build compiles them (tsconfig.json, tsup.config.ts).
export default mergeConfig(shared, {
  resolve: { alias: { '@gankit/cli': fileURLToPath(new URL('./src/examples/kit.ts', import.meta.url)) } },
});
