import { describe, it, expect } from 'vitest';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { htmlReport, renderHtmlReport } from './html-report';
import { gridFileName } from './grid-recorder';
import { imageGrid } from './image-grid';
import { metricsLogger } from './metrics-logger';
import { makeContext, makeLogs, simulate, tempDir, TinyGenerator } from '../test/helpers';
import { checkXml } from '../test/xml';

const VOID = ['meta', 'img'];

async function runDir() {
  const dir = await tempDir();
  const logger = metricsLogger({ file: join(dir, 'logs.jsonl') });
  const g = new TinyGenerator();
  await simulate(logger, makeContext(g), 12, (s) => makeLogs(s, { metrics: s % 4 === 3 ? { fid: 50 - s, 'kid<x>': 0.1 * s } : {} }));
  g.dispose();
  await mkdir(join(dir, 'grids'));
  const grids: string[] = [];
  for (const step of [4, 8, 12]) {
    const file = join(dir, 'grids', gridFileName(step));
    await writeFile(file, imageGrid({ data: Float32Array.from({ length: 8 }, (_, i) => (i * step) / 50 - 1), shape: [2, 2, 2, 1] }));
    grids.push(file);
  }
  return { dir, grids, logsFile: logger.file };
}

describe('htmlReport', () => {
  it('writes one self-contained page: escaped config, one <svg> per chart, one embedded <img> per grid', async () => {
    const { dir, grids, logsFile } = await runDir();
    const config = { name: '</pre><script>alert("x")</script>', lr: 2e-4, betas: [0.5, 0.999], nested: { a: "it's & more" } };
    const file = await htmlReport({ dir, title: 'Run <1> & "two"', config, logsFile, grids });
    expect(file).toBe(join(dir, 'report.html'));
    const html = await readFile(file, 'utf8');
    const { tags } = checkXml(html, VOID);
    // Charts: losses, D outputs, loss terms, and one per metric (fid, kid<x>).
    expect(tags.get('svg')).toBe(5);
    expect(tags.get('img')).toBe(3);
    expect(tags.get('script')).toBeUndefined();
    expect(html).toContain('<title>Run &lt;1&gt; &amp; &quot;two&quot;</title>');
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;alert(\\&quot;x\\&quot;)&lt;/script&gt;');
    expect(html).toContain('it&#39;s &amp; more');
    expect(html).toContain('kid&lt;x&gt;');
    // The config block un-escapes to the pretty JSON.
    const pre = /<pre>([\s\S]*?)<\/pre>/.exec(html)![1];
    const unescaped = pre
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
    expect(JSON.parse(unescaped)).toEqual(config);
    // Embedded grids decode to the files' bytes, captioned by step.
    const srcs = [...html.matchAll(/<img src="data:image\/png;base64,([^"]+)"/g)].map((m) => m[1]);
    expect(srcs).toHaveLength(3);
    for (const [i, s] of srcs.entries()) expect(Buffer.from(s, 'base64').equals(await readFile(grids[i]))).toBe(true);
    expect(html).toContain('<figcaption>step 12</figcaption>');
    // No external resources: nothing to fetch from a server.
    expect(html).not.toMatch(/(src|href)="(https?:|\/\/)/);
    // Default final metrics: the last losses and the last value of each metric.
    expect(html).toMatch(/<td>fid<\/td><td class="num">39<\/td>/);
    expect(html).toMatch(/<td>step<\/td><td class="num">12<\/td>/);
  });

  it('links grids by relative path when not embedding, and takes given metrics and charts', async () => {
    const { dir, grids } = await runDir();
    const file = await htmlReport({
      dir,
      grids: [grids[0], { png: imageGrid({ data: [0, 1], shape: [1, 1, 2, 1] }), caption: 'extra <b>' }],
      embedImages: false,
      finalMetrics: { FID: 12.3456789, note: 'a<b' },
      charts: [
        {
          title: 'custom',
          series: [
            {
              name: 's',
              points: [
                [1, 2],
                [2, 3],
              ],
            },
          ],
        },
      ],
    });
    const html = await readFile(file, 'utf8');
    const { tags } = checkXml(html, VOID);
    expect(tags.get('img')).toBe(2);
    expect(tags.get('svg')).toBe(1);
    expect(html).toContain('<img src="grids/step-000000004.png"');
    expect(html).toContain('<img src="data:image/png;base64,'); // bytes without a file are embedded
    expect(html).toContain('extra &lt;b&gt;');
    expect(html).toContain('<td class="num">12.3457</td>');
    expect(html).toContain('<td class="">a&lt;b</td>');
    expect(html).not.toContain('<h2>Configuration</h2>');
  });

  it('renders an empty report and names a missing grid', async () => {
    const html = renderHtmlReport({ title: 't', charts: [], images: [], finalMetrics: {} });
    checkXml(html, VOID);
    expect(html).toContain('No logs.');
    const dir = await tempDir();
    await expect(htmlReport({ dir, grids: [join(dir, 'nope.png')] })).rejects.toThrow(/cannot read grid/);
    await expect(htmlReport({ dir, config: { x: 1n } })).resolves.toBe(join(dir, 'report.html'));
  });
});
