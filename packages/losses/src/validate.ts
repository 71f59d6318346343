import * as tf from '@tensorflow/tfjs-core';
import { GankitError, formatShape } from '@gankit/core';

/**
 * Checks that `x` is a live, non-empty float32 tensor of rank >= 1 (`[batch, ...]`).
 *
 * @param x - the value to check
 * @param what - how the error message names it (e.g. `'realOutput'`)
 * @param fn - the public function that checks, named in the error message
 * @internal
 */
export function checkOutput(x: unknown, what: string, fn: string): asserts x is tf.Tensor {
  if (!(x instanceof tf.Tensor)) {
    throw new GankitError('argument', `${fn}: ${what} must be a tf.Tensor, got ${describe(x)}`);
  }
  if (x.isDisposed) {
    throw new GankitError('argument', `${fn}: ${what} has been disposed`);
  }
  if (x.dtype !== 'float32') {
    throw new GankitError('dtype', `${fn}: ${what} must be float32 (discriminator logits or critic values), got ${x.dtype}`);
  }
  if (x.rank < 1) {
    throw new GankitError('shape', `${fn}: ${what} must have a batch dimension ([batch, ...]), got a scalar`);
  }
  if (x.size === 0) {
    throw new GankitError('shape', `${fn}: ${what} is empty (shape ${formatShape(x.shape)}); the mean of no outputs is undefined`);
  }
}

/**
 * Checks that D's outputs on real and fake batches agree in rank and in every dimension after the
 * batch one (batch sizes may differ). Catches, e.g., `[b, 1]` against `[b]`.
 *
 * @param real - D's output on the real batch (already checked by {@link checkOutput})
 * @param fake - D's output on the fake batch (already checked by {@link checkOutput})
 * @param fn - the public function that checks, named in the error message
 * @internal
 */
export function checkPair(real: tf.Tensor, fake: tf.Tensor, fn: string): void {
  const same = real.rank === fake.rank && real.shape.every((d, i) => i === 0 || d === fake.shape[i]);
  if (!same) {
    throw new GankitError(
      'shape',
      `${fn}: realOutput ${formatShape(real.shape)} and fakeOutput ${formatShape(fake.shape)} ` +
        'must have the same rank and the same dimensions after the batch dimension',
    );
  }
}

/** A short description of a value that is not a tensor, for error messages. @internal */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  return typeof x;
}
