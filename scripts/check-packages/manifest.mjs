// The manifest check: what the tarball holds (LICENSE, NOTICE, README, bin files) and what
// package.json declares (repository, publishConfig, engines, prepack, license).
import fs from 'node:fs';
import path from 'node:path';
import { report, root, run, tail } from './util.mjs';

const rootLicense = fs.readFileSync(path.join(root, 'LICENSE'), 'utf8');

/** Checks the packed files and package.json of one package. */
export async function checkManifest({ p, name, work }) {
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
