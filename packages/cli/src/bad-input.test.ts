// Every bad input to `gankit` exits 2 with one line on stderr that names it, before any training
// and before anything is written: one test per row of the table in issue 13 that is about input.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx } from '@gankit/data';
import { runMain, type MainResult } from './test-main';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');
const asRoot = process.getuid?.() === 0;

let root: string;
let cwd: string;
const startCwd = process.cwd();
beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-bad-input-'));
  fs.chmodSync(root, 0o755); // the unprivileged child below must reach it
  cwd = path.join(root, 'a', 'b', 'work');
  fs.mkdirSync(cwd, { recursive: true });
  process.chdir(cwd);
  fs.writeFileSync('file.txt', 'a file, not a directory\n');
  fs.writeFileSync('tiny.json', JSON.stringify(tiny()));
  const r = await runMain(['train', '--config', 'tiny.json', '--steps', '1', '--out', 'run', '--quiet']);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => {
  process.chdir(startCwd);
  fs.rmSync(root, { recursive: true, force: true });
});

/** A small 2-D config that trains a step in well under a second. */
function tiny(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    data: { name: 'ring', modes: 4 },
    architecture: { name: 'mlp', latentDim: 2, hidden: [8] },
    batchSize: 8,
    metrics: { evalSamples: 10 },
    ...extra,
  };
}

/** Every path under `dir` with a size:mtime signature. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const s = fs.statSync(p);
      out.set(path.relative(dir, p), e.isDirectory() ? 'dir' : `${s.size}:${s.mtimeMs}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** Exit code 2, nothing on stdout, and exactly one line on stderr: `gankit <command>: <message>`. */
function expectOneLine(r: MainResult | { code: number | null; stdout: string; stderr: string }, command: string, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.split('\n'), r.stderr).toHaveLength(2); // one line and its newline
  expect(r.stderr.startsWith(`gankit ${command}: `), r.stderr).toBe(true);
  expect(r.stderr.slice(`gankit ${command}: `.length).trimEnd()).toMatch(message);
}

/** Runs `argv` in this process and checks it is refused with one line, writing nothing in the sandbox. */
async function expectRefused(argv: string[], message: RegExp): Promise<void> {
  const before = snapshot(root);
  const r = await runMain(argv);
  expectOneLine(r, argv[0], message);
  expect(snapshot(root)).toEqual(before);
}

/** Runs the built `gankit` in a child process (as the unprivileged user `nobody` when `unprivileged` and this is root). */
function child(args: string[], options: { unprivileged?: boolean; env?: Record<string, string>; timeout?: number } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }>((resolve) => {
    const started = Date.now();
    const ids = options.unprivileged && asRoot ? { uid: 65534, gid: 65534 } : {};
    execFile(
      process.execPath,
      [bin, ...args],
      {
        cwd,
        encoding: 'utf8',
        timeout: options.timeout ?? 60_000,
        env: { ...process.env, GANKIT_BACKEND: 'wasm', ...options.env },
        ...ids,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr, seconds: (Date.now() - started) / 1000 }),
    );
  });
}

describe('gankit refuses bad input with exit code 2 and one line', () => {
  it('--steps 0, --steps "" and --steps= (an EMA error and a partial directory before)', async () => {
    await expectRefused(
      ['train', '--example', 'ring8', '--steps', '0', '--out', 'r0', '--quiet'],
      /^--steps must be a whole number from 1 to 100000000 \(decimal digits\), got '0'$/,
    );
    await expectRefused(['train', '--example', 'ring8', '--steps', '', '--out', 'r0'], /^--steps must be .* got ''$/);
    await expectRefused(['train', '--config', 'tiny.json', '--steps=', '--out', 'r0'], /^--steps must be .* got ''$/);
    fs.writeFileSync('zero.json', JSON.stringify(tiny({ steps: 0 })));
    await expectRefused(['train', '--config', 'zero.json', '--out', 'r0'], /^config\.steps must be >= 1, got 0$/);
    fs.rmSync('zero.json');
  });

  it('a config "name" that is a path (it wrote outside the working directory before)', async () => {
    for (const name of ['../../escape', '..', '/tmp/escape', 'a/b', 'C:\\x', '.hidden', 'x\u0000y', 'name.']) {
      fs.writeFileSync('escape.json', JSON.stringify(tiny({ name })));
      await expectRefused(
        ['train', '--config', 'escape.json', '--steps', '1', '--quiet'],
        /^config\.name must be a name of letters, digits, '_', '-', '\.' and spaces/,
      );
    }
    expect(fs.existsSync(path.resolve('out', '../../escape'))).toBe(false);
    // A safe name is the default run directory, inside out/.
    fs.writeFileSync('escape.json', JSON.stringify(tiny({ name: 'my run_1.2' })));
    const r = await runMain(['train', '--config', 'escape.json', '--steps', '1', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(path.join('out', 'my run_1.2', 'config.json'))).toBe(true);
    fs.rmSync('out', { recursive: true });
    fs.rmSync('escape.json');
  });

  it('--out naming a file, an empty --out, --backend tpu, --batch-size 100000000 (a raw Node error and a stack before)', async () => {
    await expectRefused(
      ['train', '--example', 'ring8', '--steps', '1', '--out', 'file.txt'],
      /^--out file\.txt is a file, not a directory$/,
    );
    await expectRefused(
      ['train', '--example', 'ring8', '--steps', '1', '--out', 'file.txt/run'],
      /^--out file\.txt\/run: \S+file\.txt is a file, not a directory$/,
    );
    await expectRefused(['train', '--example', 'ring8', '--steps', '1', '--out', ''], /^--out must not be empty$/);
    await expectRefused(['train', '--example', 'ring8', '--steps', '1', '--out', 'x\u0000y'], /^--out must not contain a NUL character$/);
    await expectRefused(
      ['train', '--example', 'ring8', '--backend', 'tpu'],
      /^unknown backend 'tpu' \(from --backend\); valid values are 'tensorflow', 'tfjs-node', 'tfjs-node-gpu', 'wasm', 'cpu'$/,
    );
    await expectRefused(
      ['train', '--example', 'ring8', '--batch-size', '100000000'],
      /^--batch-size must be a whole number from 1 to 4096 \(decimal digits\), got '100000000'$/,
    );
    await expectRefused(
      ['sample', '--run', 'run', '--out', 'file.txt/s.png'],
      /^--out file\.txt\/s\.png: \S+file\.txt is a file, not a directory$/,
    );
    await expectRefused(['sample', '--run', 'run', '--out', 'run'], /^--out must end in \.png or \.csv, got 'run'$/);
    fs.mkdirSync('dir.png');
    await expectRefused(['sample', '--run', 'run', '--out', 'dir.png'], /^--out dir\.png is a directory, expected a file$/);
    await expectRefused(
      ['interpolate', '--run', 'run', '--out', 'dir.png'],
      /^interpolate draws image grids, but example 'custom' generates 2-D points$/,
    );
    fs.rmdirSync('dir.png');
    await expectRefused(
      ['eval', '--run', 'nowhere'],
      /^nowhere\/config\.json not found: --run must be a run directory written by `gankit train`$/,
    );
    await expectRefused(['sample', '--run', '', '--out', 's.png'], /^--run must not be empty$/);
  });

  it('the backend named by GANKIT_BACKEND: a BackendError is answered like a GankitError', async () => {
    const saved = process.env.GANKIT_BACKEND;
    process.env.GANKIT_BACKEND = 'tpu';
    try {
      await expectRefused(
        ['train', '--config', 'tiny.json', '--steps', '1', '--out', 'r1'],
        /^unknown backend 'tpu' \(from GANKIT_BACKEND\); valid values are/,
      );
    } finally {
      if (saved === undefined) delete process.env.GANKIT_BACKEND;
      else process.env.GANKIT_BACKEND = saved;
    }
  });

  it('a read-only --out, sample and interpolate --out in a read-only folder, eval on a read-only run', async () => {
    fs.mkdirSync('ro');
    fs.chmodSync('ro', 0o555);
    fs.chmodSync('run', 0o555);
    const before = snapshot(root);
    try {
      const cases: [string[], string, RegExp][] = [
        [
          ['train', '--example', 'ring8', '--steps', '1', '--out', 'ro/run', '--quiet'],
          'train',
          /^--out ro\/run: cannot write in \S+\/ro: permission denied \(EACCES\)$/,
        ],
        [
          ['sample', '--run', 'run', '--out', 'ro/s.png'],
          'sample',
          /^--out ro\/s\.png: cannot write in \S+\/ro: permission denied \(EACCES\)$/,
        ],
        [['interpolate', '--run', 'run', '--out', 'ro/i.png'], 'interpolate', /^interpolate draws image grids/],
        [['eval', '--run', 'run'], 'eval', /^--run run\/eval\.json: cannot write in \S+\/run: permission denied \(EACCES\)$/],
      ];
      for (const [args, command, message] of cases) expectOneLine(await child(args, { unprivileged: true }), command, message);
    } finally {
      fs.chmodSync('run', 0o755);
      fs.chmodSync('ro', 0o755);
    }
    expect(snapshot(root)).toEqual(before);
    fs.rmdirSync('ro');
  });

  it('--out /proc/x and /sys/x are refused at once (Node’s recursive mkdir on procfs never returned)', async () => {
    for (const out of ['/proc/x', '/proc/self/x/y', '/sys/x']) {
      if (!fs.existsSync(path.dirname(out.split('/').slice(0, 2).join('/') + '/x'))) continue;
      const r = await child(['train', '--example', 'ring8', '--steps', '1', '--out', out], { timeout: 30_000 });
      expectOneLine(
        r,
        'train',
        new RegExp(`^--out ${out} is on (procfs|sysfs), a kernel file system where nothing can be saved; choose a directory on a disk$`),
      );
      expect(r.seconds).toBeLessThan(20);
    }
    const sample = await child(['sample', '--run', 'run', '--out', '/proc/x/s.png'], { timeout: 30_000 });
    expectOneLine(sample, 'sample', /^--out \/proc\/x\/s\.png is on procfs/);
  });

  it('an MLP with hidden [65536, 65536, 65536] is refused with its parameter count before anything is allocated', async () => {
    fs.writeFileSync('huge.json', JSON.stringify(tiny({ architecture: { name: 'mlp', hidden: [65536, 65536, 65536] } })));
    const rss = process.memoryUsage().rss;
    const started = Date.now();
    await expectRefused(
      ['train', '--config', 'huge.json', '--steps', '1', '--out', 'huge'],
      /^config\.architecture: G and D have 17,181,638,659 parameters \(G 8,591,310,850, D 8,590,327,809\); training them needs about 3\d\d\.\d GB/,
    );
    expect(Date.now() - started).toBeLessThan(10_000); // it took 64 s and 16.9 GB to fail before
    expect(process.memoryUsage().rss - rss).toBeLessThan(200e6);
    fs.rmSync('huge.json');
  });

  it('integers are decimal digits in range: --seed 4294967296 (seed 0 again before), --steps 1e9, 0x10', async () => {
    const train = (flag: string, value: string) => ['train', '--example', 'ring8', `${flag}=${value}`, '--out', 'r2', '--quiet'];
    for (const seed of ['4294967296', '2147483648', '-1', '1.5', ' 7', '7 ', '+7', '٧']) {
      await expectRefused(train('--seed', seed), /^--seed must be a whole number from 0 to 2147483647 \(decimal digits\), got '.*'$/);
    }
    for (const steps of ['1e9', '0x10', '100000001', '1e3', '10.0', 'Infinity', 'NaN', '99999999999999999999']) {
      await expectRefused(train('--steps', steps), /^--steps must be a whole number from 1 to 100000000 \(decimal digits\), got '.*'$/);
    }
    await expectRefused(
      ['sample', '--run', 'run', '--out', 's.csv', '--n', '1e3'],
      /^--n must be a whole number from 1 to 100000 \(decimal digits\), got '1e3'$/,
    );
    await expectRefused(
      ['interpolate', '--run', 'run', '--out', 'i.png', '--pairs', '0x2'],
      /^--pairs must be a whole number from 1 to 64/,
    );
    fs.writeFileSync('seed.json', JSON.stringify(tiny({ seed: 2 ** 32 })));
    await expectRefused(['train', '--config', 'seed.json', '--out', 'r2'], /^config\.seed must be <= 2147483647, got 4294967296$/);
    fs.rmSync('seed.json');
    // The largest seed trains, and starts from other weights than seed 0.
    const weights: Buffer[] = [];
    for (const seed of ['0', '2147483647']) {
      const r = await runMain(['train', '--config', 'tiny.json', '--steps', '1', '--seed', seed, '--out', `seed-${seed}`, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      weights.push(fs.readFileSync(path.join(`seed-${seed}`, 'final', 'weights.bin')));
      fs.rmSync(`seed-${seed}`, { recursive: true });
    }
    expect(weights[0].equals(weights[1])).toBe(false);
  });

  it('Fashion-MNIST: a truncated file or a wrong magic number is named first; "not installed" only when absent; split "test" reads t10k', async () => {
    const data = path.join(root, 'fashion');
    fs.mkdirSync(data);
    const images = (n: number) => encodeIdx({ dtype: 'uint8', shape: [n, 28, 28], data: new Uint8Array(n * 784).fill(200) });
    const labels = (n: number) => encodeIdx({ dtype: 'uint8', shape: [n], data: new Uint8Array(n).fill(3) });
    const whole = images(8);
    const trainImages = path.join(data, 'train-images-idx3-ubyte.gz');
    fs.writeFileSync(trainImages, zlib.gzipSync(whole.subarray(0, 3000)));
    fs.writeFileSync(path.join(data, 'train-labels-idx1-ubyte.gz'), zlib.gzipSync(labels(8)));
    fs.writeFileSync(path.join(data, 't10k-images-idx3-ubyte.gz'), zlib.gzipSync(images(6)));
    fs.writeFileSync(path.join(data, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(labels(6)));
    const config = (split: string, dir = data) => {
      fs.writeFileSync(
        'fashion.json',
        JSON.stringify({
          data: { name: 'fashion-mnist', dir, split },
          architecture: { name: 'dcgan', latentDim: 4, baseFilters: 2, batchNorm: false },
          batchSize: 2,
          metrics: { evalSamples: 10 },
        }),
      );
      return ['train', '--config', 'fashion.json', '--steps', '1', '--out', 'fashion-run', '--quiet', '--workers', '1'];
    };
    await expectRefused(
      config('train'),
      new RegExp(
        `^${trainImages}: truncated IDX uint8 data of shape \\[8, 28, 28\\]: expected ${whole.length} bytes \\(16 header \\+ ${whole.length - 16} data\\), got 3000$`,
      ),
    );
    const bad = Uint8Array.from(whole);
    bad[1] = 0x08;
    fs.writeFileSync(trainImages, zlib.gzipSync(bad));
    await expectRefused(
      config('train'),
      new RegExp(`^${trainImages}: not an IDX file: the magic number must start with two zero bytes, got 0x00 0x08$`),
    );
    await expectRefused(
      config('train', path.join(data, 'absent')),
      /^Fashion-MNIST is not installed in \S+absent\. Install it with .*\(missing: train-images-idx3-ubyte\(\.gz\), train-labels-idx1-ubyte\(\.gz\)\)$/,
    );
    // The test split reads the whole t10k files and trains.
    const r = await runMain(config('test'));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join('fashion-run', 'config.json'), 'utf8')).config.data).toEqual({
      name: 'fashion-mnist',
      dir: data,
      split: 'test',
    });
    fs.rmSync('fashion-run', { recursive: true });
    fs.rmSync('fashion.json');
  });

  it('no arguments: the usage on stderr and exit code 2; --help: stdout and 0', async () => {
    const bare = await runMain([]);
    expect([bare.code, bare.stdout]).toEqual([2, '']);
    expect(bare.stderr).toMatch(/^gankit — train and evaluate GANs on TensorFlow\.js\n\nUsage:\n/);
    const help = await runMain(['--help']);
    expect([help.code, help.stderr, help.stdout]).toEqual([0, '', bare.stderr]);
    const trainHelp = await runMain(['train', '--help']);
    expect([trainHelp.code, trainHelp.stderr]).toEqual([0, '']);
    expect(trainHelp.stdout).toMatch(/--seed <S>\s+run seed, 0 to 2147483647/);
  });

  it('unknown, repeated and valueless flags, stray arguments: "did you mean" and one line', async () => {
    await expectRefused(
      ['train', '--exampel', 'ring8'],
      /^unknown option '--exampel'; did you mean '--example'\? \(gankit train --help lists the options\)$/,
    );
    await expectRefused(['sample', '--rum', 'run'], /^unknown option '--rum'; did you mean '--run'\?/);
    await expectRefused(['eval', '--run', 'run', '--seeds', '3'], /^unknown option '--seeds'; did you mean '--seed'\?/);
    await expectRefused(['train', '--example', 'rign8'], /^unknown example 'rign8'; did you mean 'ring8'\?; one of: /);
    await expectRefused(['train', '--example', 'constructor'], /^unknown example 'constructor'/);
    await expectRefused(['train', '--example', 'ring8', '--steps', '2', '--steps', '3'], /^--steps is given more than once$/);
    await expectRefused(['train', '--example', 'ring8', '--steps'], /^--steps needs a value$/);
    await expectRefused(
      ['train', '--example', 'ring8', '--out', '--quiet'],
      /^--out needs a value; for a value that starts with a dash write --out=VALUE$/,
    );
    await expectRefused(['train', '--example', 'ring8', '--quiet=yes'], /^--quiet takes no value$/);
    await expectRefused(['train', '--example', 'ring8', 'now'], /^unexpected argument 'now': every argument is an option/);
    await expectRefused(['train', '--config', '/dev/zero'], /^config file \/dev\/zero is not a regular file$/);
    await expectRefused(['train', '--config', 'no.json'], /^config file no\.json not found$/);
    const typo = await runMain(['tarin']);
    expect([typo.code, typo.stderr]).toEqual([
      2,
      "gankit: unknown command 'tarin'; did you mean 'train'? (commands: train, sample, eval, interpolate, schema; gankit --help)\n",
    ]);
  });
});
