import { readFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { GankitError } from '@gankit/core';
import { lineChartSvg, type ChartSeries } from './chart';
import { escapeXml } from './escape';
import { writeFileAtomic } from './files';
import { curvesFromRecords, readMetricsLog, type MetricsRecord } from './metrics-logger';

/** A chart for the report. */
export interface ReportChart {
  /** Chart title. */
  readonly title: string;
  /** Its lines. */
  readonly series: readonly ChartSeries[];
  /** Logarithmic y axis. */
  readonly logY?: boolean | undefined;
}

/** A picture for the report: a PNG file (or its bytes) and a caption. */
export interface ReportGrid {
  /** The PNG's path. */
  readonly file?: string | undefined;
  /** The PNG's bytes (instead of, or read from, `file`). */
  readonly png?: Uint8Array | undefined;
  /** Caption; by default derived from the file name (`step-000001000.png` → `step 1000`). */
  readonly caption?: string | undefined;
}

/** Options of {@link htmlReport}. */
export interface HtmlReportOptions {
  /** The run folder; the report is written to `dir/report.html`. */
  readonly dir: string;
  /** Page title (default `'gankit training report'`). */
  readonly title?: string | undefined;
  /** The run's configuration, shown as pretty-printed JSON. */
  readonly config?: unknown;
  /** A `logs.jsonl` file written by `metricsLogger`, charted as loss and metric curves. */
  readonly logsFile?: string | undefined;
  /** Records to chart instead of (or in addition to, after) those in `logsFile`. */
  readonly records?: readonly MetricsRecord[] | undefined;
  /** Sample grids, as paths or {@link ReportGrid}s, in the order shown. */
  readonly grids?: readonly (string | ReportGrid)[] | undefined;
  /** The table of final metrics; by default the last logged value of each loss and metric. */
  readonly finalMetrics?: Readonly<Record<string, number | string>> | undefined;
  /** More charts, after the ones drawn from the logs. */
  readonly charts?: readonly ReportChart[] | undefined;
  /**
   * Embed the grids as base64 `data:` URLs (default true) so the one file can be moved or mailed;
   * false links them by relative path, which keeps the HTML small but needs the PNGs beside it.
   */
  readonly embedImages?: boolean | undefined;
  /** Use a log y axis for the loss chart (default false). */
  readonly logLosses?: boolean | undefined;
}

/** What {@link renderHtmlReport} draws: already-loaded data. */
export interface HtmlReportContent {
  /** Page title. */
  readonly title: string;
  /** Configuration shown as JSON (omitted when undefined). */
  readonly config?: unknown;
  /** Charts in order. */
  readonly charts: readonly ReportChart[];
  /** Pictures: an image `src` (a data URL or a relative path) and a caption. */
  readonly images: readonly { readonly src: string; readonly caption: string }[];
  /** The final metrics table. */
  readonly finalMetrics: Readonly<Record<string, number | string>>;
  /** A line under the title (e.g. the time written). */
  readonly subtitle?: string | undefined;
}

function prettyJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) ?? 'undefined';
  } catch (e) {
    throw new GankitError('config', `htmlReport: config cannot be shown as JSON (${(e as Error).message})`);
  }
}

function formatValue(v: number | string): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return String(+v.toPrecision(6));
}

/** The charts a report draws from metric records: losses, D outputs, loss terms, one per metric. */
export function chartsFromRecords(records: readonly MetricsRecord[], options: { logLosses?: boolean | undefined } = {}): ReportChart[] {
  const c = curvesFromRecords(records);
  const charts: ReportChart[] = [];
  if (c.losses.length > 0) charts.push({ title: 'Losses', series: c.losses, logY: options.logLosses });
  if (c.discriminator.length > 0) charts.push({ title: 'Discriminator outputs', series: c.discriminator });
  if (c.terms.length > 0) charts.push({ title: 'Loss terms', series: c.terms });
  for (const m of c.metrics) charts.push({ title: m.name, series: [m] });
  return charts;
}

/** The last logged value of each loss and metric. */
export function lastValues(records: readonly MetricsRecord[]): Record<string, number> {
  if (records.length === 0) return {};
  const last = records[records.length - 1];
  const out: Record<string, number> = { step: last.step, 'D loss': last.dLoss, 'G loss': last.gLoss };
  for (const r of records) for (const [k, v] of Object.entries(r.metrics)) out[k] = v;
  return out;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}
h1{margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
.sub{color:#666}pre{background:#f6f8fa;padding:1em;overflow:auto;font-size:13px}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.3em .8em;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.charts,.grids{display:flex;flex-wrap:wrap;gap:1em}
figure{margin:0}figcaption{color:#555;font-size:13px;text-align:center}img{image-rendering:pixelated;max-width:100%}`;

/**
 * Renders the report page as one self-contained HTML string (inline CSS and SVG, no scripts).
 * Everything interpolated is escaped.
 */
export function renderHtmlReport(content: HtmlReportContent): string {
  const h: string[] = [];
  const title = escapeXml(content.title);
  h.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">');
  h.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  h.push(`<title>${title}</title>`, `<style>${STYLE}</style>`, '</head>', '<body>');
  h.push(`<h1>${title}</h1>`);
  if (content.subtitle) h.push(`<p class="sub">${escapeXml(content.subtitle)}</p>`);

  h.push('<h2>Final metrics</h2>');
  const rows = Object.entries(content.finalMetrics);
  if (rows.length === 0) h.push('<p class="sub">No metrics.</p>');
  else {
    h.push('<table><thead><tr><th>metric</th><th>value</th></tr></thead><tbody>');
    for (const [k, v] of rows) {
      h.push(`<tr><td>${escapeXml(k)}</td><td class="${typeof v === 'number' ? 'num' : ''}">${escapeXml(formatValue(v))}</td></tr>`);
    }
    h.push('</tbody></table>');
  }

  h.push('<h2>Curves</h2>');
  if (content.charts.length === 0) h.push('<p class="sub">No logs.</p>');
  else {
    h.push('<div class="charts">');
    for (const c of content.charts)
      h.push(`<figure>${lineChartSvg(c.series, { title: c.title, logY: c.logY, width: 520, height: 300 })}</figure>`);
    h.push('</div>');
  }

  h.push('<h2>Samples</h2>');
  if (content.images.length === 0) h.push('<p class="sub">No sample grids.</p>');
  else {
    h.push('<div class="grids">');
    for (const im of content.images) {
      h.push(
        `<figure><img src="${escapeXml(im.src)}" alt="${escapeXml(im.caption)}"><figcaption>${escapeXml(im.caption)}</figcaption></figure>`,
      );
    }
    h.push('</div>');
  }

  if (content.config !== undefined) {
    h.push('<h2>Configuration</h2>');
    h.push(`<pre>${escapeXml(prettyJson(content.config))}</pre>`);
  }
  h.push('</body>', '</html>', '');
  return h.join('\n');
}

function captionOf(file: string | undefined, index: number): string {
  if (!file) return `grid ${index + 1}`;
  const m = /^step-(\d+)\.png$/.exec(basename(file));
  return m ? `step ${Number(m[1])}` : basename(file);
}

/**
 * Writes `dir/report.html`: one self-contained page that opens from disk with no server. It shows
 * the final metrics table, the loss and metric curves as inline SVG, the sample grids (embedded as
 * base64 by default) and the configuration as pretty JSON. Returns the report's path.
 *
 * @example
 * ```ts
 * await htmlReport({ dir: 'runs/mnist', title: 'DCGAN on MNIST', config, logsFile: 'runs/mnist/logs.jsonl', grids: grids.files });
 * ```
 */
export async function htmlReport(options: HtmlReportOptions): Promise<string> {
  const { dir } = options;
  if (typeof dir !== 'string' || dir.length === 0) throw new GankitError('config', 'htmlReport needs a `dir`');
  const records: MetricsRecord[] = [];
  if (options.logsFile) records.push(...(await readMetricsLog(options.logsFile)));
  if (options.records) records.push(...options.records);
  const embed = options.embedImages ?? true;
  const images: { src: string; caption: string }[] = [];
  for (const [i, g] of (options.grids ?? []).entries()) {
    const grid: ReportGrid = typeof g === 'string' ? { file: g } : g;
    const caption = grid.caption ?? captionOf(grid.file, i);
    if (embed || !grid.file) {
      let png = grid.png;
      if (!png) {
        if (!grid.file) throw new GankitError('config', `htmlReport: grid ${i} has neither a file nor png bytes`);
        try {
          png = await readFile(grid.file);
        } catch (e) {
          throw new GankitError('io', `htmlReport: cannot read grid '${grid.file}': ${(e as Error).message}`);
        }
      }
      images.push({ src: `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`, caption });
    } else {
      const rel = relative(dir, grid.file).split(sep).map(encodeURIComponent).join('/');
      images.push({ src: rel, caption });
    }
  }
  const html = renderHtmlReport({
    title: options.title ?? 'gankit training report',
    subtitle: `Written ${new Date().toISOString()}`,
    config: options.config,
    charts: [...chartsFromRecords(records, { logLosses: options.logLosses }), ...(options.charts ?? [])],
    images,
    finalMetrics: options.finalMetrics ?? lastValues(records),
  });
  const file = join(dir, 'report.html');
  await writeFileAtomic(file, html);
  return file;
}
