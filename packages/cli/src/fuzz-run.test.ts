// `gankit` on fuzzed input, run for real. `train --config` on fuzzed configs: whatever the config
// holds (path-like names, directories, odd numbers), the command ends with exit code 0 or a clean
// error (2), never a stack trace, and writes nothing outside the run directory it was given. And
// fuzzed command lines of train, sample, eval and interpolate (bad numbers, empty strings, huge
// values, unknown, repeated and valueless flags, bad paths): exit code 0, or 2 with exactly one
// line, and nothing written outside the sandbox.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RandomSource } from '@gankit/core';
import { runMain } from './test-main';

const ESCAPE_ABS = path.join(os.tmpdir(), `gankit-fuzz-escape-${process.pid}`);
/** Strings that would write elsewhere if a config value ever became part of a path. */
const PATHS = [
  '../escape',
  '../../escape',
  '../../../escape',
  ESCAPE_ABS,
  'a/../../../b',
  '..',
  '.',
  '~',
  'x\u0000y',
  'run/../../escape',
  '%2e%2e/escape',
  'C:\\escape',
  '\\\\server\\share',
  '',
];
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** Small valid configs (so that accepted ones train in about a second) to mutate. */
const BASES: Record<string, unknown>[] = [
  {
    data: { name: 'ring', modes: 4 },
    architecture: { name: 'mlp', latentDim: 2, hidden: [8] },
    batchSize: 8,
    metrics: { evalSamples: 10 },
  },
  {
    data: { name: 'grid', side: 2 },
    architecture: { name: 'mlp', latentDim: 2, hidden: [8] },
    batchSize: 8,
    averaging: { name: 'uniform' },
    metrics: { evalSamples: 10 },
  },
  {
    data: { name: 'mnist', split: 'test' },
    architecture: { name: 'dcgan', latentDim: 4, baseFilters: 2, batchNorm: false },
    batchSize: 4,
    report: { gridEvery: 1 },
    metrics: { evalSamples: 10 },
  },
  {
    data: { name: 'fashion-mnist', dir: 'missing' },
    architecture: { name: 'dcgan', latentDim: 4, baseFilters: 2, batchNorm: false },
    batchSize: 4,
    metrics: { evalSamples: 10 },
  },
];

/** Mutations: a key path and the values it may take (path-like strings everywhere a string goes). */
const MUTATIONS: [string[], readonly unknown[]][] = [
  [['name'], PATHS], // names must be safe file names: every path-like one is refused
  [['name'], ['ring run', 'a.b', 'run_2', 'R-1']],
  [['name'], ['../../escape', ESCAPE_ABS, 'run/../../escape']],
  [['data', 'dir'], PATHS],
  [
    ['data', 'split'],
    [...PATHS, 'train', 'all'],
  ],
  [
    ['data', 'name'],
    [...PATHS, 'mnist', 'ring'],
  ],
  [
    ['architecture', 'name'],
    [...PATHS, 'mlp', 'conditional'],
  ],
  [['loss'], [...PATHS, 'hinge', 'wasserstein', { name: 'least-squares', a: -1 }]],
  [['regularizers'], [[PATHS[0]], ['r1'], [{ name: 'gradient-penalty', lambda: 1 }], [{ name: 'weight-clipping', c: 0.1 }], 'r1']],
  [['averaging'], [null, { name: 'ema', decay: 0.5 }, { name: 'uniform', startStep: 1 }, PATHS[1]]],
  [
    ['report', 'gridEvery'],
    [1, 2, 0, 0.5, PATHS[0]],
  ],
  [
    ['metrics', 'fid'],
    [null, { every: 1, samples: 10 }, { every: PATHS[0] }],
  ],
  [['seed'], [0, 1, -1, 2 ** 40, PATHS[0]]],
  [['steps'], [0, 1, 2, -3]],
  [['batchSize'], [1, 2, 3, 5, 0]],
  [['optimizer'], [{ generator: { name: 'sgd', learningRate: 0.1 } }, { discriminator: PATHS[0] }, { discriminatorSteps: 2 }]],
  [['__proto__'], [{ polluted: PATHS[0] }]],
  [[PATHS[1]], [1]],
];

function mutate(r: () => number): Record<string, unknown> {
  const config = JSON.parse(JSON.stringify(pick(r, BASES))) as Record<string, unknown>;
  for (let k = r() < 0.7 ? 1 : 2; k > 0; k--) {
    const [keys, values] = pick(r, MUTATIONS);
    let o = config;
    for (const key of keys.slice(0, -1)) {
      if (typeof o[key] !== 'object' || o[key] === null) o[key] = {};
      o = o[key] as Record<string, unknown>;
    }
    Object.defineProperty(o, keys[keys.length - 1], { value: pick(r, values), enumerable: true, writable: true, configurable: true });
  }
  return config;
}

/** Every path under `dir` (relative), recursively, with its size and mtime for files. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        out.set(path.relative(dir, p) + '/', 'dir');
        walk(p);
      } else {
        const s = fs.statSync(p);
        out.set(path.relative(dir, p), `${s.size}:${s.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out;
}

let root: string;
let cwd: string;
const startCwd = process.cwd();
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-fuzz-run-'));
  cwd = path.join(root, 'a', 'b', 'work');
  fs.mkdirSync(cwd, { recursive: true });
  fs.writeFileSync(path.join(root, 'a', 'keep.txt'), 'untouched\n');
  process.chdir(cwd); // relative paths in a config would resolve in here, inside the sandbox
});
afterAll(() => {
  process.chdir(startCwd);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('gankit train --config on fuzzed configs', () => {
  it('exits 0 or 2 with a one-line error, and writes only inside --out', async () => {
    const r = new RandomSource(424242).floats();
    const before = snapshot(root);
    const codes = { ok: 0, rejected: 0 };
    for (let i = 0; i < 32; i++) {
      const config = mutate(r);
      const file = path.join(cwd, 'config.json');
      fs.writeFileSync(file, JSON.stringify(config));
      const { code, stderr: text } = await runMain([
        'train',
        '--config',
        'config.json',
        '--out',
        'run',
        '--steps',
        '2',
        '--quiet',
        '--eval-samples',
        '10',
      ]);
      if (code === 0) codes.ok++;
      else {
        expect(code, text).toBe(2);
        expect(text, JSON.stringify(config)).toMatch(/^gankit train: [^\n]+\n$/); // one clean line, no stack trace
        codes.rejected++;
      }
      // Nothing new or changed outside run/ (besides the config file this test wrote).
      const after = snapshot(root);
      for (const [p, sig] of after) {
        if (p === 'a/b/work/config.json' || p === 'a/b/work/run/' || p.startsWith('a/b/work/run/')) continue;
        expect(before.get(p), `config ${JSON.stringify(config)} wrote ${p}`).toBe(sig);
      }
      expect(fs.existsSync(ESCAPE_ABS), `config ${JSON.stringify(config)} wrote ${ESCAPE_ABS}`).toBe(false);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      fs.rmSync(path.join(cwd, 'run'), { recursive: true, force: true });
      fs.rmSync(file);
    }
    // The fuzz reaches both outcomes: some configs train, some are refused.
    expect(codes.ok).toBeGreaterThan(3);
    expect(codes.rejected).toBeGreaterThan(3);
  });
});

describe('gankit train, sample, eval and interpolate on fuzzed command lines', () => {
  // Bad numbers: never a huge *valid* step count (that would train for hours).
  const BAD_NUMBERS = [
    '',
    '-1',
    '1e9',
    '1e3',
    '0x10',
    '1.5',
    ' 3',
    '3 ',
    '+3',
    '\u0663',
    'NaN',
    'Infinity',
    '99999999999999999999',
    '4294967296',
    '100000001',
    'ten',
    '0',
    '1\n2',
  ];
  const NUMBERS = [...BAD_NUMBERS, '1', '2', '3', '5', '007', '1', '2'];
  const VALUES: Record<string, readonly string[]> = {
    steps: NUMBERS,
    seed: [...NUMBERS, '2147483647', '2147483648'],
    'batch-size': [...NUMBERS, '4096', '4097'],
    n: [...NUMBERS, '100001'],
    'eval-samples': NUMBERS,
    'checkpoint-every': NUMBERS,
    keep: NUMBERS,
    'grid-every': NUMBERS,
    pairs: [...NUMBERS, '65'],
    workers: ['auto', '1', '3', '0', '', '65', 'all'],
    backend: ['wasm', 'WASM', 'tpu', '', ' wasm', 'gpu'],
    mode: ['linear', 'spherical', 'cubic', ''],
    tensorboard: ['tb', '', 'runs/a/tensorboard', '/proc/x', 'file.txt', 'file.txt/sub', 'x\u0000y', '-'],
    example: ['ring8', 'rign8', '', 'nope', '__proto__', 'constructor', 'toString'],
    config: ['tiny.json', 'missing.json', '', '/dev/zero', 'file.txt', 'dir.png', 'x\u0000y'],
    run: ['r8', 'img', '', 'nope', 'file.txt', '/proc', '/proc/self', 'x\u0000y', 'dir.png'],
    out: [
      'runs/x',
      'out/s.png',
      'out/s.csv',
      's.txt',
      '',
      '/proc/x',
      '/proc/x.png',
      '/sys/x.png',
      'file.txt',
      'file.txt/sub',
      'file.txt/s.png',
      'dir.png',
      'x\u0000y.png',
      `${'a'.repeat(300)}.png`,
      'runs/../runs/y',
    ],
  };
  const COMMAND_LINES: readonly (readonly string[])[] = [
    ['train', '--example', 'ring8', '--steps', '1', '--out', 'runs/a', '--quiet'],
    ['train', '--config', 'tiny.json', '--steps', '1', '--out', 'runs/b', '--quiet'],
    ['sample', '--run', 'r8', '--out', 'out/s.csv', '--n', '10', '--quiet'],
    ['eval', '--run', 'r8', '--n', '10', '--quiet'],
    ['interpolate', '--run', 'img', '--out', 'out/i.png', '--steps', '3', '--pairs', '2', '--quiet'],
  ];
  const FLAGS: Record<string, readonly string[]> = {
    train: [
      'example',
      'config',
      'steps',
      'seed',
      'batch-size',
      'out',
      'backend',
      'checkpoint-every',
      'keep',
      'grid-every',
      'eval-samples',
      'workers',
      'tensorboard',
    ],
    sample: ['run', 'out', 'n', 'seed', 'backend'],
    eval: ['run', 'n', 'seed', 'backend'],
    interpolate: ['run', 'out', 'steps', 'pairs', 'mode', 'seed', 'backend'],
  };
  const REQUIRED = ['run', 'out', 'example', 'config'];
  const UNKNOWN = ['--stpes', '--foo', '-x', '--out-dir', '--Steps', '---steps', '--seeds=3', '-'];
  const BOOLEAN_WITH_VALUE = ['--quiet=yes', '--resume=no', '--raw=1', '--help=0'];

  /** Up to two mutations of a valid command line. */
  function mutate(r: () => number): string[] {
    const argv = [...pick(r, COMMAND_LINES)];
    const flags = FLAGS[argv[0]];
    for (let k = r() < 0.25 ? 0 : r() < 0.7 ? 1 : 2; k > 0; k--) {
      const op = r();
      const flag = pick(r, flags);
      const at = argv.indexOf(`--${flag}`);
      if (op < 0.5) {
        const value = pick(r, VALUES[flag === 'steps' && argv[0] === 'interpolate' ? 'pairs' : flag]);
        if (at >= 0) argv[at + 1] = value;
        else argv.push(`--${flag}`, value);
      } else if (op < 0.6 && at >= 0) {
        argv.splice(at + 1, 1); // a flag without its value
      } else if (op < 0.7 && at >= 0) {
        argv.push(argv[at], argv[at + 1]); // the same flag twice
      } else if (op < 0.78 && at >= 0 && REQUIRED.includes(flag)) {
        argv.splice(at, 2); // a required flag left out (never --steps or --n: the defaults run long)
      } else if (op < 0.88) {
        argv.splice(1 + Math.floor(r() * argv.length), 0, pick(r, UNKNOWN));
      } else if (op < 0.94) {
        argv.push(pick(r, BOOLEAN_WITH_VALUE));
      } else {
        argv.push('extra');
      }
    }
    return argv;
  }

  beforeAll(async () => {
    fs.writeFileSync(path.join(cwd, 'tiny.json'), JSON.stringify(BASES[0]));
    fs.writeFileSync(path.join(cwd, 'file.txt'), 'not a directory\n');
    fs.mkdirSync(path.join(cwd, 'dir.png'));
    const img = path.join(cwd, 'img.json');
    fs.writeFileSync(
      img,
      JSON.stringify({
        data: { name: 'mnist', split: 'test' },
        architecture: { name: 'dcgan', latentDim: 4, baseFilters: 2, batchNorm: false },
        batchSize: 4,
        metrics: { evalSamples: 10 },
      }),
    );
    for (const argv of [
      ['train', '--example', 'ring8', '--steps', '1', '--out', 'r8', '--quiet'],
      ['train', '--config', 'img.json', '--steps', '1', '--out', 'img', '--quiet', '--workers', '1'],
    ]) {
      const r = await runMain(argv);
      expect(r.code, r.stderr).toBe(0);
    }
  });

  it('exits 0, or 2 with exactly one line naming the problem, and writes nothing outside the sandbox', async () => {
    const r = new RandomSource(20240613).floats();
    const runs = ['r8', 'img'].map((d) => path.join(cwd, d));
    const runsBefore = runs.map((d) => snapshot(d));
    const outside = snapshot(path.join(root, 'a'));
    const codes = { ok: 0, rejected: 0, afterBackend: 0 };
    const started = Date.now();
    for (let i = 0; i < 300; i++) {
      const argv = mutate(r);
      const what = `gankit ${JSON.stringify(argv)}`;
      const { code, stdout, stderr } = await runMain(argv);
      expect(stderr, what).not.toMatch(/\n\s+at /); // no stack trace, ever
      if (code === 0) {
        codes.ok++;
        expect(stdout, what).toBe('');
      } else {
        expect(code, `${what}: ${stderr}`).toBe(2);
        const lines = stderr.split('\n');
        expect(lines.pop(), what).toBe('');
        const error = lines.pop();
        expect(error, what).toMatch(new RegExp(`^gankit ${argv[0]}: \\S`));
        // Mistakes in the arguments are refused before the backend starts; only what needs the
        // loaded run (interpolating a 2-D run) may follow the backend's line.
        expect(lines.length, `${what}: ${stderr}`).toBeLessThanOrEqual(1);
        if (lines.length) {
          expect(lines[0], what).toMatch(/^backend: /);
          codes.afterBackend++;
        }
        codes.rejected++;
      }
      // Nothing changed outside the working directory, nothing escaped, the runs read are intact.
      for (const [p, sig] of snapshot(path.join(root, 'a'))) {
        if (p.startsWith('b/work/')) continue;
        expect(outside.get(p), `${what} wrote ${p}`).toBe(sig);
      }
      expect(fs.existsSync(ESCAPE_ABS), `${what} wrote ${ESCAPE_ABS}`).toBe(false);
      runs.forEach((d, k) => {
        const now = snapshot(d);
        now.delete('eval.json');
        const before = new Map(runsBefore[k]);
        before.delete('eval.json');
        expect(now, `${what} changed ${d}`).toEqual(before);
      });
      for (const d of ['runs', 'out']) fs.rmSync(path.join(cwd, d), { recursive: true, force: true });
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `argv fuzz: ${codes.ok} ran, ${codes.rejected} refused (${codes.afterBackend} after the backend line) in ${seconds.toFixed(1)} s`,
    );
    expect(codes.ok).toBeGreaterThan(60);
    expect(codes.rejected).toBeGreaterThan(100);
  });
});
