// The numerical-fault guard: its options, and the one-read check of a loss and its gradients.
import * as tf from '@tensorflow/tfjs-core';
import { formatShape, type Phase } from '@gankit/core';

/**
 * The numerical-fault guard of a {@link Trainer}. Before each update is applied, the trainer checks
 * the player's total loss (plugin terms included) and, with `checkGradients`, every gradient for
 * NaN/Inf. On a fault, no update of the faulty iteration survives: the networks (batch-norm
 * statistics and spectral-norm vectors included, which the faulty forward pass may already have
 * changed), both optimizers and the plugins' state are put back as they were when the iteration
 * began (a snapshot made of copy-on-write clones, so it costs no copy of the weights).
 *
 * - `'stop'`: the data position and random source are put back too, so the trainer is exactly in
 *   the last good state (the state after the previous iteration; save a checkpoint from it); `step()`
 *   throws `GankitError` with code `'numerical'`, and `fit()` returns with that message as its
 *   `stopReason`.
 * - `'skip'`: the iteration counts as done but changes nothing except that its data and random
 *   draws are consumed (so the next iteration sees fresh data); training goes on. Every iteration's
 *   `logs.metrics['nanGuard/skippedSteps']` holds the number of skipped iterations so far.
 *
 * Why an option of the trainer rather than a plugin: the check has to sit between computing the
 * gradients and applying them, and a rollback has to reach the optimizers' state; plugin hooks see
 * neither (a loss hook cannot veto the update, an after-step hook runs once it is applied). The
 * snapshot reads optimizer state through `getWeights()`, which every tfjs optimizer but Adamax has.
 */
export interface NanGuardOptions {
  /** What to do on a fault: `'stop'` training in the last good state, or `'skip'` the iteration. */
  readonly action: 'stop' | 'skip';
  /** Check every gradient too, not only the losses (default `false`): catches NaN gradients of a finite loss. */
  readonly checkGradients?: boolean | undefined;
}

/**
 * Raised inside an iteration when the guard finds a non-finite loss or gradient.
 * @internal
 */
export class NumericalFault extends Error {
  constructor(
    readonly phase: Phase,
    readonly player: string,
    readonly detail: string,
    readonly loss: number,
    public otherLoss = NaN,
  ) {
    super(detail);
  }
}

/** Names a non-finite value for messages: `NaN`, `Infinity`, `-Infinity`. */
function valueName(v: number): string {
  return Number.isNaN(v) ? 'NaN' : String(v);
}

/**
 * One device read: is the loss (and, with `checkGradients`, every gradient) finite? On a fault, a
 * second read of the loss's terms (`[name, value]`: the adversarial losses, then each other term)
 * names those that are not. `player` names the updated player in the message.
 * @internal
 */
export function findFault(
  phase: Phase,
  player: string,
  cost: tf.Scalar,
  grads: tf.NamedTensorMap,
  vars: readonly tf.Variable[],
  terms: [string, tf.Scalar][],
  checkGradients: boolean,
  replicated: boolean,
): NumericalFault | null {
  const checked = checkGradients ? vars.filter((v) => grads[v.name] != null) : [];
  // x·0 is 0 for finite x and NaN for NaN or ±Inf: one sum per tensor flags any bad element.
  const flags = tf.tidy(() => tf.stack([cost, ...checked.map((v) => grads[v.name])].map((t) => tf.sum(tf.mul(t, 0)))).dataSync());
  if (!flags.some((f) => Number.isNaN(f))) return null;
  const loss = cost.dataSync()[0];
  if (Number.isNaN(flags[0])) {
    const values = tf.tidy(() => tf.stack(terms.map(([, t]) => t)).dataSync());
    const bad = terms.flatMap(([name], i) => (Number.isFinite(values[i]) ? [] : [`${name} ${valueName(values[i])}`]));
    const which =
      bad.length > 0
        ? `non-finite terms: ${bad.join(', ')}`
        : replicated
          ? `this replica's terms are finite (${terms.map(([n]) => n).join(', ')}); another replica's are not`
          : `every term is finite (${terms.map(([n]) => n).join(', ')}); their sum is not`;
    return new NumericalFault(phase, player, `the ${player} loss is ${valueName(loss)} (${which})`, loss);
  }
  for (let i = 1; i < flags.length; i++) {
    if (Number.isNaN(flags[i])) {
      const v = checked[i - 1];
      const index = vars.indexOf(v);
      return new NumericalFault(
        phase,
        player,
        `the gradient of ${player} variable ${index} ('${v.name}', ${formatShape(v.shape)}) holds NaN or Inf (loss ${loss})`,
        loss,
      );
    }
  }
  return null;
}
