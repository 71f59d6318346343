import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';
import type { ImageClassifier } from './feature-extractor';
import { checkWeights, disposeMap, resolveWeights, type WeightSpec, type WeightsSource } from './weights-io';

/** Batch-norm epsilon of the FID Inception (TensorFlow's 0.001). */
export const FID_INCEPTION_BN_EPSILON = 1e-3;

/** Input side the FID Inception resizes every image to. */
export const FID_INCEPTION_INPUT_SIZE = 299;

/** One convolution (+ batch norm + ReLU) of the network: PyTorch's `BasicConv2d`. @internal */
interface ConvDef {
  readonly name: string;
  readonly kh: number;
  readonly kw: number;
  readonly cin: number;
  readonly cout: number;
  readonly stride: number;
  readonly pad: 'same' | 'valid';
}

/** The kinds of mixed block: A, B (grid reduction 35 → 17), C, D (17 → 8), E with average or max pooling. */
type BlockKind = 'A' | 'B' | 'C' | 'D' | 'E_1' | 'E_2';

const CONVS: ConvDef[] = [];
const CONV_BY_NAME = new Map<string, ConvDef>();

function def(name: string, cin: number, cout: number, kh: number, kw = kh, stride = 1, pad: 'same' | 'valid' = 'same'): number {
  const d: ConvDef = { name, kh, kw, cin, cout, stride, pad };
  CONVS.push(d);
  CONV_BY_NAME.set(name, d);
  return cout;
}

function defBlock(kind: BlockKind, p: string, cin: number, arg = 0): number {
  switch (kind) {
    case 'A': {
      const a = def(`${p}.branch1x1`, cin, 64, 1);
      def(`${p}.branch5x5_1`, cin, 48, 1);
      const b = def(`${p}.branch5x5_2`, 48, 64, 5);
      def(`${p}.branch3x3dbl_1`, cin, 64, 1);
      def(`${p}.branch3x3dbl_2`, 64, 96, 3);
      const c = def(`${p}.branch3x3dbl_3`, 96, 96, 3);
      const d = def(`${p}.branch_pool`, cin, arg, 1);
      return a + b + c + d;
    }
    case 'B': {
      const a = def(`${p}.branch3x3`, cin, 384, 3, 3, 2, 'valid');
      def(`${p}.branch3x3dbl_1`, cin, 64, 1);
      def(`${p}.branch3x3dbl_2`, 64, 96, 3);
      const b = def(`${p}.branch3x3dbl_3`, 96, 96, 3, 3, 2, 'valid');
      return a + b + cin;
    }
    case 'C': {
      const c7 = arg;
      const a = def(`${p}.branch1x1`, cin, 192, 1);
      def(`${p}.branch7x7_1`, cin, c7, 1);
      def(`${p}.branch7x7_2`, c7, c7, 1, 7);
      const b = def(`${p}.branch7x7_3`, c7, 192, 7, 1);
      def(`${p}.branch7x7dbl_1`, cin, c7, 1);
      def(`${p}.branch7x7dbl_2`, c7, c7, 7, 1);
      def(`${p}.branch7x7dbl_3`, c7, c7, 1, 7);
      def(`${p}.branch7x7dbl_4`, c7, c7, 7, 1);
      const c = def(`${p}.branch7x7dbl_5`, c7, 192, 1, 7);
      const d = def(`${p}.branch_pool`, cin, 192, 1);
      return a + b + c + d;
    }
    case 'D': {
      def(`${p}.branch3x3_1`, cin, 192, 1);
      const a = def(`${p}.branch3x3_2`, 192, 320, 3, 3, 2, 'valid');
      def(`${p}.branch7x7x3_1`, cin, 192, 1);
      def(`${p}.branch7x7x3_2`, 192, 192, 1, 7);
      def(`${p}.branch7x7x3_3`, 192, 192, 7, 1);
      const b = def(`${p}.branch7x7x3_4`, 192, 192, 3, 3, 2, 'valid');
      return a + b + cin;
    }
    case 'E_1':
    case 'E_2': {
      const a = def(`${p}.branch1x1`, cin, 320, 1);
      def(`${p}.branch3x3_1`, cin, 384, 1);
      def(`${p}.branch3x3_2a`, 384, 384, 1, 3);
      def(`${p}.branch3x3_2b`, 384, 384, 3, 1);
      def(`${p}.branch3x3dbl_1`, cin, 448, 1);
      def(`${p}.branch3x3dbl_2`, 448, 384, 3);
      def(`${p}.branch3x3dbl_3a`, 384, 384, 1, 3);
      def(`${p}.branch3x3dbl_3b`, 384, 384, 3, 1);
      const d = def(`${p}.branch_pool`, cin, 192, 1);
      return a + 768 + 768 + d;
    }
  }
}

/** The mixed blocks in order: name, kind, and the pool-features / c7 argument. */
const BLOCKS: readonly [string, BlockKind, number][] = [
  ['Mixed_5b', 'A', 32],
  ['Mixed_5c', 'A', 64],
  ['Mixed_5d', 'A', 64],
  ['Mixed_6a', 'B', 0],
  ['Mixed_6b', 'C', 128],
  ['Mixed_6c', 'C', 160],
  ['Mixed_6d', 'C', 160],
  ['Mixed_6e', 'C', 192],
  ['Mixed_7a', 'D', 0],
  ['Mixed_7b', 'E_1', 0],
  ['Mixed_7c', 'E_2', 0],
];

def('Conv2d_1a_3x3', 3, 32, 3, 3, 2, 'valid');
def('Conv2d_2a_3x3', 32, 32, 3, 3, 1, 'valid');
def('Conv2d_2b_3x3', 32, 64, 3);
def('Conv2d_3b_1x1', 64, 80, 1);
def('Conv2d_4a_3x3', 80, 192, 3, 3, 1, 'valid');
{
  let c = 192;
  for (const [name, kind, arg] of BLOCKS) c = defBlock(kind, name, c, arg);
}

/** Number of classes of the FID Inception's logits (the TF graph's 1008, of which 1000 are ImageNet's). */
export const FID_INCEPTION_CLASSES = 1008;

/** Length of the pool3 feature vector. */
export const FID_INCEPTION_FEATURE_DIM = 2048;

/**
 * The weights the FID Inception loads, in this documented order (the order of pytorch-fid's
 * `state_dict`, which `scripts/convert-fid-inception.py` keeps). For every `BasicConv2d` `<conv>`
 * (stem `Conv2d_1a_3x3` … `Conv2d_4a_3x3`, then each branch of `Mixed_5b` … `Mixed_7c`):
 * `<conv>.conv.weight` `[kh, kw, in, out]` (PyTorch's `[out, in, kh, kw]` transposed),
 * `<conv>.bn.weight`, `<conv>.bn.bias`, `<conv>.bn.running_mean`, `<conv>.bn.running_var` (each
 * `[out]`); then `fc.weight` `[2048, 1008]` (transposed) and `fc.bias` `[1008]`. All float32.
 */
export const FID_INCEPTION_WEIGHT_SPECS: readonly WeightSpec[] = [
  ...CONVS.flatMap((c) => [
    { name: `${c.name}.conv.weight`, shape: [c.kh, c.kw, c.cin, c.cout] },
    { name: `${c.name}.bn.weight`, shape: [c.cout] },
    { name: `${c.name}.bn.bias`, shape: [c.cout] },
    { name: `${c.name}.bn.running_mean`, shape: [c.cout] },
    { name: `${c.name}.bn.running_var`, shape: [c.cout] },
  ]),
  { name: 'fc.weight', shape: [FID_INCEPTION_FEATURE_DIM, FID_INCEPTION_CLASSES] },
  { name: 'fc.bias', shape: [FID_INCEPTION_CLASSES] },
];

/** A convolution with its batch norm folded in: `relu(conv(x, filter) + bias)`. @internal */
export interface FoldedConv {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

/**
 * Folds a `BasicConv2d`'s batch norm into its convolution: `s = γ / √(σ² + ε)`,
 * `filter' = filter · s` (per output channel), `bias' = β − μ · s`.
 * @internal
 */
export function foldConv(raw: tf.NamedTensorMap, name: string, eps = FID_INCEPTION_BN_EPSILON): FoldedConv {
  return tf.tidy(() => {
    const get = (k: string) => {
      const t = raw[`${name}.${k}`];
      if (!t) throw new GankitError('value', `FID Inception: weight '${name}.${k}' is missing`);
      return t;
    };
    const s = tf.div(get('bn.weight'), tf.sqrt(tf.add(get('bn.running_var'), eps)));
    const filter = tf.mul(get('conv.weight'), s) as tf.Tensor4D;
    const bias = tf.sub(get('bn.bias'), tf.mul(get('bn.running_mean'), s)) as tf.Tensor1D;
    return { filter, bias };
  });
}

/** Runs the network's layers on folded weights. @internal */
export class InceptionLayers {
  constructor(private readonly folded: ReadonlyMap<string, FoldedConv>) {}

  /** `BasicConv2d` `name`: conv (stride, padding from the architecture) + folded BN + ReLU. */
  conv(name: string, x: tf.Tensor4D): tf.Tensor4D {
    const d = CONV_BY_NAME.get(name);
    const w = this.folded.get(name);
    if (!d || !w) throw new GankitError('value', `FID Inception: no convolution '${name}'`);
    return tf.fused.conv2d({ x, filter: w.filter, bias: w.bias, strides: d.stride, pad: d.pad, activation: 'relu' });
  }

  /** A mixed block of the given kind. */
  block(kind: BlockKind, p: string, x: tf.Tensor4D): tf.Tensor4D {
    const c = (name: string, h: tf.Tensor4D) => this.conv(`${p}.${name}`, h);
    switch (kind) {
      case 'A': {
        const b1 = c('branch1x1', x);
        const b5 = c('branch5x5_2', c('branch5x5_1', x));
        const b3 = c('branch3x3dbl_3', c('branch3x3dbl_2', c('branch3x3dbl_1', x)));
        // FIDInceptionA: average pooling that excludes the padding (count_include_pad=False), as TF's 'SAME'.
        const bp = c('branch_pool', tf.avgPool(x, 3, 1, 'same'));
        return tf.concat([b1, b5, b3, bp], 3);
      }
      case 'B': {
        const b3 = c('branch3x3', x);
        const bd = c('branch3x3dbl_3', c('branch3x3dbl_2', c('branch3x3dbl_1', x)));
        const bp = tf.maxPool(x, 3, 2, 'valid');
        return tf.concat([b3, bd, bp], 3);
      }
      case 'C': {
        const b1 = c('branch1x1', x);
        const b7 = c('branch7x7_3', c('branch7x7_2', c('branch7x7_1', x)));
        let bd = c('branch7x7dbl_1', x);
        for (const k of [2, 3, 4, 5]) bd = c(`branch7x7dbl_${k}`, bd);
        const bp = c('branch_pool', tf.avgPool(x, 3, 1, 'same'));
        return tf.concat([b1, b7, bd, bp], 3);
      }
      case 'D': {
        const b3 = c('branch3x3_2', c('branch3x3_1', x));
        let b7 = c('branch7x7x3_1', x);
        for (const k of [2, 3, 4]) b7 = c(`branch7x7x3_${k}`, b7);
        const bp = tf.maxPool(x, 3, 2, 'valid');
        return tf.concat([b3, b7, bp], 3);
      }
      case 'E_1':
      case 'E_2': {
        const b1 = c('branch1x1', x);
        const t = c('branch3x3_1', x);
        const b3 = tf.concat([c('branch3x3_2a', t), c('branch3x3_2b', t)], 3);
        const u = c('branch3x3dbl_2', c('branch3x3dbl_1', x));
        const bd = tf.concat([c('branch3x3dbl_3a', u), c('branch3x3dbl_3b', u)], 3);
        // FIDInceptionE_1 (Mixed_7b) averages without the padding; FIDInceptionE_2 (Mixed_7c) takes the max.
        const pooled = kind === 'E_1' ? tf.avgPool(x, 3, 1, 'same') : tf.maxPool(x, 3, 1, 'same');
        const bp = c('branch_pool', pooled);
        return tf.concat([b1, b3, bd, bp], 3);
      }
    }
  }
}

/** Names of the activations {@link FidInception.activations} returns, in order. */
export const FID_INCEPTION_ACTIVATIONS = [
  'input',
  'Conv2d_1a_3x3',
  'Conv2d_2a_3x3',
  'Conv2d_2b_3x3',
  'maxpool1',
  'Conv2d_3b_1x1',
  'Conv2d_4a_3x3',
  'maxpool2',
  ...BLOCKS.map(([name]) => name),
  'pool3',
  'logits',
] as const;

/** One of {@link FID_INCEPTION_ACTIVATIONS}. */
export type FidInceptionActivation = (typeof FID_INCEPTION_ACTIVATIONS)[number];

/**
 * The Inception-v3 of the FID reference implementations (TTUR, pytorch-fid; see
 * {@link loadFidInception}). As an {@link ImageClassifier}, `features` are the 2048 pool3 features
 * and `logits`/`probs` the graph's 1008 classes.
 */
export interface FidInception extends ImageClassifier {
  /**
   * Every intermediate activation (see {@link FID_INCEPTION_ACTIVATIONS}) for a batch: `input` is
   * the resized 299×299×3 batch, `pool3` `[n, 2048]`, `logits` `[n, 1008]`. The caller disposes them.
   */
  activations(x: tf.Tensor): Record<FidInceptionActivation, tf.Tensor>;
}

/**
 * Resizes a batch of images to 299×299 bilinearly (half-pixel centres, as PyTorch's
 * `interpolate(..., mode='bilinear', align_corners=False)`), repeating a grey channel three times.
 * Inputs are `[n, h, w, 1 | 3]` float32 in [-1, 1]; pytorch-fid's inputs in [0, 1] are scaled to
 * [-1, 1] with `2x − 1` after the resize, which is the same since both maps are linear.
 * @internal
 */
export function fidInceptionInput(x: tf.Tensor, what: string): tf.Tensor4D {
  if (!(x instanceof tf.Tensor)) throw new GankitError('argument', `${what}: expected a tf.Tensor of images [n, h, w, 1 | 3]`);
  if (x.dtype !== 'float32') throw new GankitError('dtype', `${what}: expected float32 images in [-1, 1], got dtype ${x.dtype}`);
  if (x.rank !== 4 || (x.shape[3] !== 1 && x.shape[3] !== 3) || x.shape[1]! < 1 || x.shape[2]! < 1) {
    throw new GankitError('shape', `${what}: expected images [n, h, w, 1] or [n, h, w, 3], got ${formatShape(x.shape)}`);
  }
  return tf.tidy(() => {
    let h = x as tf.Tensor4D;
    const S = FID_INCEPTION_INPUT_SIZE;
    if (h.shape[1] !== S || h.shape[2] !== S) h = tf.image.resizeBilinear(h, [S, S], false, true);
    if (h.shape[3] === 1) h = tf.tile(h, [1, 1, 1, 3]);
    return h;
  });
}

function buildInception(folded: Map<string, FoldedConv>, fcW: tf.Tensor2D, fcB: tf.Tensor1D): FidInception {
  const layers = new InceptionLayers(folded);
  let disposed = false;
  const run = (x: tf.Tensor, what: string, upTo: 'pool3' | 'logits', keep?: Record<string, tf.Tensor>): tf.Tensor2D => {
    if (disposed) throw new GankitError('state', `${what}: the FID Inception has been disposed`);
    const save = (k: string, t: tf.Tensor) => {
      if (keep) keep[k] = t;
      return t;
    };
    let h = save('input', fidInceptionInput(x, what)) as tf.Tensor4D;
    h = save('Conv2d_1a_3x3', layers.conv('Conv2d_1a_3x3', h)) as tf.Tensor4D;
    h = save('Conv2d_2a_3x3', layers.conv('Conv2d_2a_3x3', h)) as tf.Tensor4D;
    h = save('Conv2d_2b_3x3', layers.conv('Conv2d_2b_3x3', h)) as tf.Tensor4D;
    h = save('maxpool1', tf.maxPool(h, 3, 2, 'valid')) as tf.Tensor4D;
    h = save('Conv2d_3b_1x1', layers.conv('Conv2d_3b_1x1', h)) as tf.Tensor4D;
    h = save('Conv2d_4a_3x3', layers.conv('Conv2d_4a_3x3', h)) as tf.Tensor4D;
    h = save('maxpool2', tf.maxPool(h, 3, 2, 'valid')) as tf.Tensor4D;
    for (const [name, kind] of BLOCKS) h = save(name, layers.block(kind, name, h)) as tf.Tensor4D;
    const pool3 = save('pool3', tf.mean(h, [1, 2])) as tf.Tensor2D;
    if (upTo === 'pool3') return pool3;
    return save('logits', tf.add(tf.matMul(pool3, fcW), fcB)) as tf.Tensor2D;
  };
  return {
    name: 'fid-inception',
    featureDim: FID_INCEPTION_FEATURE_DIM,
    numClasses: FID_INCEPTION_CLASSES,
    features: (x) => tf.tidy(() => run(x, 'fidInception.features', 'pool3')),
    logits: (x) => tf.tidy(() => run(x, 'fidInception.logits', 'logits')),
    probs: (x) => tf.tidy(() => tf.softmax(run(x, 'fidInception.probs', 'logits'))),
    activations: (x) => {
      const keep: Record<string, tf.Tensor> = {};
      tf.tidy(() => {
        run(x, 'fidInception.activations', 'logits', keep);
        return Object.values(keep);
      });
      return keep as Record<FidInceptionActivation, tf.Tensor>;
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      for (const f of folded.values()) {
        f.filter.dispose();
        f.bias.dispose();
      }
      fcW.dispose();
      fcB.dispose();
    },
  };
}

/**
 * The Inception-v3 that FID is defined with (TTUR's TensorFlow graph `2015-12-05`, ported by
 * pytorch-fid as `FIDInceptionA/C/E`): batch norm with ε = 0.001 (folded into the convolutions at
 * load time), average pools in the A, C and first E blocks that exclude the padding, a max pool in
 * the last E block, pool3 features (2048) and 1008 logits. Images (`[n, h, w, 1 | 3]`, float32 in
 * [-1, 1]) are resized to 299×299 bilinearly as pytorch-fid does; grey images are repeated to RGB.
 *
 * The weights are not bundled and never downloaded: convert pytorch-fid's
 * `pt_inception-2015-12-05-6726825d.pth` with `scripts/convert-fid-inception.py` (no PyTorch
 * needed) and pass the result, e.g. in Node:
 *
 * ```ts
 * const manifest = JSON.parse(fs.readFileSync('fid-inception.json', 'utf8'));
 * const weightData = fs.readFileSync('fid-inception.bin');
 * const inception = await loadFidInception({ manifest, weightData });
 * const f = inception.features(images); // [n, 2048]
 * ```
 *
 * or `loadFidInception(tf.io.http('/models/fid-inception.json'))` in a browser. The expected names
 * and shapes are {@link FID_INCEPTION_WEIGHT_SPECS}; other tensors in the file are ignored.
 *
 * @param weights - tensors by name (read, not disposed), the tfjs weights format in memory, or an IOHandler
 * @throws GankitError naming a missing tensor or one of the wrong shape or dtype
 */
export async function loadFidInception(weights: WeightsSource): Promise<FidInception> {
  const { tensors, owned } = await resolveWeights(weights, 'loadFidInception');
  try {
    checkWeights(tensors, FID_INCEPTION_WEIGHT_SPECS, 'loadFidInception');
    const folded = new Map<string, FoldedConv>();
    try {
      for (const c of CONVS) folded.set(c.name, foldConv(tensors, c.name));
    } catch (e) {
      for (const f of folded.values()) tf.dispose([f.filter, f.bias]);
      throw e;
    }
    const fcW = tf.clone(tensors['fc.weight']) as tf.Tensor2D;
    const fcB = tf.clone(tensors['fc.bias']) as tf.Tensor1D;
    return buildInception(folded, fcW, fcB);
  } finally {
    if (owned) disposeMap(tensors);
  }
}
