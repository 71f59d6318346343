import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { writeFashionIdx } from './fashion-test-data';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');
/** Runs the command without blocking the test worker (a blocked worker times out vitest's RPC). */
const run = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { encoding: 'utf8', env: { ...process.env, GANKIT_BACKEND: 'wasm', ...env }, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => {
        resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `gankit-${name}-`));
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const logLines = (dir: string) =>
  fs
    .readFileSync(path.join(dir, 'logs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
/** The mean grey value of a grid row of 28×28 tiles (2 px padding). */
function rowMean(png: PNG, row: number, cols: number): number {
  let s = 0;
  for (let c = 0; c < cols; c++)
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) s += png.data[((2 + row * 30 + y) * png.width + 2 + c * 30 + x) * 4];
  return s / (cols * 784);
}

/** Where Debian's `dataset-fashion-mnist` puts the real files, and whether CI demands them. */
const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
const fashionInstalled = fs.existsSync(path.join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'));
const fashionRequired = process.env.GANKIT_REQUIRE_FASHION_MNIST === '1';

describe('image examples', () => {
  it('mnist-cgan draws a row per class and reports label accuracy; sample keeps the rows', async () => {
    const dir = tmp('cgan');
    const r = await run([
      'train',
      '--example',
      'mnist-cgan',
      '--steps',
      '2',
      '--batch-size',
      '10',
      '--grid-every',
      '2',
      '--eval-samples',
      '100',
      '--out',
      dir,
      '--quiet',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const grid = PNG.sync.read(fs.readFileSync(path.join(dir, 'grids', 'step-000000002.png')));
    expect([grid.width, grid.height]).toEqual([8 * 30 + 2, 10 * 30 + 2]); // 10 classes × 8
    const metrics = readJson(path.join(dir, 'metrics.json'));
    expect(metrics.ema.labelAccuracy).toBeGreaterThanOrEqual(0);
    expect(metrics.ema.labelAccuracy).toBeLessThanOrEqual(1);
    expect(metrics.raw.fid).toBeGreaterThan(0);
    const out = path.join(dir, 's.png');
    const s = await run(['sample', '--run', dir, '--n', '30', '--out', out, '--quiet']);
    expect(s.status, s.stderr).toBe(0);
    const png = PNG.sync.read(fs.readFileSync(out));
    expect([png.width, png.height]).toEqual([3 * 30 + 2, 10 * 30 + 2]); // 3 per class, a row each
    // Different classes give different rows (the label reaches the generator).
    const means = Array.from({ length: 10 }, (_, k) => rowMean(png, k, 3));
    expect(new Set(means.map((m) => m.toFixed(3))).size).toBeGreaterThan(1);
  });

  it('fashion-wgan-gp trains with the gradient penalty and scores in Fashion features (on IDX files the test writes)', async () => {
    const dir = tmp('wgan');
    const data = writeFashionIdx(tmp('fashion-idx'), 300, 120);
    const r = await run(
      [
        'train',
        '--example',
        'fashion-wgan-gp',
        '--steps',
        '1',
        '--batch-size',
        '8',
        '--eval-samples',
        '100',
        '--out',
        dir,
        '--quiet',
        '--checkpoint-every',
        '1',
      ],
      { GANKIT_FASHION_MNIST_DIR: data },
    );
    expect(r.status, r.stderr).toBe(0);
    const [line] = logLines(dir);
    expect(line.terms['gradient-penalty/penalty']).toBeGreaterThan(0);
    const metrics = readJson(path.join(dir, 'metrics.json'));
    // Scored against the test split of the files above (not the Debian package's, not the training split).
    expect(metrics.realImages).toBe(120);
    expect(metrics.metric).toBe('fashion');
    expect(metrics.ema.frechetDistanceFashionFeatures).toBeGreaterThan(0);
    expect(metrics.ema.frechetDistanceDigitFeatures).toBeUndefined();
    expect(metrics.ema.fid).toBeUndefined();
    // The defaults: one critic update per generator update, Adam 2e-4 (β 0.5, 0.9) for both.
    const state = readJson(path.join(dir, 'checkpoints', 'step-000000001', 'model.json')).gankit.state;
    for (const player of ['discriminator', 'generator'])
      expect(state.optimizers[player], player).toMatchObject({ iterations: 1, config: { learningRate: 2e-4, beta1: 0.5, beta2: 0.9 } });
    expect(r.stderr).toMatch(/fashion-wgan-gp: ema Fashion FD [\d.]+; raw Fashion FD/);
    // A folder without the files: the message names the variable's folder and how to fill it.
    const empty = await run(['train', '--example', 'fashion-wgan-gp', '--steps', '1', '--out', tmp('wgan-absent'), '--quiet'], {
      GANKIT_FASHION_MNIST_DIR: path.join(data, 'absent'),
    });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(
      /Fashion-MNIST is not installed in .*fashion-idx-.*absent\. Install it with `sudo apt-get install dataset-fashion-mnist`.*or set GANKIT_FASHION_MNIST_DIR/,
    );
  });

  // The real data set: installed by .ci/run (Debian's dataset-fashion-mnist), which sets
  // GANKIT_REQUIRE_FASHION_MNIST=1 so that a missing package fails instead of skipping.
  it(`fashion-wgan-gp trains on the real Fashion-MNIST (${FASHION_MNIST_DIR})`, async (ctx) => {
    if (!fashionInstalled) {
      if (fashionRequired)
        throw new Error(
          `GANKIT_REQUIRE_FASHION_MNIST=1 but ${FASHION_MNIST_DIR} has no train-images-idx3-ubyte.gz: run \`apt-get install dataset-fashion-mnist\``,
        );
      ctx.skip(`Debian's dataset-fashion-mnist is not installed (no ${FASHION_MNIST_DIR}); .ci/run installs it`);
    }
    const dir = tmp('wgan-real');
    // An empty GANKIT_FASHION_MNIST_DIR counts as unset: the example reads the Debian package's folder.
    const r = await run(
      ['train', '--example', 'fashion-wgan-gp', '--steps', '1', '--batch-size', '8', '--eval-samples', '100', '--out', dir, '--quiet'],
      { GANKIT_FASHION_MNIST_DIR: '' },
    );
    expect(r.status, r.stderr).toBe(0);
    const metrics = readJson(path.join(dir, 'metrics.json'));
    expect(metrics.realImages).toBe(10000); // the 10,000 t10k test images
    expect(metrics.ema.frechetDistanceFashionFeatures).toBeGreaterThan(0);
  });

  it('mnist-sngan-hinge puts spectral norm on every discriminator kernel', async () => {
    const dir = tmp('sngan');
    const r = await run([
      'train',
      '--example',
      'mnist-sngan-hinge',
      '--steps',
      '1',
      '--batch-size',
      '8',
      '--eval-samples',
      '100',
      '--out',
      dir,
      '--quiet',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const d = readJson(path.join(dir, 'final', 'model.json')).gankit.networks.discriminator;
    // Trainable: conv (kernel, bias), conv (kernel; batch norm γ, β), dense 1,024 (kernel; γ, β),
    // output (kernel, bias) = 10. Not trainable: u and v of each of the 4 spectrally normalized
    // kernels, and the two batch norms' moving mean and variance = 12.
    expect(d.trainable).toBe(10);
    expect(d.variables.length).toBe(22);
    const [line] = logLines(dir);
    expect(Number.isFinite(line.dLoss)).toBe(true);
  });
});

describe('image example resume', () => {
  it('mnist-dcgan resumed from a checkpoint ends bit-identical, with one log line per iteration', async () => {
    const straight = tmp('straight');
    const resumed = tmp('resumed');
    const common = [
      'train',
      '--example',
      'mnist-dcgan',
      '--batch-size',
      '8',
      '--eval-samples',
      '100',
      '--grid-every',
      '2',
      '--seed',
      '1',
      '--quiet',
    ];
    expect((await run([...common, '--steps', '4', '--out', straight])).status).toBe(0);
    expect((await run([...common, '--steps', '2', '--out', resumed, '--checkpoint-every', '2'])).status).toBe(0);
    const second = await run([...common, '--steps', '4', '--out', resumed, '--checkpoint-every', '2', '--resume']);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/resumed from .*step-000000002 \(step 2\)/);
    expect(
      fs.readFileSync(path.join(resumed, 'final', 'weights.bin')).equals(fs.readFileSync(path.join(straight, 'final', 'weights.bin'))),
    ).toBe(true);
    // The grid recorder's fixed z survives the resume: the same picture at step 4.
    expect(
      fs
        .readFileSync(path.join(resumed, 'grids', 'step-000000004.png'))
        .equals(fs.readFileSync(path.join(straight, 'grids', 'step-000000004.png'))),
    ).toBe(true);
    expect(logLines(resumed).map((l) => l.step)).toEqual([1, 2, 3, 4]);
    expect(readJson(path.join(resumed, 'metrics.json')).ema).toEqual(readJson(path.join(straight, 'metrics.json')).ema);
  });
});

describe('gankit train --config', () => {
  it('trains what the config describes, with FID during training, and the run commands rebuild it', async () => {
    const dir = tmp('config');
    const file = path.join(dir, 'run.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        name: 'tiny-dcgan',
        seed: 3,
        steps: 2,
        batchSize: 8,
        data: 'mnist',
        architecture: { name: 'dcgan', baseFilters: 8, latentDim: 12 },
        loss: 'least-squares',
        regularizers: [{ name: 'r1', gamma: 1 }],
        averaging: { name: 'ema', decay: 0.9 },
        metrics: { evalSamples: 50, fid: { every: 2, samples: 20 } },
        optimizer: { generator: { name: 'adam', learningRate: 1e-3 }, discriminator: 'sgd' },
        report: { gridEvery: 1 },
      }),
    );
    const r = await run(['train', '--config', file, '--out', dir, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/tiny-dcgan: ema FID/);
    const lines = logLines(dir);
    expect(lines.map((l) => l.step)).toEqual([1, 2]);
    expect(lines[1].metrics.fid).toBeGreaterThan(0); // the FID plugin ran at step 2
    expect(lines[1].terms['r1/penalty']).toBeGreaterThanOrEqual(0);
    const config = readJson(path.join(dir, 'config.json'));
    expect(config).toMatchObject({ example: 'tiny-dcgan', seed: 3, steps: 2, batchSize: 8 });
    expect(config.config.architecture).toEqual({ name: 'dcgan', latentDim: 12, baseFilters: 8, batchNorm: true });
    expect(readJson(path.join(dir, 'metrics.json')).ema.samples).toBe(50);
    const out = path.join(dir, 's.png');
    const s = await run(['sample', '--run', dir, '--n', '4', '--out', out, '--quiet']);
    expect(s.status, s.stderr).toBe(0);
    expect(PNG.sync.read(fs.readFileSync(out)).width).toBe(2 * 30 + 2);
  });

  it('rejects a bad config with the key path, and says how to get missing Fashion-MNIST', async () => {
    const dir = tmp('badconfig');
    const write = (name: string, text: string) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, text);
      return f;
    };
    const lr = await run([
      'train',
      '--config',
      write('lr.json', JSON.stringify({ data: 'mnist', architecture: 'dcgan', optimizer: { generator: { learningRate: -1 } } })),
    ]);
    expect(lr.status).toBe(2);
    expect(lr.stderr).toMatch(/config\.optimizer\.generator\.name is required/);
    const lr2 = await run([
      'train',
      '--config',
      write(
        'lr2.json',
        JSON.stringify({ data: 'mnist', architecture: 'dcgan', optimizer: { generator: { name: 'adam', learningRate: -1 } } }),
      ),
    ]);
    expect(lr2.stderr).toMatch(/gankit train: config\.optimizer\.generator\.learningRate must be > 0, got -1/);
    const typo = await run([
      'train',
      '--config',
      write('typo.json', JSON.stringify({ data: 'mnist', architecture: 'dcgan', avraging: null })),
    ]);
    expect(typo.stderr).toMatch(/config\.avraging is not a known key; did you mean 'averaging'\?/);
    const broken = await run(['train', '--config', write('broken.json', '{"data": "mnist", ')]);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/broken\.json is not valid JSON/);
    const both = await run(['train', '--config', 'x.json', '--example', 'ring8']);
    expect(both.stderr).toMatch(/either --example or --config, not both/);
    const fashion = await run([
      'train',
      '--config',
      write(
        'fm.json',
        JSON.stringify({ data: { name: 'fashion-mnist', dir: path.join(dir, 'no-such-dir') }, architecture: 'dcgan', steps: 1 }),
      ),
      '--out',
      dir,
    ]);
    expect(fashion.status).toBe(2);
    expect(fashion.stderr).toMatch(
      /Fashion-MNIST is not installed in .*no-such-dir\. Install it with `sudo apt-get install dataset-fashion-mnist`/,
    );
  });
});

describe('run commands on a 2-D example', () => {
  it('ring8: sample writes CSV or a scatter PNG, eval reports mode coverage, interpolate refuses', async () => {
    const dir = tmp('ring8');
    expect((await run(['train', '--example', 'ring8', '--steps', '5', '--out', dir, '--quiet'])).status).toBe(0);
    const csvFile = path.join(dir, 'pts.csv');
    const s = await run(['sample', '--run', dir, '--n', '300', '--out', csvFile, '--quiet']);
    expect(s.status, s.stderr).toBe(0);
    const lines = fs.readFileSync(csvFile, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('x,y');
    expect(lines).toHaveLength(301);
    expect(lines.slice(1).every((l) => l.split(',').map(Number).every(Number.isFinite))).toBe(true);
    const e = await run(['eval', '--run', dir, '--n', '500', '--quiet']);
    expect(e.status, e.stderr).toBe(0);
    const ev = readJson(path.join(dir, 'eval.json'));
    expect(ev).toMatchObject({ example: 'ring8', step: 5, generator: 'ema' });
    for (const k of ['raw', 'ema']) {
      expect(ev[k].numModes).toBe(8);
      expect(ev[k].samples).toBe(500);
      expect(ev[k].highQualityFraction).toBeGreaterThanOrEqual(0);
    }
    const i = await run(['interpolate', '--run', dir, '--out', path.join(dir, 'i.png')]);
    expect(i.status).toBe(2);
    expect(i.stderr).toMatch(/interpolate draws image grids, but example 'ring8' generates 2-D points/);
  });
});
