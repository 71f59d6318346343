// The readme and extra checks: the README's first js/ts snippet, and the package's `extra` module,
// run in the scratch project.
import fs from 'node:fs';
import path from 'node:path';
import { report, root, run, tail } from './util.mjs';

/** Runs the README's first snippet (compiled from TypeScript when needed), or says why it is not run. */
export async function checkReadme({ name, spec, work }, snippet) {
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
}

/** Runs the package's `extra` module, when it has one. */
export async function checkExtra({ name, spec, work }) {
  if (spec.extra) {
    fs.writeFileSync(path.join(work, 'extra.mjs'), spec.extra);
    const r = await run(process.execPath, ['extra.mjs'], { cwd: work, timeout: 180_000 });
    report(name, 'extra', r.code === 0, r.code === 0 ? tail(r.out, 1) : `failed (exit ${r.code}):\n${tail(r.out)}`);
  }
}
