/**
 * `@gankit/trainer`: the GAN training loop that runs gankit plugins, with an exact, checkpointable
 * state ({@link Trainer.state} / {@link Trainer.loadState}) and a numerical-fault guard
 * ({@link NanGuardOptions}); the CycleGAN loop ({@link CycleGanTrainer}); and training-scheme
 * plugins: AC-GAN's auxiliary classifier ({@link acgan}), unrolled GAN ({@link unrolled}) and
 * experience replay ({@link experienceReplay}). Checkpoint files (Node only) are in
 * `@gankit/trainer/node`.
 *
 * @packageDocumentation
 */
export { Trainer, isAdversarialShape, sampleUniformLabels } from './trainer';
export type { FitOptions, FitResult, LatentSampler, NanGuardOptions, ReplicaOptions, TrainerOptions } from './trainer';
export { CycleGanTrainer, CYCLEGAN_STATE_FORMAT, cycleGanLeastSquares } from './cyclegan';
export type { CycleGanNetworks, CycleGanTrainerOptions } from './cyclegan';
export { acgan, acganAdversarialOutput, acganClassLogits, sparseSoftmaxCrossEntropy } from './acgan';
export type { AcganOptions } from './acgan';
export { unrolled } from './unrolled';
export type { UnrolledOptions, UnrolledPlugin } from './unrolled';
export { experienceReplay } from './replay';
export type { ExperienceReplayOptions, ExperienceReplayPlugin } from './replay';
export { TRAINER_STATE_FORMAT, TRAINER_STATE_VERSION } from './state';
export type { LoadStateOptions, NetworkMeta, OptimizerMeta, PluginMeta, TrainerState, TrainerStateMeta, VariableSpec } from './state';
export { learningRateSchedule, linearDecay } from './schedule';
export type { LearningRateScheduleOptions, LinearDecayOptions } from './schedule';
