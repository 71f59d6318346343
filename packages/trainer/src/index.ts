/**
 * `@gankit/trainer`: the GAN training loop that runs gankit plugins, with an exact, checkpointable
 * state ({@link Trainer.state} / {@link Trainer.loadState}) and a numerical-fault guard
 * ({@link NanGuardOptions}). Checkpoint files (Node only) are in `@gankit/trainer/node`.
 *
 * @packageDocumentation
 */
export { Trainer } from './trainer';
export type { FitOptions, FitResult, LatentSampler, NanGuardOptions, TrainerOptions } from './trainer';
export { TRAINER_STATE_VERSION } from './state';
export type { NetworkMeta, OptimizerMeta, PluginMeta, TrainerState, TrainerStateMeta, VariableSpec } from './state';
