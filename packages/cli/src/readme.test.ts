import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The code block that follows `<!-- snippet:NAME ... -->` in a markdown file. */
export function extractSnippet(markdown: string, name: string): string {
  const marker = markdown.indexOf(`<!-- snippet:${name}`);
  if (marker < 0) throw new Error(`no snippet '${name}'`);
  const m = /```(?:js|ts|javascript|typescript)\n([\s\S]*?)```/.exec(markdown.slice(marker));
  if (!m) throw new Error(`snippet '${name}' has no code block`);
  return m[1];
}

describe('README', () => {
  it('the "assemble your own GAN" snippet runs as it is and reports mode coverage', async () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const code = extractSnippet(readme, 'assemble');
    expect(code.split('\n').filter((l) => l.trim()).length).toBeLessThanOrEqual(26);
    // Written inside the repository so that the workspace packages resolve as they do for a user.
    const file = path.join(root, 'packages', 'cli', `.readme-snippet-${process.pid}.mjs`);
    fs.writeFileSync(file, code);
    try {
      // Asynchronous, so the test worker stays responsive while the snippet trains.
      const { stdout: out } = await promisify(execFile)(process.execPath, [file], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, GANKIT_BACKEND: 'wasm' },
        timeout: 300_000,
      });
      const m = /modesCaptured: (\d+)/.exec(out);
      expect(m, out).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThanOrEqual(0);
      expect(Number(m![1])).toBeLessThanOrEqual(8);
      expect(out).toMatch(/highQualityFraction: [0-9.e-]+/);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
