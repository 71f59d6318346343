// BEGAN (Berthelot et al. 2017): the equilibrium control k_t as a plugin that owns BEGAN's loss pair.
import { GankitError, type GanPlugin, type JsonValue, type LossPair, type PluginState } from '@gankit/core';
import { beganConvergence, beganEquilibriumStep, beganLoss } from '@gankit/losses';

/** Options of {@link beganEquilibrium}. */
export interface BeganEquilibriumOptions {
  /**
   * The diversity ratio γ = E[L(G(z))] / E[L(x)] in [0, 1] that the control holds (eq. 3): low γ
   * favours quality, high γ diversity (default 0.5).
   */
  readonly gamma?: number | undefined;
  /** The proportional gain λ_k of k (default 0.001, as in the paper). */
  readonly lambdaK?: number | undefined;
  /** k_0 in [0, 1] (default 0, as in the paper). */
  readonly initialK?: number | undefined;
  /** Plugin name (default `'began'`); it prefixes the logged metrics `<name>/k` and `<name>/M`. */
  readonly name?: string | undefined;
}

/** BEGAN's equilibrium control: what {@link beganEquilibrium} returns. */
export interface BeganEquilibrium extends GanPlugin {
  /** The current k_t: the factor of `L(G(z))` in the discriminator's next loss. */
  readonly k: number;
  /** γ. */
  readonly gamma: number;
  /** λ_k. */
  readonly lambdaK: number;
  /** The last iteration's convergence measure M (`undefined` before the first). */
  readonly convergence: number | undefined;
  /**
   * BEGAN's loss pair (`beganLoss` of `@gankit/losses`) reading this controller's k_t: pass it as
   * the trainer's `loss`.
   */
  readonly loss: LossPair;
}

/**
 * The equilibrium control of BEGAN (Berthelot et al. 2017, eq. 4) as a plugin. It owns k_t and the
 * loss pair that reads it ({@link BeganEquilibrium.loss}: D minimises `L(x) − k_t · L(G(z))`, G
 * minimises `L(G(z))`, over the per-example autoencoder losses that `beganDiscriminator` of
 * `@gankit/architectures` outputs). After every iteration it reads the means of that iteration's
 * discriminator update — `L(x)` and `L(G(z))`, the logged `dReal` and `dFake` — and
 *
 * - updates `k_{t+1} = clip(k_t + λ_k · (γ · L(x) − L(G(z))), 0, 1)` (eq. 4),
 * - computes the convergence measure `M = L(x) + |γ · L(x) − L(G(z))|` (section 3.4.1),
 *
 * and logs both every step as metrics `<name>/k` (k_{t+1}, the value the next update uses) and
 * `<name>/M`. k_t is the plugin's checkpoint state, so a resumed run continues bit for bit.
 *
 * Why a plugin that hands out the loss: the trainer's `LossPair` is a pure function of D's
 * outputs, and k_t is state that changes between iterations and must be saved; the plugin contract
 * has both the hook that sees each iteration's logs (`onStepEnd`) and checkpoint state
 * (`state`/`loadState`). The paper measures `L(G(z))` for the k update on G's batch; this uses the
 * discriminator update's fakes (as common implementations do), so no extra forward pass is made.
 *
 * @example
 * ```ts
 * const began = beganEquilibrium({ gamma: 0.5 });
 * const trainer = new Trainer({ generator: beganGenerator(), discriminator: beganDiscriminator(),
 *   loss: began.loss, data: mnist, plugins: [began] });
 * ```
 */
export function beganEquilibrium(options: BeganEquilibriumOptions = {}): BeganEquilibrium {
  const gamma = options.gamma ?? 0.5;
  const lambdaK = options.lambdaK ?? 0.001;
  const name = options.name ?? 'began';
  let k = options.initialK ?? 0;
  try {
    // Checks γ, λ_k and k_0 once, with the same rules as every later step.
    beganEquilibriumStep(k, 0, 0, { gamma, lambdaK });
  } catch (e) {
    throw new GankitError(
      'config',
      `beganEquilibrium: ${(e as Error).message.replace(/^beganEquilibriumStep: /, '').replace(/^k /, 'initialK ')}`,
    );
  }
  let convergence: number | undefined;
  let reads = 0;
  const loss = beganLoss(() => {
    reads++;
    return k;
  });
  return {
    name,
    // After the regularizers, before averaging and the loggers, which then see k and M.
    order: 50,
    get k() {
      return k;
    },
    gamma,
    lambdaK,
    get convergence() {
      return convergence;
    },
    loss,
    setup(ctx) {
      if (ctx.info.loss !== loss.name) {
        throw new GankitError(
          'config',
          `plugin '${name}' (beganEquilibrium) steers BEGAN's loss, but the trainer's loss is '${ctx.info.loss}'; pass the plugin's .loss as the trainer's loss`,
        );
      }
    },
    onStepEnd(_ctx, logs) {
      if (reads === 0) {
        throw new GankitError(
          'config',
          `plugin '${name}' (beganEquilibrium): no discriminator update read its k this iteration; pass this plugin's .loss (not another beganLoss) as the trainer's loss`,
        );
      }
      reads = 0;
      const real = logs.dReal;
      const fake = logs.dFake;
      if (!Number.isFinite(real) || !Number.isFinite(fake)) {
        throw new GankitError(
          'numerical',
          `plugin '${name}': L(x) = ${real} and L(G(z)) = ${fake} at step ${logs.step}; k cannot be updated`,
        );
      }
      convergence = beganConvergence(real, fake, gamma);
      k = beganEquilibriumStep(k, real, fake, { gamma, lambdaK });
      logs.metrics[`${name}/k`] = k;
      logs.metrics[`${name}/M`] = convergence;
    },
    state(): PluginState {
      const meta: { [key: string]: JsonValue } = { k, gamma, lambdaK };
      if (convergence !== undefined) meta.convergence = convergence;
      return { tensors: {}, meta };
    },
    loadState(state) {
      const meta = state.meta as { k?: unknown; convergence?: unknown } | null | undefined;
      const saved = meta?.k;
      if (typeof saved !== 'number' || !Number.isFinite(saved) || saved < 0 || saved > 1) {
        throw new GankitError(
          'checkpoint',
          `plugin '${name}': the checkpoint's k must be a number in [0, 1], got ${JSON.stringify(saved)}`,
        );
      }
      k = saved;
      convergence = typeof meta?.convergence === 'number' ? meta.convergence : undefined;
    },
  };
}
