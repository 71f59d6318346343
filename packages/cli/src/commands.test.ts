import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { RandomSource } from '@gankit/core';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRun } from './run';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '..', 'dist', 'bin.js');
const root = path.resolve(here, '..', '..', '..');
/** Runs a node script without blocking the test worker (a blocked worker times out vitest's RPC). */
const node = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      args,
      { encoding: 'utf8', cwd: root, env: { ...process.env, GANKIT_BACKEND: 'wasm' }, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => {
        resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
const run = (args: string[]) => node([bin, ...args]);

/** A decoded PNG's grey value at (x, y) (the red channel of pngjs's RGBA). */
function pixel(png: PNG, x: number, y: number): number {
  return png.data[(y * png.width + x) * 4];
}

/** The 28×28 tile at grid position (row, col) of an imageGrid with 2 px padding, as bytes. */
function tile(png: PNG, row: number, col: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) out.push(pixel(png, 2 + col * 30 + x, 2 + row * 30 + y));
  return out;
}

/** Generator outputs in [-1, 1] as the grid's bytes. */
function toBytes(x: tf.Tensor, index: number): number[] {
  const v = x.dataSync().subarray(index * 784, (index + 1) * 784);
  return Array.from(v, (t) => Math.round(((Math.min(1, Math.max(-1, t)) + 1) / 2) * 255));
}

function maxDiff(a: number[], b: number[]): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

describe('gankit train --example mnist-dcgan and the run commands', () => {
  let dir: string;
  let trained: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-dcgan-'));
    trained = await run([
      'train',
      '--example',
      'mnist-dcgan',
      '--steps',
      '3',
      '--batch-size',
      '16',
      '--grid-every',
      '2',
      '--eval-samples',
      '100',
      '--seed',
      '4',
      '--out',
      dir,
    ]);
  });

  it('writes grids from fixed z, logs.jsonl, report.html and the FID/IS of the raw and EMA generators', () => {
    expect(trained.status, trained.stderr).toBe(0);
    expect(trained.stderr).toMatch(/train mnist-dcgan 3\/3/); // the progress bar
    expect(trained.stderr).toMatch(/evaluate ema 100\/100/);
    expect(fs.readdirSync(path.join(dir, 'grids')).sort()).toEqual(['step-000000002.png', 'step-000000003.png']);
    const grid = PNG.sync.read(fs.readFileSync(path.join(dir, 'grids', 'step-000000002.png')));
    expect([grid.width, grid.height]).toEqual([8 * 30 + 2, 8 * 30 + 2]); // 64 samples, 8 columns
    const logs = fs
      .readFileSync(path.join(dir, 'logs.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(logs.map((l) => l.step)).toEqual([1, 2, 3]);
    expect(logs.every((l) => Number.isFinite(l.dLoss) && Number.isFinite(l.gLoss))).toBe(true);
    const metrics = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({
      example: 'mnist-dcgan',
      metric: 'mnist',
      generator: 'ema',
      steps: 3,
      seed: 4,
      batchSize: 16,
      realImages: 9003,
    });
    for (const which of ['raw', 'ema']) {
      expect(metrics[which].samples).toBe(100);
      expect(metrics[which].fid).toBeGreaterThan(50); // 3 steps: far from digits
      expect(metrics[which].inceptionScore.mean).toBeGreaterThanOrEqual(1);
      expect(metrics[which].inceptionScore.mean).toBeLessThanOrEqual(10);
    }
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html.match(/<img /g)?.length).toBe(4); // two grids, final EMA and raw samples
    expect(html).toMatch(/ema FID/);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ example: 'mnist-dcgan', steps: 3, seed: 4, batchSize: 16 });
    const samples = PNG.sync.read(fs.readFileSync(path.join(dir, 'samples.png')));
    const raw = PNG.sync.read(fs.readFileSync(path.join(dir, 'samples-raw.png')));
    expect(samples.data.equals(raw.data)).toBe(false); // EMA and raw weights differ
  });

  it('sample writes a grid of the EMA generator by default and of the raw one with --raw', async () => {
    const out = path.join(dir, 'sample.png');
    const r = await run(['sample', '--run', dir, '--n', '16', '--seed', '2', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote 16 samples of mnist-dcgan \(step 3, averaged \(EMA\) generator\)/);
    const outRaw = path.join(dir, 'sample-raw.png');
    expect((await run(['sample', '--run', dir, '--n', '16', '--seed', '2', '--raw', '--out', outRaw])).status).toBe(0);
    // --truncation 0.5: the same seed, latent entries beyond ±0.5 redrawn, so other tiles; a bad ψ is refused.
    const outTrunc = path.join(dir, 'sample-trunc.png');
    const t = await run(['sample', '--run', dir, '--n', '16', '--seed', '2', '--truncation', '0.5', '--out', outTrunc]);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stderr).toMatch(/truncated at ψ 0\.5\) to /);
    expect(PNG.sync.read(fs.readFileSync(outTrunc)).data.equals(PNG.sync.read(fs.readFileSync(out)).data)).toBe(false);
    const badPsi = await run(['sample', '--run', dir, '--out', outTrunc, '--truncation', '0']);
    expect(badPsi.status).toBe(2);
    expect(badPsi.stderr).toMatch(/--truncation must be a number ψ from 0 \(exclusive\) to 100, got '0'/);
    const png = PNG.sync.read(fs.readFileSync(out));
    const pngRaw = PNG.sync.read(fs.readFileSync(outRaw));
    expect([png.width, png.height]).toEqual([4 * 30 + 2, 4 * 30 + 2]);
    // The tiles are G(z) for z from RandomSource(2), with the EMA or the raw weights.
    const loaded = await loadRun(dir);
    try {
      expect(loaded.hasAveraged).toBe(true);
      const z = new RandomSource(2).normal([16, 100]);
      const ema = loaded.sampler.sample(z);
      loaded.use('raw');
      const rawX = loaded.sampler.sample(z);
      for (const i of [0, 5, 15]) {
        expect(maxDiff(tile(png, Math.floor(i / 4), i % 4), toBytes(ema, i))).toBeLessThanOrEqual(1);
        expect(maxDiff(tile(pngRaw, Math.floor(i / 4), i % 4), toBytes(rawX, i))).toBeLessThanOrEqual(1);
      }
      expect(maxDiff(tile(png, 0, 0), tile(pngRaw, 0, 0))).toBeGreaterThan(0);
      tf.dispose([z, ema, rawX]);
    } finally {
      loaded.dispose();
    }
  });

  it('eval scores both generators, writes eval.json and agrees with the training run on the same z', async () => {
    const r = await run(['eval', '--run', dir, '--n', '100', '--seed', '4']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/evaluate raw 100\/100 100%/);
    expect(r.stderr).toMatch(/mnist-dcgan at step 3: raw FID [\d.]+, IS [\d.]+; ema FID/);
    const ev = JSON.parse(fs.readFileSync(path.join(dir, 'eval.json'), 'utf8'));
    const metrics = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
    expect(ev).toMatchObject({ example: 'mnist-dcgan', step: 3, seed: 4, generator: 'ema', backend: 'wasm' });
    expect(ev.raw).toEqual(metrics.raw);
    expect(ev.ema).toEqual(metrics.ema);
  });

  it('interpolate walks from G(a) to G(b) in each row', async () => {
    const out = path.join(dir, 'interp.png');
    const r = await run(['interpolate', '--run', dir, '--steps', '5', '--pairs', '3', '--mode', 'linear', '--seed', '9', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote 3 linear interpolations of 5 steps/);
    const png = PNG.sync.read(fs.readFileSync(out));
    expect([png.width, png.height]).toEqual([5 * 30 + 2, 3 * 30 + 2]);
    const loaded = await loadRun(dir);
    try {
      const random = new RandomSource(9);
      for (let row = 0; row < 2; row++) {
        const ab = random.normal([2, 100]);
        const [a, b] = tf.unstack(ab);
        const z = tf.stack([a, tf.add(tf.mul(a, 0.5), tf.mul(b, 0.5)), b]);
        const x = loaded.sampler.sample(z);
        expect(maxDiff(tile(png, row, 0), toBytes(x, 0))).toBeLessThanOrEqual(1);
        expect(maxDiff(tile(png, row, 2), toBytes(x, 1))).toBeLessThanOrEqual(1);
        expect(maxDiff(tile(png, row, 4), toBytes(x, 2))).toBeLessThanOrEqual(1);
        tf.dispose([ab, a, b, z, x]);
      }
    } finally {
      loaded.dispose();
    }
  });

  it('latent-arithmetic picks thick and thin digits and writes its grid', async () => {
    const out = path.join(dir, 'arith.png');
    const r = await node([
      path.join(root, 'examples', 'latent-arithmetic', 'arithmetic.mjs'),
      '--run',
      dir,
      '--samples',
      '200',
      '--pick',
      '16',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ step: 3, weights: 'averaged', samples: 200, picked: 16, perGroup: 4 });
    expect(report.groups['thick 7'].ink).toBeGreaterThanOrEqual(report.groups['thin 7'].ink);
    expect(report.result.readAs).toHaveLength(8);
    const png = PNG.sync.read(fs.readFileSync(out));
    expect([png.width, png.height]).toEqual([8 * 30 + 2, 5 * 30 + 2]);
  });

  it('prints help for every command and names bad arguments', async () => {
    for (const [cmd, flag] of [
      ['sample', '--raw'],
      ['eval', '--n <N>'],
      ['interpolate', '--mode <M>'],
      ['train', '--config <FILE>'],
    ]) {
      const h = await run([cmd, '--help']);
      expect(h.status).toBe(0);
      expect(h.stdout).toContain(flag);
    }
    const noRun = await run(['sample', '--out', 'x.png']);
    expect(noRun.status).toBe(2);
    expect(noRun.stderr).toMatch(/gankit sample: --run is required/);
    const missing = await run(['eval', '--run', path.join(dir, 'nope')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/config\.json not found: --run must be a run directory written by `gankit train`/);
    const jpg = await run(['interpolate', '--run', dir, '--out', 'x.jpg']);
    expect(jpg.status).toBe(2);
    expect(jpg.stderr).toMatch(/--out must end in \.png, got 'x\.jpg'/);
    const mode = await run(['interpolate', '--run', dir, '--out', 'x.png', '--mode', 'cubic']);
    expect(mode.status).toBe(2);
    expect(mode.stderr).toMatch(/--mode must be 'spherical' or 'linear', got 'cubic'/);
    const csv = await run(['sample', '--run', dir, '--out', path.join(dir, 'x.csv')]);
    expect(csv.status).toBe(2);
    expect(csv.stderr).toMatch(/--out must end in \.png for image example 'mnist-dcgan'/);
  });
});

describe('the run commands on an example with a latent distribution of its own (mnist-infogan)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-infogan-'));
    const r = await run([
      'train',
      '--example',
      'mnist-infogan',
      '--steps',
      '2',
      '--batch-size',
      '8',
      '--eval-samples',
      '20',
      '--quiet',
      '--seed',
      '1',
      '--out',
      dir,
    ]);
    expect(r.status, r.stderr).toBe(0);
  });

  it('sample and interpolate draw noise and codes from the example prior, and --truncation is refused', async () => {
    const out = path.join(dir, 'sample.png');
    const r = await run(['sample', '--run', dir, '--n', '9', '--seed', '3', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const outInterp = path.join(dir, 'interp.png');
    const i = await run([
      'interpolate',
      '--run',
      dir,
      '--steps',
      '3',
      '--pairs',
      '1',
      '--mode',
      'linear',
      '--seed',
      '5',
      '--out',
      outInterp,
    ]);
    expect(i.status, i.stderr).toBe(0);
    const trunc = await run(['sample', '--run', dir, '--out', out, '--truncation', '1']);
    expect(trunc.status).toBe(2);
    expect(trunc.stderr).toMatch(
      /--truncation redraws standard normal latents, but example 'mnist-infogan' draws its own latent distribution/,
    );

    const png = PNG.sync.read(fs.readFileSync(out));
    const interp = PNG.sync.read(fs.readFileSync(outInterp));
    const loaded = await loadRun(dir);
    try {
      const prior = loaded.example.latent;
      expect(prior).toBeDefined();
      const z = prior!(9, new RandomSource(3));
      // 62 noise values, a one-hot of 10, 2 codes in [-1, 1]: a standard normal would not be one-hot.
      const rows = z.arraySync() as number[][];
      for (const row of rows) {
        expect(row).toHaveLength(74);
        expect(row.slice(62, 72).sort()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        for (const c of row.slice(72)) expect(Math.abs(c)).toBeLessThanOrEqual(1);
      }
      const x = loaded.sampler.sample(z);
      for (const k of [0, 4, 8]) expect(maxDiff(tile(png, Math.floor(k / 3), k % 3), toBytes(x, k))).toBeLessThanOrEqual(1);
      const ab = prior!(2, new RandomSource(5));
      const ends = loaded.sampler.sample(ab);
      expect(maxDiff(tile(interp, 0, 0), toBytes(ends, 0))).toBeLessThanOrEqual(1);
      expect(maxDiff(tile(interp, 0, 2), toBytes(ends, 1))).toBeLessThanOrEqual(1);
      tf.dispose([z, x, ab, ends]);
    } finally {
      loaded.dispose();
    }
  });
});
