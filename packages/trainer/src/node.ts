/**
 * `@gankit/trainer/node`: checkpoint files for Node.js (uses `node:fs`, `node:path`, `node:crypto`).
 *
 * - {@link saveCheckpoint} / {@link resumeLatest} / {@link loadCheckpoint}: the trainer's whole
 *   state in `<run>/checkpoints/step-000001234/`, written atomically, the newest K kept, verified
 *   by SHA-256 on load, with a fallback to older checkpoints when the newest is damaged.
 * - {@link saveFinal} / {@link loadFinal}: the trained weights (generator, discriminator, averaged
 *   generator) in `<run>/final/`.
 * - {@link writeWeights} / {@link readWeights}: the file format underneath: a tfjs-style `model.json`
 *   manifest (`weightsManifest`) plus one `weights.bin`, with checksums of both.
 *
 * Nothing non-finite is written: a checkpoint or final weights holding NaN or ±Infinity is refused
 * (`GankitError` with code `'numerical'`), so a diverged run never replaces good files.
 *
 * @packageDocumentation
 */
export {
  DEFAULT_KEEP,
  checkpointName,
  findLatestCheckpoint,
  listCheckpoints,
  loadCheckpoint,
  resumeLatest,
  saveCheckpoint,
} from './checkpoint-dir';
export type {
  CheckpointInfo,
  CheckpointableTrainer,
  LoadedCheckpoint,
  ResumeOptions,
  ResumeResult,
  SaveCheckpointOptions,
  SkippedCheckpoint,
} from './checkpoint-dir';
export { loadFinal, saveFinal } from './final-weights';
export type { FinalWeights } from './final-weights';
export { MANIFEST_FILE, WEIGHTS_FILE, WEIGHTS_FORMAT, WEIGHTS_FORMAT_VERSION, readWeights, writeWeights } from './weights-format';
export type { WeightsFile, WeightsManifest, WriteWeightsOptions } from './weights-format';
