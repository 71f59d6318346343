// gankit train --threads: threads inside each wasm kernel (the CLI runs from dist/, so build first;
// turbo's test task does).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

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
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-threads-'));

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
  });

  it('refuses a bad thread count before anything starts (exit 2)', async () => {
    const bad = await run(['train', '--example', 'mnist-dcgan', '--threads', '9', '--steps', '1', '--out', tmp()]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("gankit train: --threads must be a whole number from 1 to 8 (decimal digits), got '9'\n");
  });
});
