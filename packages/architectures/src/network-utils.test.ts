import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { GankitError } from '@gankit/core';
import { checkLabels } from './network-utils';

describe('checkLabels', () => {
  it("reads a label tensor from the device once, and still checks it against each network's class count", () => {
    const labels = tf.tensor1d([0, 7, 3], 'int32');
    const read = vi.spyOn(labels, 'dataSync');
    for (let i = 0; i < 3; i++) expect(checkLabels('d', { training: true, labels }, 3, 10)).toBe(labels);
    expect(read).toHaveBeenCalledTimes(1);
    // A network with fewer classes: the cached range does not hide the bad label.
    expect(() => checkLabels('g', { training: true, labels }, 3, 5)).toThrow(GankitError);
    expect(() => checkLabels('g', { training: true, labels }, 3, 5)).toThrow(
      /network 'g': label 7 at position 1 is out of range; labels must be integers in \[0, 5\)/,
    );
    // A variable's values can change: it is read every time.
    const v = tf.variable(tf.tensor1d([1, 2, 3], 'int32'));
    checkLabels('d', { training: true, labels: v }, 3, 10);
    v.assign(tf.tensor1d([1, 2, 30], 'int32'));
    expect(() => checkLabels('d', { training: true, labels: v }, 3, 10)).toThrow(/label 30 at position 2/);
    tf.dispose([labels, v]);
  });
});
