// The install check: the README's install line names the package and tfjs-core, and installs
// in a scratch project from the tarballs (and the registry for the rest); packages that must
// not come along are absent.
import fs from 'node:fs';
import path from 'node:path';
import { installLine, report, run, tail } from './util.mjs';

/** The package and its @gankit dependencies, transitively. */
function gankitClosure(packages, name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const p = packages.get(name);
  for (const dep of Object.keys({ ...p.json.dependencies, ...p.json.peerDependencies })) {
    if (packages.has(dep)) gankitClosure(packages, dep, seen);
  }
  return seen;
}

/** Installs one package in its scratch project as its README says; false when that failed (later checks need it). */
export async function checkInstall({ p, name, spec, work }, readme, packages) {
  const line = installLine(readme);
  const problems = [];
  if (!line) problems.push('README has no `## Install` section with an `npm install` line');
  else {
    if (!line.includes(name)) problems.push(`the install line does not name ${name}`);
    if (!line.includes('@tensorflow/tfjs-core')) problems.push('the install line does not name @tensorflow/tfjs-core');
    for (const n of line) if (n.startsWith('@gankit/') && !packages.has(n)) problems.push(`the install line names an unknown package ${n}`);
  }
  if (problems.length) {
    report(name, 'install', false, problems.join('; '));
    return false;
  }
  const gankit = new Set();
  for (const n of line) if (packages.has(n)) gankitClosure(packages, n, gankit);
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
  return r.code === 0;
}
