import { isGanPlugin, isWeightAverager } from '@gankit/core';
import { describe, expect, it } from 'vitest';
import { ema, isAveragingPlugin, uniformAverage } from './index';

describe('isAveragingPlugin', () => {
  it("is true of ema and uniformAverage, which core's isWeightAverager (used by the trainer and the CLI) also finds", () => {
    for (const p of [ema(), ema({ decay: 0.9, network: 'discriminator', name: 'd-ema' }), uniformAverage({ startStep: 3 })]) {
      expect(isAveragingPlugin(p), p.name).toBe(true);
      expect(isWeightAverager(p), p.name).toBe(true);
      expect(isGanPlugin(p), p.name).toBe(true);
      p.dispose();
    }
  });

  it('is false of other plugins, of a bare WeightAverager without initialize/updates, and of non-plugins', () => {
    const bare = { name: 'avg', averagedWeights: () => [], withAveragedWeights: <T>(_n: unknown, fn: () => T) => fn() };
    expect(isWeightAverager(bare)).toBe(true);
    expect(isAveragingPlugin(bare)).toBe(false);
    expect(isAveragingPlugin({ ...bare, network: 'generator', initialize() {}, updates: '0', initialized: false })).toBe(false);
    expect(isAveragingPlugin({ ...bare, network: 'generator', initialize() {}, updates: 0, initialized: false })).toBe(true);
    for (const x of [undefined, null, {}, { name: 'clip', afterDiscriminatorStep() {} }, 'ema', ema])
      expect(isAveragingPlugin(x)).toBe(false);
  });
});
