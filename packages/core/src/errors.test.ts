import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GANKIT_ERROR_CODES, GANKIT_ERROR_KINDS, GankitError, isGankitErrorCode } from './errors';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Source files (.ts, .mjs, .js) under `dir`, without node_modules and build output. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.(ts|mts|mjs|js)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every code given as a literal to the GankitError or BackendError constructor in the sources: code -> files. */
function codesInSources(): Map<string, Set<string>> {
  const files = [
    ...readdirSync(join(root, 'packages')).flatMap((p) => {
      try {
        return sources(join(root, 'packages', p, 'src'));
      } catch {
        return [];
      }
    }),
    ...sources(join(root, 'examples')),
  ];
  const found = new Map<string, Set<string>>();
  for (const f of files) {
    for (const m of readFileSync(f, 'utf8').matchAll(/new\s+(?:GankitError|BackendError)\(\s*(['"`])([^'"`]*)\1/g)) {
      if (!found.has(m[2])) found.set(m[2], new Set());
      found.get(m[2])!.add(f.slice(root.length));
    }
  }
  return found;
}

describe('GankitError codes', () => {
  const found = codesInSources();

  it('the scan sees the code base (hundreds of throw sites in several packages)', () => {
    const sites = [...found.values()].reduce((n, s) => n + s.size, 0);
    expect(sites).toBeGreaterThan(100);
    expect(found.get('config')?.size).toBeGreaterThan(20);
  });

  it('every code thrown in packages/*/src and examples/ is one of GANKIT_ERROR_CODES', () => {
    const unknown = [...found].filter(([code]) => !isGankitErrorCode(code)).map(([code, files]) => `'${code}' in ${[...files].join(', ')}`);
    expect(unknown).toEqual([]);
  });

  it('every code of the union is thrown somewhere (no dead codes)', () => {
    expect(GANKIT_ERROR_CODES.filter((c) => !found.has(c))).toEqual([]);
  });

  it('the list, the descriptions and the guard agree', () => {
    expect([...GANKIT_ERROR_CODES]).toEqual(Object.keys(GANKIT_ERROR_KINDS));
    expect(new Set(GANKIT_ERROR_CODES).size).toBe(GANKIT_ERROR_CODES.length);
    expect(Object.isFrozen(GANKIT_ERROR_CODES)).toBe(true);
    for (const c of GANKIT_ERROR_CODES) expect(GANKIT_ERROR_KINDS[c].length).toBeGreaterThan(20);
    expect(isGankitErrorCode('disk-full')).toBe(true);
    for (const bad of ['numeric', 'toString', 'constructor', '', 'ENOENT', 3, undefined, null]) expect(isGankitErrorCode(bad)).toBe(false);
  });
});

describe('GankitError', () => {
  it('carries its code, name and message and is an Error', () => {
    const e = new GankitError('shape', 'x must be [2, 3], got [3, 2]');
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.code, e.message]).toEqual(['GankitError', 'shape', 'x must be [2, 3], got [3, 2]']);
    expect(String(e)).toBe('GankitError: x must be [2, 3], got [3, 2]');
  });
});
