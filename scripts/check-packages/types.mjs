// The types check: the package's `types` file and the README's TypeScript snippet type-check with
// strict, skipLibCheck: false and exactOptionalPropertyTypes, under node16 and bundler resolution.
import fs from 'node:fs';
import path from 'node:path';
import { report, root, run, tail } from './util.mjs';

const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** Type-checks the `types` file of `spec` and, when it runs, the README's TypeScript snippet. */
export async function checkTypes({ name, spec, work }, snippet) {
  const runSnippet = spec.readme === 'run' && snippet;
  const files = [];
  if (spec.types) {
    fs.writeFileSync(path.join(work, 'check.ts'), spec.types.trimStart());
    files.push('check.ts');
  }
  if (runSnippet && snippet.lang === 'ts') {
    fs.writeFileSync(path.join(work, 'readme.ts'), `${snippet.code}\nexport {};\n`);
    files.push('readme.ts');
  }
  if (!files.length) report(name, 'types', false, 'nothing to type-check: add a `types` entry for it in scripts/check-packages/specs.mjs');
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
