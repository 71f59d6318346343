// Runs the code in the guides, so the guides cannot rot.
//
// Every ```ts / ```js block in docs/guides/*.md with an HTML comment `<!-- run -->` on the line
// right above its opening fence is run with node, in document order. The blocks of one guide share
// a fresh working directory inside docs/ (so the workspace packages resolve from the root
// node_modules, as they do for a user), which is removed afterwards:
//
// - TypeScript blocks lose their types through esbuild's `transform` (no type-checking here);
// - a block whose first line is `// file: NAME.ts` (or `.js`) is saved as `NAME.js`, so later
//   blocks of the same guide can `import ... from './NAME.js'`; other blocks are `block-N.mjs`;
// - each block must exit with code 0, and every `// expect: REGEX` line in it must match its
//   standard output (a JavaScript regular expression, multiline mode);
// - a `<!-- run -->` marker that is not followed by a ts/js block fails the test.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { transform } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const guidesDir = path.join(here, 'guides');
const run = promisify(execFile);

/** The guides that must exist (each is linked from docs/index.md and the root README). */
const GUIDES = [
  'getting-started.md',
  'assembling-a-gan.md',
  'writing-a-plugin.md',
  'choosing-a-loss.md',
  'conditioning-and-codes.md',
  'metrics.md',
  'backends.md',
  'run-directory.md',
  'examples.md',
  'mode-collapse.md',
];

/** A code block marked `<!-- run -->`. */
export interface RunnableBlock {
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** `ts` or `js`. */
  readonly lang: 'ts' | 'js';
  /** The code between the fences. */
  readonly code: string;
  /** The file name given by a `// file: NAME` first line, if any. */
  readonly file?: string | undefined;
  /** The `// expect: REGEX` patterns. */
  readonly expects: readonly RegExp[];
}

const MARKER = /^\s*<!--\s*run\s*-->\s*$/;
const FENCE_OPEN = /^```(ts|typescript|js|javascript|mjs)\s*$/;
const EXPECT = /^\s*\/\/\s*expect:\s?(.*?)\s*$/;
const FILE = /^\s*\/\/\s*file:\s*([\w.-]+\.(?:ts|js|mjs))\s*$/;

/** Finds the runnable blocks of a markdown text; throws on a marker without a ts/js block. */
export function extractRunnableBlocks(markdown: string, source = 'markdown'): RunnableBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: RunnableBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!MARKER.test(lines[i])) continue;
    const open = FENCE_OPEN.exec(lines[i + 1] ?? '');
    if (!open) throw new Error(`${source}:${i + 1}: <!-- run --> must sit right above a \`\`\`ts or \`\`\`js block`);
    const end = lines.findIndex((l, j) => j > i + 1 && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${source}:${i + 2}: the code block is not closed`);
    const body = lines.slice(i + 2, end);
    const expects = body.flatMap((l, k) => {
      const m = EXPECT.exec(l);
      if (!m) return [];
      try {
        return [new RegExp(m[1], 'm')];
      } catch (e) {
        throw new Error(`${source}:${i + 3 + k}: bad expect pattern /${m[1]}/: ${(e as Error).message}`);
      }
    });
    const file = FILE.exec(body[0] ?? '')?.[1];
    const lang = open[1].startsWith('t') ? 'ts' : 'js';
    blocks.push({ line: i + 2, lang, code: body.join('\n') + '\n', file, expects });
    i = end;
  }
  return blocks;
}

/** The name a block is saved under in the guide's working directory. */
function fileNameOf(block: RunnableBlock, index: number): string {
  if (!block.file) return `block-${index + 1}.mjs`;
  return block.file.replace(/\.ts$/, '.js');
}

describe('extractRunnableBlocks', () => {
  it('takes only marked ts/js blocks, with their expect lines and file names', () => {
    const md = [
      '# t',
      '```ts',
      'console.log("not marked");',
      '```',
      '<!-- run -->',
      '```ts',
      '// file: plugin.ts',
      'export const x: number = 1;',
      '// expect: ^one \\d$',
      '```',
      '<!-- run -->',
      '```js',
      'console.log(2);',
      '```',
    ].join('\n');
    const blocks = extractRunnableBlocks(md);
    expect(blocks.map((b) => [b.line, b.lang, b.file])).toEqual([
      [6, 'ts', 'plugin.ts'],
      [12, 'js', undefined],
    ]);
    expect(blocks[0].expects.map(String)).toEqual(['/^one \\d$/m']);
    expect(blocks[1].code).toBe('console.log(2);\n');
  });

  it('refuses a marker that is not right above a ts/js block', () => {
    expect(() => extractRunnableBlocks('<!-- run -->\n\n```ts\nx\n```\n', 'a.md')).toThrow(/a\.md:1: <!-- run --> must sit right above/);
    expect(() => extractRunnableBlocks('<!-- run -->\n```sh\nls\n```\n')).toThrow(/must sit right above/);
    expect(() => extractRunnableBlocks('<!-- run -->\n```js\nx\n')).toThrow(/not closed/);
    expect(() => extractRunnableBlocks('<!-- run -->\n```js\n// expect: (\n```\n')).toThrow(/bad expect pattern/);
  });
});

describe('the guides', () => {
  it('exist, and every one of them is linked from docs/index.md and the root README', () => {
    const index = fs.readFileSync(path.join(here, 'index.md'), 'utf8');
    const readme = fs.readFileSync(path.join(here, '..', 'README.md'), 'utf8');
    for (const g of GUIDES) {
      expect(fs.existsSync(path.join(guidesDir, g)), g).toBe(true);
      expect(index, `docs/index.md links ${g}`).toContain(`(guides/${g})`);
      expect(readme, `README.md links ${g}`).toContain(`(docs/guides/${g})`);
    }
  });

  // typedoc renders docs/guides/Guides.md as a page and, through the `children` of its front matter
  // (and of examples.md's), every guide and every example's README as pages under it.
  it("are all pages of the API site (typedoc projectDocuments), as are the examples' READMEs", () => {
    const typedoc = JSON.parse(fs.readFileSync(path.join(here, '..', 'typedoc.json'), 'utf8'));
    expect(typedoc.projectDocuments).toEqual(['docs/guides/Guides.md']);
    const children = (file: string) => {
      const front = /^---\n([\s\S]*?)\n---\n/.exec(fs.readFileSync(path.join(guidesDir, file), 'utf8'));
      expect(front, `${file} has front matter`).not.toBeNull();
      return [...front![1].matchAll(/^ {2}[^:\n]+: (\S+)$/gm)].map((m) => m[1]).sort();
    };
    expect(children('Guides.md')).toEqual([...GUIDES].sort());
    const examplesDir = path.join(here, '..', 'examples');
    const readmes = fs.readdirSync(examplesDir).filter((d) => fs.existsSync(path.join(examplesDir, d, 'README.md')));
    expect(children('examples.md')).toEqual(readmes.map((d) => `../../examples/${d}/README.md`).sort());
  });

  it('link only to files that exist', () => {
    for (const g of fs.readdirSync(guidesDir).filter((f) => f.endsWith('.md'))) {
      const text = fs.readFileSync(path.join(guidesDir, g), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1].split('#')[0];
        if (!target || /^[a-z]+:/.test(target)) continue; // anchors and URLs
        expect(fs.existsSync(path.resolve(guidesDir, target)), `${g} links ${m[1]}`).toBe(true);
      }
    }
  });
});

// The blocks pick their backend as a reader's program would (native, else wasm): a GANKIT_BACKEND
// left in the environment (say, cpu) must not make the convolutional blocks crawl.
const childEnv: NodeJS.ProcessEnv = { ...process.env };
delete childEnv.GANKIT_BACKEND;

const workDirs: string[] = [];
afterAll(() => {
  for (const d of workDirs) fs.rmSync(d, { recursive: true, force: true });
});

for (const guide of fs
  .readdirSync(guidesDir)
  .filter((f) => f.endsWith('.md'))
  .sort()) {
  const blocks = extractRunnableBlocks(fs.readFileSync(path.join(guidesDir, guide), 'utf8'), `guides/${guide}`);
  if (blocks.length === 0) continue;
  describe(`guides/${guide}`, () => {
    let dir: string | undefined;
    const workDir = (): string => {
      if (!dir) {
        // Inside docs/, so that `@gankit/*` resolve through the repository's node_modules.
        dir = fs.mkdtempSync(path.join(here, `.run-${guide.replace(/\.md$/, '')}-`));
        workDirs.push(dir);
      }
      return dir;
    };
    blocks.forEach((block, index) => {
      it(`runs the block at line ${block.line}`, async () => {
        const cwd = workDir();
        const code =
          block.lang === 'ts' ? (await transform(block.code, { loader: 'ts', format: 'esm', target: 'node20' })).code : block.code;
        const file = path.join(cwd, fileNameOf(block, index));
        fs.writeFileSync(file, code);
        let stdout = '';
        let stderr = '';
        let exitCode = 0;
        try {
          // Asynchronous, so the test worker stays responsive while the block trains.
          ({ stdout, stderr } = await run(process.execPath, [file], {
            cwd,
            env: childEnv,
            encoding: 'utf8',
            timeout: 100_000,
            maxBuffer: 16 << 20,
          }));
        } catch (e) {
          const err = e as { code?: number | string; stdout?: string; stderr?: string; signal?: string };
          exitCode = typeof err.code === 'number' ? err.code : -1;
          stdout = err.stdout ?? '';
          stderr = `${err.stderr ?? ''}${err.signal ? `\n(killed by ${err.signal})` : ''}`;
        }
        const where = `guides/${guide}:${block.line}`;
        expect(exitCode, `${where} exited with ${exitCode}\n--- stdout\n${stdout.slice(-3000)}\n--- stderr\n${stderr.slice(-3000)}`).toBe(
          0,
        );
        for (const re of block.expects) expect(stdout, `${where}: stdout should match ${re}`).toMatch(re);
      });
    });
  });
}
