// initBackend({ threads }): tfjs's threaded SIMD wasm build on Node's worker threads. Each thread
// count runs in its own process (a process starts the wasm backend once), from the built package:
// build first.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { initBackend } from './select';
import { runReplicas } from './parallel/replicas';

const fixture = fileURLToPath(new URL('../test/fixtures/threads-kernels.mjs', import.meta.url));

interface FixtureResult {
  report: { backend: string; threads: number; reason: string };
  describe: string;
  losses: number[];
  [kernel: string]: unknown;
}

function runFixture(threads: number): FixtureResult {
  const r = spawnSync(process.execPath, [fixture, String(threads)], { encoding: 'utf8', timeout: 90_000, maxBuffer: 2 ** 26 });
  // A pool thread left holding the process would end in the timeout (status null, signal SIGTERM).
  expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
  return JSON.parse(r.stdout) as FixtureResult;
}

const KERNELS = [
  'conv2d',
  'matMul',
  'matMulTransposed',
  'filterGrad',
  'inputGrad',
  'fusedAdam',
  'gDense',
  'gKernel',
  'dKernel',
  'dDense',
  'losses',
];

describe('wasm threads inside kernels (initBackend({ threads }))', () => {
  it('2 and 3 threads give the one-thread numbers bit for bit for conv2d, matMul, the training kernels and Adam steps, and the process exits', () => {
    const one = runFixture(1);
    expect(one.report.threads).toBe(1);
    expect(one.describe).toMatch(/^wasm \(SIMD, 1 thread,/);
    for (const threads of [2, 3]) {
      const many = runFixture(threads);
      expect(many.report).toMatchObject({
        backend: 'wasm',
        threads,
        reason: `forced by options.backend=wasm; wasm ready, ${threads} threads`,
      });
      expect(many.describe).toMatch(new RegExp(`^wasm \\(SIMD, ${threads} threads, \\+Conv2DBackpropFilter`));
      for (const k of KERNELS) {
        const a = one[k] as number[];
        const b = many[k] as number[];
        expect(b.length, k).toBe(a.length);
        expect(
          a.some((x) => x !== 0),
          k,
        ).toBe(true);
        // XNNPACK splits the output among threads, never a sum: the same numbers bit for bit.
        const differing = a.filter((x, i) => !Object.is(x, b[i])).length;
        expect(differing, `${k}: values that differ with ${threads} threads`).toBe(0);
      }
    }
  });

  it('refuses a bad thread count, and a count other than the one the wasm backend already started with', async () => {
    for (const bad of [0, 9, 1.5, Number.NaN]) {
      await expect(initBackend({ backend: 'wasm', threads: bad })).rejects.toMatchObject({
        name: 'BackendError',
        code: 'config',
        message: `options.threads must be an integer from 1 to 8, got ${bad}`,
      });
    }
    // The test setup started wasm with its one-thread build.
    await expect(initBackend({ backend: 'wasm', threads: 2 })).rejects.toMatchObject({
      code: 'config',
      message: expect.stringMatching(/^options\.threads is 2 but the wasm backend already started with 1 thread\(s\)/),
    });
    await expect(initBackend({ backend: 'wasm', threads: 1 })).resolves.toMatchObject({ backend: 'wasm', threads: 1 });
    await expect(runReplicas({ module: fixture, threads: 0 })).rejects.toThrow(
      /runReplicas: threads must be an integer from 1 to 8, got 0/,
    );
  });
});
