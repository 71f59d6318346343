// runReplicas runs from the built package (its worker is dist/replica-worker.js): build first.
import { describe, expect, it } from 'vitest';
import { GankitError } from '@gankit/core';
import { AllReduceMember, createAllReduceGroup, runReplicas } from '@gankit/backend/node';

const fixture = new URL('../../test/fixtures/reduce-replica.mjs', import.meta.url);

describe('runReplicas and the shared all-reduce', () => {
  it('gives every replica the same mean, bit for bit, round after round', async () => {
    for (const workers of [1, 2, 3]) {
      const results = await runReplicas<{ index: number; count: number; backend: string; out: number[][] }>({
        module: fixture,
        workers,
        options: { rounds: 4 },
      });
      expect(results.map((r) => r.index)).toEqual(Array.from({ length: workers }, (_, i) => i));
      for (const r of results) {
        expect(r.count).toBe(workers);
        expect(r.backend).toBe('wasm');
        expect(r.out).toEqual(results[0].out); // identical in every replica
      }
      results[0].out.forEach((v, round) => {
        const ks = Array.from({ length: workers }, (_, k) => k);
        expect(v[0]).toBe((ks.reduce((s, k) => s + (k + 1), 0) * (round + 1)) / workers);
        expect(v[1]).toBe(Math.fround(ks.reduce((s, k) => s + Math.fround(k === 0 ? 0.1 : 0.2), 0) / workers));
        expect(v[2] + 0).toBe(-ks.reduce((s, k) => s + k, 0) / workers + 0);
      });
    }
  });

  it('a failing replica rejects with its own error, and the others stop instead of waiting forever', async () => {
    const started = Date.now();
    await expect(runReplicas({ module: fixture, workers: 3, options: { failAt: 1, rounds: 1000 } })).rejects.toMatchObject({
      message: 'replica 1 asked to fail',
      code: 'fixture',
    });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("a replica's GankitError reaches the caller as a GankitError with its code (one catch for the CLI)", async () => {
    const err = await runReplicas({ module: fixture, workers: 2, options: { gankitFailAt: 1, rounds: 1000 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GankitError);
    expect(err).toMatchObject({ name: 'GankitError', code: 'data', message: 'replica 1 found no data' });
    const missing = await runReplicas({ module: fixture, exportName: 'nope', workers: 1 }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(GankitError);
    expect(missing).toMatchObject({ name: 'BackendError', code: 'config' });
  });

  it('checks its arguments', async () => {
    await expect(runReplicas({ module: fixture, workers: 0 })).rejects.toThrow(/workers must be an integer >= 1, got 0/);
    await expect(runReplicas({ module: 'relative.mjs' })).rejects.toThrow(/absolute path or a URL, got 'relative.mjs'/);
    await expect(runReplicas({ module: fixture, exportName: 'nope', workers: 1 })).rejects.toThrow(/has no function export 'nope'/);
    const group = createAllReduceGroup(2, 4);
    expect(() => new AllReduceMember(group, 2)).toThrow(/index must be an integer in \[0, 2\), got 2/);
    expect(() => new AllReduceMember(group, 0).allReduceMean(new Float32Array(5))).toThrow(/5 values exceed the group's capacity 4/);
    expect(() => createAllReduceGroup(0, 4)).toThrow(/count must be an integer >= 1/);
  });
});
