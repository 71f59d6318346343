// gankit train --workers (data-parallel replicas in worker threads) and --threads (the workers
// load dist/, so build first; turbo's test task does).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chooseWorkers } from './cli';
import { EXAMPLES } from './examples/index';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');
const run = (args: string[]) =>
  new Promise<{ status: number | null; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { encoding: 'utf8', env: { ...process.env, GANKIT_BACKEND: 'wasm' } },
      (err, _stdout, stderr) => {
        resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
      },
    );
  });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-workers-'));

describe('chooseWorkers', () => {
  const images = EXAMPLES['mnist-sagan'];
  const points = EXAMPLES.ring8;
  it("'auto' uses the cores (up to 4) that divide the batch, for image examples on single-threaded backends only", () => {
    expect(chooseWorkers('auto', images, 'wasm', 64, 2)).toBe(2);
    expect(chooseWorkers('auto', images, 'wasm', 64, 16)).toBe(4);
    expect(chooseWorkers('auto', images, 'cpu', 60, 16)).toBe(4);
    expect(chooseWorkers('auto', images, 'wasm', 63, 4)).toBe(3);
    expect(chooseWorkers('auto', images, 'wasm', 7, 4)).toBe(1);
    expect(chooseWorkers('auto', images, 'wasm', 64, 1)).toBe(1);
    expect(chooseWorkers('auto', images, 'tensorflow', 64, 16)).toBe(1); // tfjs-node already uses every core
    expect(chooseWorkers('auto', points, 'wasm', 128, 16)).toBe(1);
  });
  it("'auto' gives examples that use the cores as kernel threads (parallelism 'threads') one replica", () => {
    for (const name of ['mnist-dcgan', 'mnist-cgan', 'mnist-acgan', 'mnist-infogan', 'mnist-sngan-hinge']) {
      expect(EXAMPLES[name].parallelism, name).toBe('threads');
      expect(chooseWorkers('auto', EXAMPLES[name], 'wasm', 64, 16), name).toBe(1);
      expect(chooseWorkers(2, EXAMPLES[name], 'wasm', 64, 16), name).toBe(2);
    }
  });
  it('checks an explicit count against the batch', () => {
    expect(chooseWorkers(3, images, 'wasm', 63)).toBe(3);
    expect(() => chooseWorkers(3, images, 'wasm', 64)).toThrow(/--workers 3 does not divide the batch of 64; use a divisor of 64/);
  });
});

describe('gankit train --workers', () => {
  it('two replicas: one run directory, and a resume that ends bit-identical to the uninterrupted run', async () => {
    const common = ['train', '--example', 'mnist-dcgan', '--workers', '2', '--eval-samples', '10', '--grid-every', '2', '--quiet'];
    const straight = tmp();
    const a = await run([...common, '--steps', '4', '--out', straight]);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stderr).toMatch(/workers: 2 data-parallel replicas, 32 examples of each batch apiece/);
    expect(JSON.parse(fs.readFileSync(path.join(straight, 'config.json'), 'utf8'))).toMatchObject({ workers: 2, batchSize: 64 });
    // Replica 0 alone writes: one line per iteration in the log, one grid per 2 iterations.
    expect(fs.readFileSync(path.join(straight, 'logs.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);
    expect(fs.readdirSync(path.join(straight, 'grids')).sort()).toEqual(['step-000000002.png', 'step-000000004.png']);

    const resumed = tmp();
    expect((await run([...common, '--steps', '2', '--checkpoint-every', '2', '--out', resumed])).status).toBe(0);
    const b = await run([...common, '--steps', '4', '--checkpoint-every', '2', '--resume', '--out', resumed]);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/resumed from .*step-000000002 \(step 2\)/);
    // Buffer.equals: toEqual on the tens of megabytes of weights.bin runs out of memory.
    expect(
      fs.readFileSync(path.join(resumed, 'final', 'weights.bin')).equals(fs.readFileSync(path.join(straight, 'final', 'weights.bin'))),
    ).toBe(true);
  });

  it('a bad worker count and an error inside the replicas end with one clean line (exit 2)', async () => {
    const bad = await run(['train', '--example', 'mnist-dcgan', '--workers', '3', '--steps', '1', '--out', tmp()]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/gankit train: --workers 3 does not divide the batch of 64/);
    const dir = tmp();
    const config = path.join(dir, 'fashion.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        data: { name: 'fashion-mnist', dir: path.join(dir, 'absent') },
        architecture: { name: 'dcgan', baseFilters: 2, batchNorm: false },
        batchSize: 4,
      }),
    );
    const failing = await run(['train', '--config', config, '--workers', '2', '--steps', '1', '--out', path.join(dir, 'run'), '--quiet']);
    expect(failing.status).toBe(2);
    expect(failing.stderr).toMatch(/^gankit train: Fashion-MNIST is not installed in .*absent/m);
    expect(failing.stderr).not.toMatch(/\n\s+at /);
  });
});

// --threads: threads inside each wasm kernel.
describe('gankit train --threads', () => {
  it('2 threads train the same weights as 1, bit for bit (bench/dcgan-threads.mjs checks 2 workers × 2 threads)', async () => {
    const common = ['train', '--example', 'mnist-dcgan', '--steps', '2', '--eval-samples', '10', '--grid-every', '2', '--quiet'];
    // A hash: toEqual on the megabytes of weights.bin element by element takes minutes.
    const weights = (dir: string) =>
      createHash('sha256')
        .update(fs.readFileSync(path.join(dir, 'final', 'weights.bin')))
        .digest('hex');
    const one = tmp();
    expect((await run([...common, '--workers', '1', '--out', one])).status).toBe(0);
    const two = tmp();
    const a = await run([...common, '--workers', '1', '--threads', '2', '--out', two]);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stderr).toMatch(/^backend: wasm \(.*wasm ready, 2 threads\)$/m);
    expect(weights(two)).toEqual(weights(one));
    // --workers auto on mnist-dcgan (parallelism 'threads'): one replica, a thread per core, the same weights.
    const auto = tmp();
    const c = await run([...common, '--out', auto]);
    expect(c.status, c.stderr).toBe(0);
    const cores = Math.min(8, os.availableParallelism());
    if (cores > 1) expect(c.stderr).toMatch(new RegExp(`^threads: ${cores} in each wasm kernel$`, 'm'));
    expect(c.stderr).not.toMatch(/data-parallel replicas/);
    expect(JSON.parse(fs.readFileSync(path.join(auto, 'config.json'), 'utf8'))).toMatchObject({ workers: 1 });
    expect(weights(auto)).toEqual(weights(one));
  });

  it('refuses a bad thread count before anything starts (exit 2)', async () => {
    const bad = await run(['train', '--example', 'mnist-dcgan', '--threads', '9', '--steps', '1', '--out', tmp()]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("gankit train: --threads must be a whole number from 1 to 8 (decimal digits), got '9'\n");
  });
});
