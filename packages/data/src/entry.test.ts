import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Every module specifier imported by `file` and, recursively, by the local modules it imports. */
function importGraph(file: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(file)) return seen;
  const source = fs.readFileSync(file, 'utf8');
  const specs = [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
  seen.set(file, specs);
  for (const s of specs) {
    if (s.startsWith('.')) importGraph(path.resolve(path.dirname(file), `${s}.ts`), seen);
  }
  return seen;
}

describe('entry points', () => {
  it('keeps the main entry browser-safe: no node built-ins, no codecs, only tfjs-core, @gankit/core and zod (the registry)', () => {
    const graph = importGraph(path.join(here, 'index.ts'));
    expect(graph.size).toBeGreaterThan(4);
    for (const [file, specs] of graph) {
      for (const s of specs) {
        if (s.startsWith('.')) continue;
        if (!['@tensorflow/tfjs-core', '@gankit/core', 'zod'].includes(s)) throw new Error(`${path.basename(file)} imports '${s}'`);
      }
    }
  });

  it('puts the file readers in the node entry', () => {
    const graph = importGraph(path.join(here, 'node.ts'));
    const external = new Set([...graph.values()].flat().filter((s) => !s.startsWith('.')));
    expect(external).toContain('node:fs');
    expect(external).toContain('node:zlib');
    expect(external).toContain('pngjs');
  });
});
