// What the checks of scripts/check-packages.mjs share: the repository root, the results and their
// report lines, running a command, and reading a README's install line and first snippet.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every check's outcome so far. */
export const results = []; // { pkg, check, ok, detail }

/** Records one check's outcome and prints its line. */
export function report(pkg, check, ok, detail = '') {
  results.push({ pkg, check, ok, detail });
  const line = `${ok ? 'ok  ' : 'FAIL'} ${pkg.padEnd(22)} ${check.padEnd(8)} ${ok ? detail : detail.split('\n')[0]}`;
  console.log(line.slice(0, 220));
}

/** Runs a command; resolves { code, out } (stdout + stderr), never rejects. */
export function run(cmd, argv, { cwd = root, timeout = 300_000, env = {} } = {}) {
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

/** Parses a JSON file. */
export const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
/** The last `n` lines of `text`. */
export const tail = (text, n = 30) => text.trim().split('\n').slice(-n).join('\n');

/** The `npm install` names of a README's Install section (every `npm install` line of its first sh block). */
export function installLine(readme) {
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
export function firstSnippet(readme) {
  const m = /```(ts|typescript|js|javascript)\n([\s\S]*?)```/.exec(readme);
  return m ? { lang: m[1].startsWith('t') ? 'ts' : 'js', code: m[2] } : null;
}
