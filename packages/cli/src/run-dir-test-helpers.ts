// Test-only helpers shared by run-dir.test.ts and run-dir-loop.test.ts (not exported by the package).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll } from 'vitest';
import type { Example } from './examples/types';
import { type RunOptions, runTraining } from './train';
import { runMain } from './test-main';

/** A temporary root for the calling test file (made before its tests, removed after); returns a maker of fresh folders in it. */
export function tempDirs(prefix = 'gankit-run-dir-'): (tag: string) => string {
  let root = '';
  let n = 0;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  return (tag: string) => path.join(root, `${tag}-${n++}`);
}

/** Runs `gankit` in this process and returns its exit code and what it wrote on stderr. */
export const gankit = (args: string[]) => runMain(args);

/** The one error line of a refused command. */
export const errorLine = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('gankit train:'));
/** A file's bytes. */
export const read = (file: string) => fs.readFileSync(file);
/** `gankit train --example ring8` into `out`, quiet, with more arguments. */
export const ring = (out: string, ...more: string[]) => ['train', '--example', 'ring8', '--out', out, '--quiet', ...more];
/** The checkpoint folders of a run directory. */
export const steps = (out: string) => fs.readdirSync(path.join(out, 'checkpoints')).filter((f) => f.startsWith('step-'));

/** The parsed lines of a run's `logs.jsonl`, one object per iteration. */
export const readLogLines = (out: string): ReturnType<typeof JSON.parse>[] =>
  fs
    .readFileSync(path.join(out, 'logs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

/** A short quiet run of `example` into `dir` on the current backend: seed 0, a grid at the last step, 20 evaluation samples; `more` overrides or adds run options. */
export const smokeTrain = (example: Example, dir: string, steps: number, batchSize: number, more: Partial<RunOptions> = {}) =>
  runTraining(example, {
    steps,
    seed: 0,
    batchSize,
    out: dir,
    backend: tf.getBackend(),
    gridEvery: steps,
    evalSamples: 20,
    progress: false,
    log: () => {},
    ...more,
  });
