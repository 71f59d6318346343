// The publint and attw checks: publint on the installed copy (exactly the packed files), and the
// checks `attw --pack` runs, on the tarball.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readJson, report, root } from './util.mjs';

// @arethetypeswrong/cli's own engine, run in this process (one TypeScript load, not one per package).
const attwCore = await import(
  pathToFileURL(
    createRequire(path.join(root, 'node_modules', '@arethetypeswrong', 'cli', 'package.json')).resolve('@arethetypeswrong/core'),
  ).href
);

/** publint finds no error in the installed package. */
export async function checkPublint({ name, work }) {
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

/** @arethetypeswrong finds no problem in the tarball. */
export async function checkAttw({ p, name }) {
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
