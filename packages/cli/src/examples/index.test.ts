import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_FOLDERS } from '../generated/example-folders';
import { runMain } from '../test-main';
import { CUSTOM_EXAMPLES, EXAMPLES, exampleNames, examplesOf, findExample, isExamplePath, loadExampleFolder } from './index';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..', '..', '..');
const bin = path.resolve(here, '..', '..', 'dist', 'bin.js');
const buildScript = path.resolve(here, '..', '..', 'scripts', 'build-examples.mjs');

describe('the built-in examples', () => {
  it('are the examples/<folder>/example.ts of the repository, every example of each registered under its name', () => {
    const root = path.join(repo, 'examples');
    const folders = fs
      .readdirSync(root)
      .filter((f) => fs.existsSync(path.join(root, f, 'example.ts')))
      .sort();
    expect(Object.keys(EXAMPLE_FOLDERS)).toEqual(folders);
    expect(folders).toEqual(expect.arrayContaining(['cyclegan-digits', 'mnist-dcgan', 'ring8']));
    const names: string[] = [];
    for (const folder of folders) {
      for (const example of examplesOf(EXAMPLE_FOLDERS[folder], folder)) {
        names.push(example.name);
        expect(findExample(example.name)).toBe(example);
      }
    }
    expect(names.sort()).toEqual(exampleNames());
    expect(examplesOf(EXAMPLE_FOLDERS.ring8, 'ring8').map((e) => e.name)).toEqual(['ring8', 'ring8-unrolled', 'ring8-replay']);
    expect(Object.keys(CUSTOM_EXAMPLES).sort()).toEqual([
      'cyclegan-digits',
      'fgan-mixture',
      'fgan-mnist',
      'mnist-pix2pix',
      'mnist-superres',
      'mnist-superres-l1',
    ]);
    expect(EXAMPLES['cyclegan-digits']).toBeUndefined();
  });

  it('are found by name only, never through inherited properties', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '']) expect(findExample(name), name).toBeUndefined();
  });
});

describe('examplesOf', () => {
  const example = { name: 'x', description: 'd', defaults: { steps: 1, batchSize: 2 }, setup() {}, finish() {} };
  it('takes one example or an array of them', () => {
    expect(examplesOf(example, 'f')).toEqual([example]);
    const custom = { ...example, name: 'y', setup: undefined, finish: undefined, train() {} };
    expect(examplesOf([example, custom], 'f').map((e) => e.name)).toEqual(['x', 'y']);
  });

  it('refuses what is not an example with one line naming the file and the problem', () => {
    const bad: [unknown, RegExp][] = [
      [undefined, /^f has no default export: `export default` the example/],
      [[], /^f: its default export is an empty array/],
      [42, /^f: its default export is not an example: it is number, not an example object$/],
      [null, /it is null/],
      [{ ...example, name: '' }, /its name must be a non-empty string/],
      [{ ...example, name: 'a b' }, /its name must be a non-empty string/],
      [{ ...example, description: undefined }, /example 'x' has no description/],
      [{ ...example, defaults: { steps: 0, batchSize: 2 } }, /example 'x' needs defaults: \{ steps, batchSize \}/],
      [{ ...example, defaults: undefined }, /needs defaults/],
      [{ ...example, finish: undefined }, /example 'x' needs setup\(\) and finish\(\) \(or train\(\) for a loop of its own\)$/],
      [[example, 7], /it is number/],
    ];
    for (const [value, message] of bad) {
      let error: Error | undefined;
      try {
        examplesOf(value, 'f');
      } catch (e) {
        error = e as Error;
      }
      expect(error?.name, String(message)).toBe('GankitError');
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toContain('\n');
    }
  });
});

describe('gankit train --example ./folder', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-example-folder-'));
    // The folder's imports (@gankit/cli, @gankit/data) resolve as in a project that installed them.
    fs.symlinkSync(path.join(repo, 'node_modules'), path.join(tmp, 'node_modules'), 'dir');
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const folder = (name: string, files: Record<string, string>) => {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
    return dir;
  };

  it('tells a path from a name', () => {
    for (const p of ['./my-gan', '../x', 'a/b', '/abs', '.', '..', 'c:\\x']) expect(isExamplePath(p), p).toBe(true);
    for (const n of ['ring8', 'mnist-dcgan', 'x.y']) expect(isExamplePath(n), n).toBe(false);
  });

  it('refuses, in one line naming the folder or file, what holds no example', async () => {
    const cases: [string, RegExp][] = [
      [path.join(tmp, 'missing'), /^--example .*missing: no such folder \(.*\); built-in examples are given by name$/],
      [
        folder('empty', {}),
        /^--example .*empty: .*empty holds no example\.mjs or example\.js \(the definition, whose default export is the example\)$/,
      ],
      [
        folder('ts-only', { 'example.ts': 'export default {};\n' }),
        /holds no example\.mjs or example\.js .*; its example\.ts must be compiled to example\.mjs first/,
      ],
      [folder('no-default', { 'example.mjs': 'export const x = 1;\n' }), /example\.mjs has no default export/],
      [
        folder('not-example', { 'example.mjs': 'export default { name: "n" };\n' }),
        /example\.mjs: its default export is not an example: example 'n' has no description/,
      ],
      [folder('broken', { 'example.mjs': 'export default {\n' }), /^--example .*broken: .*example\.mjs failed to load: /],
      [folder('throws', { 'example.mjs': 'throw new Error("boom\\nsecond line");\n' }), /failed to load: boom$/],
    ];
    for (const [dir, message] of cases) {
      const r = await runMain(['train', '--example', dir, '--steps', '1', '--out', path.join(tmp, 'never'), '--quiet']);
      expect(r.code, dir).toBe(2);
      const line = r.stderr.trim();
      expect(line.startsWith('gankit train: '), line).toBe(true);
      expect(line.slice('gankit train: '.length)).toMatch(message);
      expect(line).not.toContain('\n');
    }
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });

  it('picks, of several examples, the one named like the folder', async () => {
    const one = (name: string) => `{ name: '${name}', description: 'd', defaults: { steps: 1, batchSize: 2 }, train: async () => ({}) }`;
    const dir = folder('two', { 'example.mjs': `export default [${one('one')}, ${one('two')}];\n` });
    expect((await loadExampleFolder(dir)).name).toBe('two');
    const other = folder('other', { 'example.mjs': `export default [${one('one')}, ${one('two')}];\n` });
    await expect(loadExampleFolder(other)).rejects.toThrow(/defines 2 examples \(one, two\) and none is named like the folder 'other'$/);
  });

  it('trains the guide’s example folder with the built gankit, on one thread and on two workers', async () => {
    // The folder of the examples guide, as it is there.
    const guide = fs.readFileSync(path.join(repo, 'docs', 'guides', 'examples.md'), 'utf8');
    const block = /<!-- snippet:example-folder[^\n]*\n```js\n([\s\S]*?)```/.exec(guide);
    expect(block, 'the guide has its example-folder snippet').not.toBeNull();
    const dir = folder('my-ring', { 'example.mjs': block![1] });
    for (const workers of ['1', '2']) {
      const out = path.join(tmp, `run-${workers}`);
      const { stderr } = await run(
        process.execPath,
        [bin, 'train', '--example', dir, '--out', out, '--steps', '3', '--batch-size', '16', '--workers', workers, '--quiet'],
        {
          cwd: tmp,
        },
      );
      expect(stderr).toMatch(/^my-ring: \d\/4 modes captured/m);
      const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
      expect(config).toMatchObject({ example: 'my-ring', steps: 3, batchSize: 16, workers: Number(workers) });
      expect(JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8')).numModes).toBe(4);
    }
  });
});

describe('scripts/build-examples.mjs', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-build-examples-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const build = async (folders: Record<string, string>) => {
    const root = fs.mkdtempSync(path.join(tmp, 'examples-'));
    for (const [name, text] of Object.entries(folders)) {
      fs.mkdirSync(path.join(root, name));
      fs.writeFileSync(path.join(root, name, 'example.ts'), text);
    }
    const out = path.join(root, 'generated');
    try {
      await run(process.execPath, [buildScript, root, out]);
      return { out, error: undefined };
    } catch (e) {
      return { out, error: (e as { stderr: string }).stderr };
    }
  };

  it('writes the table of default exports and the re-export of named ones, folders sorted', async () => {
    const { out, error } = await build({ b: 'export const B = 1;\nexport default 1;\n', a: 'export default 2;\n' });
    expect(error).toBeUndefined();
    const table = fs.readFileSync(path.join(out, 'example-folders.ts'), 'utf8');
    expect(table).toContain("import folder_a from '../a/example';\nimport folder_b from '../b/example';\n");
    expect(table).toContain("  'a': folder_a,\n  'b': folder_b,\n");
    expect(fs.readFileSync(path.join(out, 'examples.ts'), 'utf8')).toMatch(
      /^\/\/ Generated .*\nexport \* from '\.\.\/a\/example';\nexport \* from '\.\.\/b\/example';\n$/,
    );
  });

  it('refuses a definition without a default export, and a name two folders export', async () => {
    expect((await build({ a: 'export const A = 1;\n' })).error).toBe(
      'build-examples: examples/a/example.ts has no default export: `export default` its example (or an array of its examples)\n',
    );
    expect((await build({ a: 'export const X = 1;\nexport default 1;\n', b: 'export const X = 2;\nexport default 2;\n' })).error).toBe(
      "build-examples: examples/a/example.ts and examples/b/example.ts both export 'X'; rename one\n",
    );
    expect((await build({ Bad_Name: 'export default 1;\n' })).error).toMatch(/examples\/Bad_Name: a folder name is lower-case/);
  });
});
