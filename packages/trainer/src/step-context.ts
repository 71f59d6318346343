// The step contexts of one update (one per adversarial pair) and the plugin hooks that run on them.
import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape, type Batch, type LossPair, type StepContext } from '@gankit/core';
import { sameShape, selectAdversarial } from './adversarial';
import type { PairSpec } from './game';
import { type FakeHolder, type KernelParts, type PairContext, type ResolvedPlayer, pluginContext } from './kernel';

/** Runs a per-update hook of every plugin on the first pair's context (fakes blocked before a generator update). */
export function runHooks(
  k: KernelParts,
  hook: 'beforeGeneratorStep' | 'afterDiscriminatorStep' | 'afterGeneratorStep',
  s: StepContext,
  holders: FakeHolder[],
): void {
  for (const p of k.plugins) {
    const fn = p[hook];
    if (!fn) continue;
    for (const h of holders) h.blocked = `plugin '${p.name}''s ${hook}`;
    try {
      tf.tidy(() => fn.call(p, pluginContext(s, p, k.versions)));
    } finally {
      for (const h of holders) h.blocked = undefined;
    }
  }
}

/** Runs the plugins' transformFakes hooks in order on one pair's fakes before a discriminator update. */
export function transformFakes(k: KernelParts, s: StepContext, fakes: FakeHolder, toDispose: tf.Tensor[]): void {
  for (const p of k.plugins) {
    if (!p.transformFakes) continue;
    const before: Batch = { x: fakes.x as tf.Tensor, labels: fakes.labels };
    fakes.blocked = `plugin '${p.name}''s transformFakes`;
    let out: Partial<Batch>;
    try {
      out = tf.tidy(() => {
        const r = p.transformFakes?.(before, pluginContext(s, p, k.versions));
        return (r?.labels ? { x: r.x, labels: r.labels } : { x: r?.x }) as unknown as tf.TensorContainer;
      }) as unknown as Partial<Batch>;
    } finally {
      fakes.blocked = undefined;
    }
    if (!(out.x instanceof tf.Tensor) || out.x.dtype !== 'float32' || !sameShape(out.x.shape, before.x.shape)) {
      tf.dispose([out.x as tf.Tensor, out.labels as tf.Tensor]);
      const got = out.x instanceof tf.Tensor ? `${formatShape(out.x.shape)} ${out.x.dtype}` : typeof out.x;
      throw new GankitError(
        'plugin',
        `plugin '${p.name}''s transformFakes returned fakes of ${got}, expected ${formatShape(before.x.shape)} float32`,
      );
    }
    if (
      before.labels &&
      (!(out.labels instanceof tf.Tensor) || out.labels.dtype !== 'int32' || !sameShape(out.labels.shape, before.labels.shape))
    ) {
      tf.dispose([out.x, out.labels as tf.Tensor]);
      const got = out.labels instanceof tf.Tensor ? `${formatShape(out.labels.shape)} ${out.labels.dtype}` : 'no labels';
      throw new GankitError(
        'plugin',
        `plugin '${p.name}''s transformFakes returned ${got} for a conditional fake batch, expected labels ${formatShape(before.labels.shape)} int32`,
      );
    }
    toDispose.push(out.x);
    if (out.labels) toDispose.push(out.labels);
    fakes.x = out.x;
    fakes.labels = before.labels ? (out.labels as tf.Tensor1D) : undefined;
  }
}

/** The adversarial part of a discriminator output (checked). */
export function adversarialPart(k: KernelParts, output: tf.Tensor, pair: PairSpec): tf.Tensor {
  return selectAdversarial(k.game.adversarialOutput, output, k.game.networks[pair.discriminator].name);
}

/** The step context of one pair in one update. */
export function pairContext(
  k: KernelParts,
  step: number,
  player: ResolvedPlayer,
  r: number,
  pair: PairSpec,
  batches: Record<string, Batch>,
  z: tf.Tensor,
  holder: FakeHolder,
): PairContext {
  const { game, plugins, versions } = k;
  const batch = batches[pair.data];
  const labels = game.conditional && pair.input.kind === 'latent' ? batch.labels : undefined;
  const d = game.networks[pair.discriminator];
  let realOut: tf.Tensor | undefined;
  let fakeOut: tf.Tensor | undefined;
  const discriminate = (x: tf.Tensor, l: tf.Tensor | undefined = labels) => d.apply(x, { training: true, labels: l });
  const fake = (): tf.Tensor => {
    if (holder.blocked) throw new GankitError('plugin', `s.fake() and s.fakeOutput() cannot be called in ${holder.blocked}`);
    if (holder.x === null) holder.x = holder.make();
    return holder.x;
  };
  const transformInput = (x: tf.Tensor, source: 'real' | 'fake'): tf.Tensor => {
    for (const p of plugins) {
      if (!p.transformDiscriminatorInput) continue;
      const out = p.transformDiscriminatorInput(x, pluginContext(context, p, versions), source);
      if (!(out instanceof tf.Tensor) || out.dtype !== x.dtype || !sameShape(out.shape, x.shape)) {
        const got = out instanceof tf.Tensor ? `${formatShape(out.shape)} ${out.dtype}` : typeof out;
        throw new GankitError(
          'plugin',
          `plugin '${p.name}''s transformDiscriminatorInput returned ${got} for the ${source} batch, expected ${formatShape(x.shape)} ${x.dtype}`,
        );
      }
      x = out;
    }
    return x;
  };
  const context: StepContext = {
    step,
    phase: player.spec.kind,
    player: player.spec.name,
    pair: pair.name,
    pairs: [],
    discriminatorStep: player.spec.kind === 'discriminator' ? r : 0,
    batch,
    z,
    generator: game.networks[pair.generator],
    discriminator: d,
    networks: game.networks,
    random: k.pluginRandom,
    get fakeLabels() {
      return holder.labels;
    },
    loss: pair.loss as LossPair,
    adversarial: (output: tf.Tensor) => adversarialPart(k, output, pair),
    fake,
    realOutput: () => (realOut ??= discriminate(transformInput(batch.x, 'real'))),
    fakeOutput: () => (fakeOut ??= discriminate(transformInput(fake(), 'fake'), holder.labels)),
    discriminate,
  };
  return { pair, holder, context };
}
