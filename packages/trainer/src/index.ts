/**
 * `@gankit/trainer`: the GAN training loop that runs gankit plugins, with an exact, checkpointable
 * state ({@link Trainer.state} / {@link Trainer.loadState}) and a numerical-fault guard
 * ({@link NanGuardOptions}), running any {@link Game}: the classic GAN ({@link classicGame}) or
 * CycleGAN ({@link cycleGan}); and training-scheme
 * plugins: AC-GAN's auxiliary classifier ({@link acgan}), InfoGAN's information term and codes
 * ({@link infogan}, {@link infoganLatent}), text to image's matching-aware
 * discriminator and interpolated captions ({@link ganCls}, {@link ganInt}), unrolled GAN ({@link unrolled}),
 * experience replay ({@link experienceReplay}), BEGAN's equilibrium control ({@link beganEquilibrium}) and a style
 * generator's tracked mean w for the truncation trick ({@link meanStyleTracker}). Checkpoint files (Node only) are in
 * `@gankit/trainer/node`.
 *
 * @packageDocumentation
 */
export { Trainer } from './trainer';
export { isAdversarialShape, sampleUniformLabels } from './adversarial';
export type { ClassicTrainerOptions, CommonTrainerOptions, FitOptions, FitResult, GameTrainerOptions, TrainerOptions } from './options';
export type { NanGuardOptions } from './nan-guard';
export type { ReplicaOptions } from './replicas';
export type { Game, GeneratorInput, LatentSampler, PairSpec, PlayerLoss, PlayerSpec, UpdateContext } from './game';
export { classicGame } from './classic';
export type { ClassicGameOptions } from './classic';
export { CYCLEGAN_STATE_FORMAT, cycleGan } from './cyclegan';
export type { CycleGanGame, CycleGanOptions } from './cyclegan';
export { acgan, acganAdversarialOutput, acganClassLogits } from './acgan';
export { beganEquilibrium } from './began';
export type { BeganEquilibrium, BeganEquilibriumOptions } from './began';
export type { AcganOptions } from './acgan';
export {
  infogan,
  infoganAdversarialOutput,
  infoganLatent,
  infoganOneHot,
  infoganTerms,
  resolveInfoganCodes,
} from './info-gan';
export type { InfoganCodes, InfoganOptions, InfoganTerms, ResolvedInfoganCodes } from './info-gan';
export { ganCls, ganInt, interpolatedCaptions, mismatchedCaptions } from './gan-cls';
export type { GanClsOptions, GanIntOptions } from './gan-cls';
export { unrolled } from './unrolled';
export type { UnrolledOptions, UnrolledPlugin } from './unrolled';
export { experienceReplay } from './replay';
export type { ExperienceReplayOptions, ExperienceReplayPlugin } from './replay';
export { TRAINER_STATE_FORMAT, TRAINER_STATE_VERSION } from './state';
export type { LoadStateOptions, NetworkMeta, OptimizerMeta, PluginMeta, TrainerState, TrainerStateMeta, VariableSpec } from './state';
export { learningRateSchedule, linearDecay } from './schedule';
export type { LearningRateScheduleOptions, LinearDecayOptions } from './schedule';
export { meanStyleTracker } from './mean-style';
export type { MeanStyleTracker, MeanStyleTrackerOptions, StyleMappingNetwork } from './mean-style';
export { PerVariableAdamOptimizer, perVariableAdam } from './per-variable-adam';
export { FUSED_ADAM_KERNEL_NAME, FusedAdamOptimizer, fusedAdam } from './fused-adam';
export { progressiveGrowth, progressiveSchedule } from './progressive-growth';
export type {
  GrowingNetwork,
  GrowthPhase,
  ProgressiveGrowthOptions,
  ProgressiveGrowthPlugin,
  ProgressiveScheduleOptions,
} from './progressive-growth';
