/**
 * `@gankit/losses`: adversarial losses as pure, numerically stable functions of discriminator
 * outputs, and the same losses as named `LossPair`s (from `@gankit/core`).
 *
 * - Pairs: {@link minimax}, {@link nonSaturating}, {@link leastSquares}, {@link wasserstein},
 *   {@link hinge}, {@link relativisticAverage}, {@link relativisticAverageHinge}, the f-GAN family
 *   {@link fGan}; by name with
 *   {@link lossByName}, or from options with the registry {@link losses}.
 * - Auxiliary terms: {@link acganClassLoss}, {@link cycleConsistencyLoss}, {@link identityLoss},
 *   paired translation's {@link l1ReconstructionLoss} / {@link pix2pixL1Term} (pix2pix) and
 *   {@link contentLoss} on any feature network (SRGAN),
 *   InfoGAN's information terms {@link infoCategoricalLoss} and {@link infoContinuousLoss}.
 * - BEGAN (Berthelot et al. 2017): {@link beganLoss} over an autoencoder discriminator's
 *   {@link beganReconstructionLoss}, the equilibrium control {@link beganEquilibriumStep} and the
 *   convergence measure {@link beganConvergence}.
 * - Text to image (Reed et al. 2016): the matching-aware GAN-CLS discriminator loss
 *   {@link ganClsDiscriminatorLoss} ({@link ganClsMismatchTerm}) and GAN-INT's
 *   {@link interpolateEmbeddings}.
 *
 * Every function takes outputs of any shape `[batch, ...]` (float32), returns the mean over all
 * elements as a `tf.Scalar`, frees its intermediates, and checks its inputs first.
 *
 * @packageDocumentation
 */
export {
  minimax,
  minimaxDiscriminatorLoss,
  minimaxGeneratorLoss,
  nonSaturating,
  nonSaturatingGeneratorLoss,
} from './minimax';
export {
  DEFAULT_LEAST_SQUARES_TARGETS,
  leastSquares,
  leastSquaresDiscriminatorLoss,
  leastSquaresGeneratorLoss,
  resolveLeastSquaresTargets,
} from './least-squares';
export type {
  LeastSquaresLossPair,
  LeastSquaresTargets,
  ResolvedLeastSquaresTargets,
} from './least-squares';
export { wasserstein, wassersteinDiscriminatorLoss, wassersteinGeneratorLoss } from './wasserstein';
export { hinge, hingeDiscriminatorLoss, hingeGeneratorLoss } from './hinge';
export {
  relativisticAverage,
  relativisticAverageDiscriminatorLoss,
  relativisticAverageGeneratorLoss,
  relativisticAverageHinge,
  relativisticAverageHingeDiscriminatorLoss,
  relativisticAverageHingeGeneratorLoss,
} from './relativistic';
export { F_DIVERGENCES, F_DIVERGENCE_SPECS, fDivergenceBound, fGan } from './f-divergence';
export type { FDivergence, FDivergenceSpec, FGanGeneratorObjective, FGanOptions } from './f-divergence';
export { acganClassLoss } from './classification';
export { ganClsDiscriminatorLoss, ganClsMismatchTerm, interpolateEmbeddings } from './gan-cls';
export { infoCategoricalLoss, infoContinuousLoss } from './info';
export type { InfoStd } from './info';
export { cycleConsistencyLoss, identityLoss } from './reconstruction';
export { PIX2PIX_L1_WEIGHT, contentLoss, l1ReconstructionLoss, pix2pixL1Term } from './paired';
export type { FeatureFunction } from './paired';
export {
  beganConvergence,
  beganDiscriminatorLoss,
  beganEquilibriumStep,
  beganGeneratorLoss,
  beganLoss,
  beganReconstructionLoss,
} from './began';
export type { BeganEquilibriumSettings } from './began';
export { LOSS_NAMES, isLossName, lossByName, losses } from './registry';
export type { LossEntry, LossName, LossOptions } from './registry';
