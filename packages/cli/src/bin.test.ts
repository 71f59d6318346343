import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const run = (file: string, args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [file, ...args],
      { encoding: 'utf8', env: { ...process.env, GANKIT_BACKEND: 'wasm' } },
      (err, stdout, stderr) => {
        resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });

describe('the gankit executable', () => {
  // npm links a bin at install time only if its file exists then; build output does not yet.
  it('is a committed file that npm can link before the build, and is published', () => {
    const bin = pkg.bin.gankit as string;
    expect(bin).not.toMatch(/dist\//);
    const file = path.join(pkgDir, bin);
    expect(fs.readFileSync(file, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(fs.statSync(file).mode & 0o111, 'executable').not.toBe(0);
    expect(pkg.files).toContain(path.dirname(path.normalize(bin)));
  });

  it('runs the build: --help lists the commands, a bad example exits 2', async () => {
    const bin = path.join(pkgDir, pkg.bin.gankit);
    const help = await run(bin, ['--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/Usage:[\s\S]*gankit train/);
    const bad = await run(bin, ['train', '--example', 'nope']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown example 'nope'/);
  });

  it('--version prints the version of the package.json beside the build, read when it runs (a bumped version shows without a rebuild)', async () => {
    const bin = path.join(pkgDir, pkg.bin.gankit);
    expect(await run(bin, ['--version'])).toEqual({ status: 0, stdout: `${pkg.version}\n`, stderr: '' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-version-'));
    try {
      fs.cpSync(path.join(pkgDir, 'bin'), path.join(dir, 'bin'), { recursive: true });
      fs.cpSync(path.join(pkgDir, 'dist'), path.join(dir, 'dist'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ ...pkg, version: '9.8.7-next.1' }));
      // Its dependencies resolve from the repository's node_modules, as from an install's.
      fs.symlinkSync(path.resolve(pkgDir, '..', '..', 'node_modules'), path.join(dir, 'node_modules'));
      expect(await run(path.join(dir, 'bin', 'gankit.js'), ['--version'])).toEqual({ status: 0, stdout: '9.8.7-next.1\n', stderr: '' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says how to build when there is no build, and exits 2', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-bin-'));
    try {
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
      fs.copyFileSync(path.join(pkgDir, pkg.bin.gankit), path.join(dir, 'bin', 'gankit.js'));
      const r = await run(path.join(dir, 'bin', 'gankit.js'), ['--help']);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        'gankit: @gankit/cli is not built yet (no dist/bin.js); run `npm run build` in the gankit repository, then try again\n',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
