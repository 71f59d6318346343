import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { exampleNames } from './examples';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');
/** Runs the command without blocking the test worker (a blocked worker times out vitest's RPC). */
const run = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { encoding: 'utf8', env: { ...process.env, GANKIT_BACKEND: 'wasm' } },
      (err, stdout, stderr) => {
        resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });

describe('gankit command', () => {
  it('prints help for the command and for train', async () => {
    const help = await run(['--help']);
    expect([help.status, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toMatch(/gankit train --example <name>/);
    // No arguments at all is a usage error: the usage goes to stderr, exit code 2.
    const bare = await run([]);
    expect([bare.status, bare.stdout]).toEqual([2, '']);
    expect(bare.stderr).toMatch(
      /^gankit — train and evaluate GANs[\s\S]*Usage:\n {2}gankit train --example <name>[\s\S]*Exit codes: 0 done; 2 a bad argument/,
    );
    const train = await run(['train', '--help']);
    expect(train.status).toBe(0);
    expect(train.stdout).toMatch(/--steps <N>/);
    expect(train.stdout).toMatch(/ring8/);
  });

  it('names bad arguments with exit code 2', async () => {
    const unknown = await run(['train', '--example', 'nope']);
    expect(unknown.status).toBe(2);
    // Every built-in example (CycleGAN's custom one included), in alphabetical order.
    const names = exampleNames();
    expect(names).toEqual(expect.arrayContaining(['cyclegan-digits', 'mnist-dcgan', 'ring8', 'ring8-unrolled']));
    expect(unknown.stderr).toBe(`gankit train: unknown example 'nope'; one of: ${names.join(', ')}\n`);
    const steps = await run(['train', '--example', 'ring8', '--steps', 'ten']);
    expect(steps.status).toBe(2);
    expect(steps.stderr).toBe("gankit train: --steps must be a whole number from 1 to 100000000 (decimal digits), got 'ten'\n");
    const flag = await run(['train', '--exmple', 'ring8']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toBe(
      "gankit train: unknown option '--exmple'; did you mean '--example'? (gankit train --help lists the options)\n",
    );
    const fly = await run(['fly']);
    expect([fly.status, fly.stderr]).toEqual([
      2,
      "gankit: unknown command 'fly' (commands: train, sample, eval, interpolate, schema; gankit --help)\n",
    ]);
    // BackendError (from @gankit/backend) is answered like a GankitError: one line, exit code 2.
    const backend = await run(['train', '--example', 'ring8', '--backend', 'tpu']);
    expect([backend.status, backend.stdout]).toEqual([2, '']);
    expect(backend.stderr).toBe(
      "gankit train: unknown backend 'tpu' (from --backend); valid values are 'tensorflow', 'tfjs-node', 'tfjs-node-gpu', 'wasm', 'cpu'\n",
    );
  });

  it('trains ring8 and writes samples.csv, samples.png and metrics.json', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-cli-'));
    const r = await run(['train', '--example', 'ring8', '--steps', '25', '--seed', '3', '--out', out, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/backend: wasm/);
    const csv = fs.readFileSync(path.join(out, 'samples.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('x,y');
    expect(csv.length - 1).toBeGreaterThanOrEqual(2000);
    for (const line of csv.slice(1, 50)) {
      const parts = line.split(',').map(Number);
      expect(parts).toHaveLength(2);
      expect(parts.every(Number.isFinite)).toBe(true);
    }
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ steps: 25, backend: 'wasm', seed: 3, numModes: 8 });
    expect(metrics.modesCaptured).toBeGreaterThanOrEqual(0);
    expect(metrics.highQualityFraction).toBeGreaterThanOrEqual(0);
    expect(metrics.highQualityFraction).toBeLessThanOrEqual(1);
    expect(metrics.seconds).toBeGreaterThan(0);
    const png = PNG.sync.read(fs.readFileSync(path.join(out, 'samples.png')));
    expect([png.width, png.height]).toEqual([512, 512]);
    // Not blank: some pixels are the generated points' red.
    let red = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] > 150 && png.data[i + 1] < 120) red++;
    expect(red).toBeGreaterThan(50);
    // The same seed repeats the run bit for bit.
    const out2 = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-cli-'));
    expect((await run(['train', '--example', 'ring8', '--steps', '25', '--seed', '3', '--out', out2, '--quiet'])).status).toBe(0);
    expect(fs.readFileSync(path.join(out2, 'samples.csv'), 'utf8')).toBe(fs.readFileSync(path.join(out, 'samples.csv'), 'utf8'));
  });

  it('--resume goes on from the newest checkpoint and ends bit-identical to an uninterrupted run', async () => {
    const straight = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-cli-'));
    const resumed = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-cli-'));
    const common = ['train', '--example', 'ring8', '--seed', '5', '--quiet'];
    expect((await run([...common, '--steps', '24', '--out', straight])).status).toBe(0);
    const first = await run([...common, '--steps', '12', '--out', resumed, '--checkpoint-every', '6', '--resume']);
    expect(first.stderr).toMatch(/no checkpoint in .*; starting afresh/);
    expect(fs.readdirSync(path.join(resumed, 'checkpoints')).filter((f) => f.startsWith('step-'))).toEqual([
      'step-000000006',
      'step-000000012',
    ]);
    const second = await run([...common, '--steps', '24', '--out', resumed, '--checkpoint-every', '6', '--resume']);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/resumed from .*step-000000012 \(step 12\)/);
    expect(fs.readFileSync(path.join(resumed, 'samples.csv'), 'utf8')).toBe(fs.readFileSync(path.join(straight, 'samples.csv'), 'utf8'));
    expect(fs.readFileSync(path.join(resumed, 'final', 'weights.bin'))).toEqual(
      fs.readFileSync(path.join(straight, 'final', 'weights.bin')),
    );
    expect(JSON.parse(fs.readFileSync(path.join(resumed, 'metrics.json'), 'utf8')).steps).toBe(24);
  });
});
