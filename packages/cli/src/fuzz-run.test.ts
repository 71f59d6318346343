// `gankit train --config` on fuzzed configs, run for real: whatever the config holds (path-like
// names, directories, odd numbers), the command ends with exit code 0 or a clean error (2), never a
// stack trace, and writes nothing outside the run directory it was given.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RandomSource } from '@gankit/core';
import { main } from './cli';

const ESCAPE_ABS = path.join(os.tmpdir(), `gankit-fuzz-escape-${process.pid}`);
/** Strings that would write elsewhere if a config value ever became part of a path. */
const PATHS = ['../escape', '../../escape', '../../../escape', ESCAPE_ABS, 'a/../../../b', '..', '.', '~', 'x\u0000y', 'run/../../escape', '%2e%2e/escape', 'C:\\escape', '\\\\server\\share', ''];
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** Small valid configs (so that accepted ones train in about a second) to mutate. */
const BASES: Record<string, unknown>[] = [
  { data: { name: 'ring', modes: 4 }, architecture: { name: 'mlp', latentDim: 2, hidden: [8] }, batchSize: 8, metrics: { evalSamples: 10 } },
  { data: { name: 'grid', side: 2 }, architecture: { name: 'mlp', latentDim: 2, hidden: [8] }, batchSize: 8, averaging: { name: 'uniform' }, metrics: { evalSamples: 10 } },
  { data: { name: 'mnist', split: 'test' }, architecture: { name: 'dcgan', latentDim: 4, baseFilters: 2, batchNorm: false }, batchSize: 4, report: { gridEvery: 1 }, metrics: { evalSamples: 10 } },
  { data: { name: 'fashion-mnist', dir: 'missing' }, architecture: { name: 'dcgan', latentDim: 4, baseFilters: 2, batchNorm: false }, batchSize: 4, metrics: { evalSamples: 10 } },
];

/** Mutations: a key path and the values it may take (path-like strings everywhere a string goes). */
const MUTATIONS: [string[], readonly unknown[]][] = [
  [['name'], PATHS.filter((p) => p !== '')], // accepted by the validator: a run name may look like a path
  [['name'], ['../../escape', ESCAPE_ABS, 'run/../../escape']],
  [['data', 'dir'], PATHS],
  [['data', 'split'], [...PATHS, 'train', 'all']],
  [['data', 'name'], [...PATHS, 'mnist', 'ring']],
  [['architecture', 'name'], [...PATHS, 'mlp', 'conditional']],
  [['loss'], [...PATHS, 'hinge', 'wasserstein', { name: 'least-squares', a: -1 }]],
  [['regularizers'], [[PATHS[0]], ['r1'], [{ name: 'gradient-penalty', lambda: 1 }], [{ name: 'weight-clipping', c: 0.1 }], 'r1']],
  [['averaging'], [null, { name: 'ema', decay: 0.5 }, { name: 'uniform', startStep: 1 }, PATHS[1]]],
  [['report', 'gridEvery'], [1, 2, 0, 0.5, PATHS[0]]],
  [['metrics', 'fid'], [null, { every: 1, samples: 10 }, { every: PATHS[0] }]],
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
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    for (let i = 0; i < 32; i++) {
      const config = mutate(r);
      const file = path.join(cwd, 'config.json');
      fs.writeFileSync(file, JSON.stringify(config));
      stderr.length = 0;
      process.stderr.write = ((chunk: string | Uint8Array) => {
        stderr.push(String(chunk));
        return true;
      }) as typeof process.stderr.write;
      let code: number;
      try {
        code = await main(['train', '--config', 'config.json', '--out', 'run', '--steps', '2', '--quiet', '--eval-samples', '10']);
      } catch (err) {
        throw new Error(`config ${JSON.stringify(config)} crashed: ${(err as Error).stack}`);
      } finally {
        process.stderr.write = write;
      }
      const text = stderr.join('');
      if (code === 0) codes.ok++;
      else {
        expect(code, text).toBe(2);
        expect(text).toMatch(/^gankit train: [^\n]+\n$/m); // one clean line, no stack trace
        expect(text).not.toMatch(/\n\s+at /);
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
