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
// Exits 1 with a summary of every failure. Options: --only=losses,data or --only @gankit/losses
// (package folder or package names; an unknown option or name exits 2), --keep (leave the scratch
// folders), --concurrency=N (default 2).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkExports } from './check-packages/exports.mjs';
import { checkInstall } from './check-packages/install.mjs';
import { checkAttw, checkPublint } from './check-packages/lint.mjs';
import { checkManifest } from './check-packages/manifest.mjs';
import { checkExtra, checkReadme } from './check-packages/snippet.mjs';
import { CHECKS } from './check-packages/specs.mjs';
import { checkTypes } from './check-packages/types.mjs';
import { firstSnippet, readJson, report, results, root, run, tail } from './check-packages/util.mjs';

const args = process.argv.slice(2);
// --name=value or --name value; anything else is refused rather than silently ignored.
const values = new Map();
let keep = false;
for (let i = 0; i < args.length; i++) {
  const m = /^--(only|concurrency)(?:=(.*))?$/.exec(args[i]);
  if (args[i] === '--keep') keep = true;
  else if (m && (m[2] !== undefined || i + 1 < args.length)) values.set(m[1], m[2] ?? args[++i]);
  else {
    console.error(
      `check:packages: unknown or incomplete option '${args[i]}' (options: --only=core,losses or --only @gankit/core, --concurrency=N, --keep)`,
    );
    process.exit(2);
  }
}
// Package folder names or package names: --only=core,losses or --only @gankit/core.
const only = values
  .get('only')
  ?.split(',')
  .map((n) => n.replace(/^@gankit\//, ''));
const concurrency = Number(values.get('concurrency') ?? 2);
const started = Date.now();

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
const unknown = (only ?? []).filter((n) => !dirs.includes(n));
if (unknown.length > 0) {
  console.error(`check:packages: --only names no package '${unknown.join("', '")}' (packages: ${dirs.join(', ')})`);
  process.exit(2);
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

async function checkPackage(p) {
  const name = p.json.name;
  const spec = CHECKS[p.dir] ?? {};
  const work = path.join(scratchRoot, p.dir);
  fs.mkdirSync(work);
  const pkg = { p, name, spec, work };
  await checkManifest(pkg);
  const readme = fs.readFileSync(path.join(root, 'packages', p.dir, 'README.md'), 'utf8');
  if (!(await checkInstall(pkg, readme, packages))) return;
  await checkExports(pkg);
  const snippet = firstSnippet(readme);
  await checkTypes(pkg, snippet);
  await checkReadme(pkg, snippet);
  await checkExtra(pkg);
  await checkPublint(pkg);
  await checkAttw(pkg);
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
