import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { BackendError } from './errors';
import { registerCpuFusedAdam } from './kernels/FusedAdam';
import { registerWasmTrainingKernels, registeredWasmTrainingKernels } from './kernels/register';
import { checkThreads, isNode, startThreadedWasm, wasmThreadsCount } from './wasm-threads';

// The cpu backend's fused Adam kernel needs no setup: registered on import, as the backends are.
registerCpuFusedAdam();

/** The values `options.backend` and `GANKIT_BACKEND` accept. */
export const BACKEND_CHOICES = ['tensorflow', 'tfjs-node', 'tfjs-node-gpu', 'wasm', 'cpu'] as const;

/** A backend a user can ask for: one of {@link BACKEND_CHOICES}. */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** One candidate {@link initBackend} tried, in order. */
export interface BackendAttempt {
  /** The candidate: `'tfjs-node-gpu'`, `'tfjs-node'`, `'wasm'` or `'cpu'`. */
  name: string;
  /** Whether it loaded and initialised. */
  ok: boolean;
  /** Why it was or was not taken, e.g. `'tfjs-node is not installed'` or `'wasm ready'`. */
  why: string;
}

/** What {@link initBackend} chose and why. */
export interface BackendReport {
  /** The tfjs backend now active: `'tensorflow'` (native), `'wasm'` or `'cpu'`. */
  backend: string;
  /** The npm package that provides it, e.g. `'@tensorflow/tfjs-node-gpu'`. */
  package: string;
  /** The candidates' reasons joined by `'; '`, e.g. `'tfjs-node-gpu is not installed; tfjs-node is not installed; wasm ready'`. */
  reason: string;
  /** Every candidate tried, in order. */
  tried: BackendAttempt[];
  /** Who forced the choice: `'options.backend'`, `'GANKIT_BACKEND'`, or `null` when it was picked automatically. */
  forcedBy: 'options.backend' | 'GANKIT_BACKEND' | null;
  /** The gankit training kernels registered for wasm (empty unless the backend is wasm). */
  kernels: string[];
  /** The wasm backend's XNNPACK threads (1 unless `options.threads` asked for more); `null` for other backends. */
  threads: number | null;
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * Force a backend instead of picking the fastest: one of {@link BACKEND_CHOICES}. Overrides the
   * `GANKIT_BACKEND` environment variable. `'tensorflow'` means tfjs-node-gpu, else tfjs-node.
   */
  backend?: string | undefined;
  /** Receives one line per candidate tried and one for the choice (silent by default). */
  log?: ((msg: string) => void) | undefined;
  /**
   * Loads an optional package by name (defaults to a dynamic `import()`); give your own where a
   * bundler needs static imports, or to test the selection.
   */
  load?: ((packageName: string) => Promise<unknown>) | undefined;
  /**
   * Threads inside each wasm kernel (opt-in; default: the one-thread SIMD build, as before): an
   * integer from 1 to 8. Above 1 the wasm backend starts tfjs's threaded SIMD build, whose XNNPACK
   * kernels (convolutions, matrix products) split their work over that many threads and give the
   * same numbers as the one-thread build. In Node gankit runs it on worker threads; in a browser it
   * needs a cross-origin-isolated page (else 1 thread). Must be given before the wasm backend first
   * starts in the process; other backends ignore it.
   */
  threads?: number | undefined;
}

interface Candidate {
  name: string;
  backend: string;
  package: string;
  init: (load: (pkg: string) => Promise<unknown>, threads: number | undefined) => Promise<string>;
}

/** Thrown inside a candidate's init: the reason it was not taken. */
class NotTaken extends Error {}

function isNotInstalled(err: unknown, pkg: string): boolean {
  const e = err as { code?: string | undefined; message?: string | undefined } | null;
  const message = e?.message ?? '';
  // Node: ERR_MODULE_NOT_FOUND / MODULE_NOT_FOUND; bundlers and vite: "Could not resolve", "Failed to resolve".
  const notFound =
    e?.code === 'ERR_MODULE_NOT_FOUND' ||
    e?.code === 'MODULE_NOT_FOUND' ||
    /Cannot find (module|package)|Could not resolve|Failed to resolve/i.test(message);
  // A module missing *inside* the package (a broken install) is a load failure, not "not installed".
  return notFound && (message.includes(`'${pkg}'`) || message.includes(`"${pkg}"`));
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].trim();
}

function nativeCandidate(name: 'tfjs-node-gpu' | 'tfjs-node'): Candidate {
  const pkg = `@tensorflow/${name}`;
  return {
    name,
    backend: 'tensorflow',
    package: pkg,
    init: async (load) => {
      try {
        await load(pkg);
      } catch (err) {
        if (isNotInstalled(err, pkg)) throw new NotTaken(`${name} is not installed`);
        throw new NotTaken(`${name} failed to load: ${firstLine(err)}`);
      }
      if (tf.findBackendFactory('tensorflow') == null) {
        throw new NotTaken(
          `${name} loaded but registered no 'tensorflow' backend with this copy of @tensorflow/tfjs-core ` +
            '(is a second copy of tfjs-core installed? run `npm ls @tensorflow/tfjs-core`)',
        );
      }
      if (!(await tf.setBackend('tensorflow'))) throw new NotTaken(`${name} failed to initialise`);
      return `${name} ready`;
    },
  };
}

const WASM: Candidate = {
  name: 'wasm',
  backend: 'wasm',
  package: '@tensorflow/tfjs-backend-wasm',
  init: async (_load, threads) => {
    registerWasmTrainingKernels();
    if (threads != null) {
      const started = tf.engine().registry.wasm != null;
      if (started && wasmThreadsCount() !== threads) {
        throw new BackendError(
          'config',
          `options.threads is ${threads} but the wasm backend already started with ${wasmThreadsCount()} thread(s) in this process; call initBackend({ threads }) before any tensor is made`,
        );
      }
      if (!started && threads > 1) {
        if (!(await startThreadedWasm(threads))) throw new NotTaken('wasm failed to initialise its threaded build');
        const got = wasmThreadsCount();
        if (got !== threads && isNode()) throw new NotTaken(`wasm started ${got} thread(s) instead of the ${threads} asked for`);
        if (got === threads) return `wasm ready, ${got} threads`;
        // In a browser: tfjs starts the one-thread build unless the page is cross-origin isolated, and
        // the threaded build sizes its pool at most at half of navigator.hardwareConcurrency.
        const why = got > 1 ? 'the wasm build uses at most half the logical cores' : 'threads need a cross-origin-isolated page';
        return `wasm ready, ${got} thread(s) of the ${threads} asked for (${why})`;
      }
    }
    if (!(await tf.setBackend('wasm'))) {
      throw new NotTaken(
        'wasm failed to initialise (its .wasm files could not be loaded; in a browser call setWasmPaths from @tensorflow/tfjs-backend-wasm)',
      );
    }
    return 'wasm ready';
  },
};

const CPU: Candidate = {
  name: 'cpu',
  backend: 'cpu',
  package: '@tensorflow/tfjs-backend-cpu',
  init: async () => {
    if (!(await tf.setBackend('cpu'))) throw new NotTaken('cpu failed to initialise');
    return 'cpu ready';
  },
};

const GPU_NODE = nativeCandidate('tfjs-node-gpu');
const CPU_NODE = nativeCandidate('tfjs-node');

const CANDIDATES: Record<BackendChoice, Candidate[]> = {
  tensorflow: [GPU_NODE, CPU_NODE],
  'tfjs-node-gpu': [GPU_NODE],
  'tfjs-node': [CPU_NODE],
  wasm: [WASM],
  cpu: [CPU],
};
const AUTO: Candidate[] = [GPU_NODE, CPU_NODE, WASM, CPU];

function readEnv(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> | undefined } | undefined }).process?.env;
  const value = env?.GANKIT_BACKEND;
  return value != null && value.trim() !== '' ? value : undefined;
}

/**
 * Parses a backend name as {@link initBackend} does (trimmed, case-insensitive).
 *
 * @param value - the requested name
 * @param source - where it came from, for the message (e.g. `'GANKIT_BACKEND'`)
 * @throws BackendError (code `'config'`) naming the value and listing the valid ones
 */
export function parseBackendChoice(value: string, source = 'options.backend'): BackendChoice {
  const v = value.trim().toLowerCase();
  if ((BACKEND_CHOICES as readonly string[]).includes(v)) return v as BackendChoice;
  throw new BackendError(
    'config',
    `unknown backend '${value}' (from ${source}); valid values are ${BACKEND_CHOICES.map((c) => `'${c}'`).join(', ')}`,
  );
}

let lastReport: BackendReport | null = null;

const defaultLoad = (pkg: string): Promise<unknown> => import(/* @vite-ignore */ pkg);

/**
 * Picks and activates the fastest tfjs backend available: `'tensorflow'` from
 * `@tensorflow/tfjs-node-gpu`, then from `@tensorflow/tfjs-node` (each only if installed and
 * loadable), then `'wasm'` (embedded; gankit's training kernels are registered for it), then
 * `'cpu'`. `options.backend`, else the `GANKIT_BACKEND` environment variable, forces one.
 *
 * @param options - force a backend, log the choice, or load packages your own way
 * @returns what was chosen and why
 * @throws BackendError with code `'config'` for an unknown backend name, or `'backend'` when a
 *   forced backend cannot load (the message gives the reason)
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendReport> {
  const log = options.log ?? (() => undefined);
  const load = options.load ?? defaultLoad;
  const threads = options.threads == null ? undefined : checkThreads(options.threads);
  let forcedBy: BackendReport['forcedBy'] = null;
  let choice: BackendChoice | null = null;
  if (options.backend != null) {
    forcedBy = 'options.backend';
    choice = parseBackendChoice(options.backend, 'options.backend');
  } else {
    const env = readEnv();
    if (env != null) {
      forcedBy = 'GANKIT_BACKEND';
      choice = parseBackendChoice(env, 'GANKIT_BACKEND');
    }
  }
  const candidates = choice == null ? AUTO : CANDIDATES[choice];
  const tried: BackendAttempt[] = [];
  for (const candidate of candidates) {
    let attempt: BackendAttempt;
    try {
      attempt = {
        name: candidate.name,
        ok: true,
        why: await candidate.init(load, threads),
      };
    } catch (err) {
      if (err instanceof BackendError) throw err; // a bad option, not a backend that cannot load
      attempt = {
        name: candidate.name,
        ok: false,
        why: err instanceof NotTaken ? err.message : `${candidate.name} failed: ${firstLine(err)}`,
      };
    }
    tried.push(attempt);
    log(`gankit backend: ${attempt.why}`);
    if (!attempt.ok) continue;
    const prefix = forcedBy != null ? `forced by ${forcedBy}=${choice}; ` : '';
    const report: BackendReport = {
      backend: tf.getBackend(),
      package: candidate.package,
      reason: prefix + tried.map((t) => t.why).join('; '),
      tried,
      forcedBy,
      kernels: candidate.backend === 'wasm' ? registeredWasmTrainingKernels() : [],
      threads: candidate.backend === 'wasm' ? wasmThreadsCount() : null,
    };
    lastReport = report;
    log(`gankit backend: using ${report.backend} (${report.package})`);
    return report;
  }
  const reasons = tried.map((t) => t.why).join('; ');
  if (forcedBy != null) {
    const hint = choice === 'wasm' || choice === 'cpu' ? '' : ` (install it: npm install ${candidates.map((c) => c.package).join(' or ')})`;
    throw new BackendError('backend', `backend '${choice}' was requested by ${forcedBy} but cannot load: ${reasons}${hint}`);
  }
  throw new BackendError('backend', `no tfjs backend could be initialised: ${reasons}`);
}

/**
 * A one-line summary of the active backend, e.g.
 * `wasm (SIMD, 1 thread, +Conv2DBackpropFilter, Conv2DBackpropInput, UnsortedSegmentSum) — tfjs-node-gpu is not installed; tfjs-node is not installed; wasm ready`.
 * The part after the dash is the reason {@link initBackend} gave, when it chose the backend.
 */
export function describeBackend(): string {
  const name = tf.getBackend();
  if (name == null) return 'no tfjs backend is active';
  const details: string[] = [];
  if (name === 'wasm') {
    const flag = (f: string): boolean | null => {
      try {
        return tf.env().getBool(f);
      } catch {
        return null;
      }
    };
    const simd = flag('WASM_HAS_SIMD_SUPPORT');
    const threads = flag('WASM_HAS_MULTITHREAD_SUPPORT');
    if (simd != null) details.push(simd ? 'SIMD' : 'no SIMD');
    const count = threads ? wasmThreadsCount() : 1;
    if (threads != null) details.push(count === 1 ? '1 thread' : `${count} threads`);
    const ours = registeredWasmTrainingKernels();
    details.push(ours.length > 0 ? `+${ours.join(', ')}` : 'no gankit training kernels');
  }
  let line = details.length > 0 ? `${name} (${details.join(', ')})` : name;
  if (lastReport != null && lastReport.backend === name) line += ` — ${lastReport.reason}`;
  return line;
}
