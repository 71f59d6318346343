// Completes package-lock.json with the platform-specific optional packages that the registry
// mirror of our build machines does not carry (rollup's and turbo's macOS, Windows, BSD, Android,
// musl, ... binaries). npm omits an optional dependency it cannot resolve when it writes the lock,
// and `npm ci` then refuses the lock as "out of sync". Each added entry records the version the
// parent asks for and the platform it is for, so npm skips it on other platforms, exactly as a
// lock written against the full registry does. Run after every `npm install` that rewrites the
// lock: `node scripts/complete-lock.mjs` (CI checks it with `npm ci`).
import fs from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pkgs = lock.packages;

/** os / cpu / libc of a platform package, from its name. */
function platformOf(name) {
  const tail = name.split('/').pop();
  const parts = tail.replace(/^rollup-/, '').split('-');
  const osMap = {
    android: 'android',
    darwin: 'darwin',
    freebsd: 'freebsd',
    linux: 'linux',
    openbsd: 'openbsd',
    openharmony: 'openharmony',
    win32: 'win32',
    windows: 'win32',
  };
  const cpuMap = {
    arm: 'arm',
    arm64: 'arm64',
    x64: 'x64',
    64: 'x64',
    ia32: 'ia32',
    loong64: 'loong64',
    ppc64: 'ppc64',
    riscv64: 'riscv64',
    s390x: 's390x',
  };
  const os = osMap[parts[0]];
  const cpu = cpuMap[parts[1]];
  if (!os || !cpu) return null;
  const out = { os: [os], cpu: [cpu] };
  if (os === 'linux') out.libc = [parts.slice(2).some((p) => p.startsWith('musl')) ? 'musl' : 'glibc'];
  return out;
}

let added = 0;
for (const [path, meta] of Object.entries(pkgs)) {
  const optional = meta.optionalDependencies ?? {};
  for (const [dep, range] of Object.entries(optional)) {
    const key = `${path ? `${path}/` : ''}node_modules/${dep}`;
    const hoisted = `node_modules/${dep}`;
    if (pkgs[key] || pkgs[hoisted]) continue;
    const platform = platformOf(dep);
    if (!platform) continue; // not a platform binary: leave it to npm
    const version = String(range).replace(/^[\^~=]/, '');
    if (!/^\d+\.\d+\.\d+/.test(version)) continue;
    pkgs[hoisted] = { version, ...platform, optional: true };
    added++;
  }
}
const sorted = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
lock.packages = sorted;
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lock: added ${added} platform entries`);
