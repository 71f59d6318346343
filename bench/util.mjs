import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Median of a list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `fn` `warmup` times, then `runs` times, and returns the per-run milliseconds. */
export async function time(fn, { warmup = 2, runs = 5 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return ms;
}

/**
 * Times several functions interleaved (a, b, a, b, ...) so that a change in the machine's load
 * hits all of them alike; returns the per-run milliseconds of each, by name.
 */
export async function timeInterleaved(fns, { warmup = 2, runs = 5 } = {}) {
  const names = Object.keys(fns);
  for (let i = 0; i < warmup; i++) for (const n of names) await fns[n]();
  const ms = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    for (const n of names) {
      const t0 = performance.now();
      await fns[n]();
      ms[n].push(performance.now() - t0);
    }
  }
  return ms;
}

/**
 * CPU milliseconds the calling thread has used (Linux: /proc/thread-self/stat, 10 ms ticks), or
 * NaN elsewhere. On a loaded machine a thread's CPU time still counts its own work.
 */
export function threadCpuMs() {
  try {
    const f = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Rounds to `digits` decimals. */
export function round(x, digits = 1) {
  return Number(x.toFixed(digits));
}

/**
 * Prints one benchmark result as a JSON line, with the 1-minute load average at the time (on a
 * machine shared with other work, absolute timings are only comparable at similar load).
 */
export function report(obj) {
  console.log(JSON.stringify({ ...obj, load1: round(os.loadavg()[0], 2), cpus: os.cpus().length }));
}

/** The next message a child process sends. */
export function next(child) {
  return new Promise((resolve) => child.once('message', resolve));
}

/** Sends a message to a child process and waits for its reply. */
export function ask(child, msg) {
  const reply = next(child);
  child.send(msg);
  return reply;
}
