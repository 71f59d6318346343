// The esm and cjs checks: `import()` of every export subpath gives named exports, and `require()`
// (and an ESM `import()` of the CommonJS file itself) gives the same names.
import fs from 'node:fs';
import path from 'node:path';
import { report, run, tail } from './util.mjs';

/** Loads every export subpath of the installed package both ways and compares the names. */
export async function checkExports({ p, name, work }) {
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
}
