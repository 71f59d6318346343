import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

/**
 * Shared vitest settings: tests beside the code, the wasm backend set up before each file, and a
 * temporary folder of the run's own (TMPDIR) that is removed afterwards.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: [fileURLToPath(new URL('./test/setup.ts', import.meta.url))],
    globalSetup: [fileURLToPath(new URL('./test/tmpdir.ts', import.meta.url))],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
