// frechetDistance at d = 2048 in a real browser (issue 18: ≤ 3 s, relative error ≤ 1e-10):
// bundles @gankit/metrics's built dist with esbuild, serves it on 127.0.0.1 and runs it in
// headless Chromium (Debian's, through playwright-core), twice: on a plain page (WebAssembly SIMD
// kernels) and under a Content-Security-Policy without 'wasm-unsafe-eval' (the JS fallback).
// Each page computes the bench's shared-eigenvector pair (exact value known) and the float64
// reference fixtures; an error above 1e-10 fails the run. Times are printed, never asserted: one
// JSON line per page with the first call, the median of the later ones (wall in the page, and CPU
// of the renderer process from /proc), the kernels used and the load average.
// Run `npm run test:browser -w @gankit/metrics` after `npm run build -w @gankit/metrics`.
// Env: CHROMIUM_PATH (default /usr/bin/chromium), FRECHET_DIM (2048), FRECHET_RUNS (3 later calls),
// FRECHET_MODES (default "wasm,csp").
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.resolve(here, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const D = Number(process.env.FRECHET_DIM ?? 2048);
const RUNS = Number(process.env.FRECHET_RUNS ?? 3);
const MODES = (process.env.FRECHET_MODES ?? 'wasm,csp').split(',');
const TOLERANCE = 1e-10;
// No 'wasm-unsafe-eval' (nor 'unsafe-eval'): the page may not compile WebAssembly.
const CSP = "default-src 'self'; script-src 'self'";

const fail = (message) => {
  console.error(`browser-frechet: FAIL: ${message}`);
  process.exitCode = 1;
};
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x);
const load = () => os.loadavg().map((x) => Number(x.toFixed(2)));

if (!fs.existsSync(path.join(pkg, 'dist', 'index.js'))) {
  console.error('browser-frechet: packages/metrics/dist is missing: run `npm run build -w @gankit/metrics` first');
  process.exit(1);
}
if (!fs.existsSync(CHROMIUM)) {
  console.error(`browser-frechet: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  process.exit(1);
}

const bundle = await build({
  entryPoints: [path.join(here, 'browser-frechet-page.mjs')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  write: false,
  logLevel: 'warning',
});
const script = bundle.outputFiles[0].contents;
const fixtures = JSON.parse(fs.readFileSync(path.join(pkg, 'src', '__fixtures__', 'reference.json'), 'utf8')).fid;
const html = '<!doctype html><meta charset="utf-8"><title>frechet</title><script type="module" src="/page.js"></script>';

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/page.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(script);
  } else if (url.pathname === '/' || url.pathname === '/csp') {
    const headers = { 'content-type': 'text/html' };
    if (url.pathname === '/csp') headers['content-security-policy'] = CSP;
    res.writeHead(200, headers);
    res.end(html);
  } else {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

/** CPU ms (user + system) of every process under `pid` whose command line has `--type=renderer`. */
function rendererCpuMs(rootPid) {
  const tick = 1000 / 100; // USER_HZ
  const procs = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(name), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) * tick });
    } catch {
      // gone meanwhile
    }
  }
  const under = (p) => {
    for (let q = p; q > 1; q = procs.get(q)?.ppid ?? 0) if (q === rootPid) return true;
    return false;
  };
  let cpu = 0;
  for (const [p, info] of procs) {
    if (!under(p)) continue;
    try {
      if (fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('--type=renderer')) cpu += info.cpu;
    } catch {
      // gone meanwhile
    }
  }
  return cpu;
}

const browserServer = await chromium.launchServer({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
});
const browser = await chromium.connect(browserServer.wsEndpoint());
const rootPid = browserServer.process().pid;
const version = browser.version();

try {
  for (const mode of MODES) {
    const csp = mode === 'csp';
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${origin}${csp ? '/csp' : '/'}`);
    await page.waitForFunction(() => !!window.__frechet, null, { timeout: 30_000 });
    const prepareMs = await page.evaluate((d) => window.__frechet.prepare(d), D);
    const calls = [];
    for (let r = 0; r <= RUNS; r++) {
      const c0 = rendererCpuMs(rootPid);
      const result = await page.evaluate(() => window.__frechet.call());
      calls.push({ ...result, cpuMs: rendererCpuMs(rootPid) - c0 });
    }
    const fixtureResults = await page.evaluate((cases) => window.__frechet.fixtures(cases), fixtures);
    const { path: kernels, compileErrors } = await page.evaluate(() => window.__frechet.path());
    await page.close();

    const later = calls.slice(1);
    const relError = Math.max(...calls.map((c) => c.relError));
    console.log(
      JSON.stringify({
        check: 'browser-frechet',
        browser: `Chromium ${version}`,
        csp: csp ? CSP : null,
        kernels,
        d: D,
        firstCallMs: round(calls[0].ms),
        firstCallCpuMs: round(calls[0].cpuMs),
        ms: round(median(later.map((c) => c.ms))),
        cpuMs: round(median(later.map((c) => c.cpuMs))),
        runs: RUNS,
        fid: calls[calls.length - 1].fid,
        exact: calls[0].exact,
        relError: Number(relError.toExponential(2)),
        fixtures: fixtureResults.map((f) => ({
          name: f.name,
          d: f.d,
          relScipy: Number(f.relScipy.toExponential(2)),
          relEigh: Number(f.relEigh.toExponential(2)),
        })),
        prepareMs: round(prepareMs),
        load: load(),
      }),
    );
    if (errors.length) fail(`${mode}: page errors: ${errors.join(' | ')}`);
    if (!(relError <= TOLERANCE)) fail(`${mode}: d = ${D}: relative error ${relError} against the closed form exceeds ${TOLERANCE}`);
    for (const f of fixtureResults) {
      if (!(f.relScipy <= TOLERANCE && f.relEigh <= TOLERANCE)) {
        fail(`${mode}: fixture ${f.name}: relative error ${f.relScipy} (scipy) / ${f.relEigh} (eigh) exceeds ${TOLERANCE}`);
      }
    }
    const want = csp ? 'js' : 'wasm-simd';
    if (kernels !== want)
      fail(`${mode}: expected the ${want} kernels, the page ran ${kernels} (wasm compile errors: ${compileErrors.join(' | ') || 'none'})`);
    if (csp && compileErrors.length === 0) fail(`${mode}: the CSP page compiled WebAssembly; the policy did not apply`);
  }
} finally {
  await browser.close();
  await browserServer.close();
  server.close();
}
