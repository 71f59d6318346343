import { describe, expect, it } from 'vitest';
import {
  NUM_DIGIT_CAPTIONS,
  WordVocabulary,
  captionDigits,
  digitCaption,
  digitCaptionId,
  digitCaptionParts,
  digitCaptionThresholds,
  digitCaptionVocabulary,
  measureDigits,
} from './captions';
import { InMemoryDataset } from './memory';

/** A 28×28 image in [-1, 1] with ink where `inked(x, y)`. */
function image(inked: (x: number, y: number) => boolean): Float32Array {
  const out = new Float32Array(784).fill(-1);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) if (inked(x, y)) out[y * 28 + x] = 1;
  return out;
}

/** A bar of width `w` from row 4 to 23, its centre at 14 + shear·(14 − y) (positive shear: top to the right). */
const bar = (w: number, shear: number) =>
  image((x, y) => {
    const left = Math.round(14 + shear * (14 - y) - w / 2);
    return y >= 4 && y < 24 && x >= left && x < left + w;
  });

describe('measureDigits', () => {
  it('stroke width: the width of a vertical bar and of a horizontal bar; slant: the shear of a bar', () => {
    const horizontal = image((x, y) => x >= 4 && x < 24 && y >= 12 && y < 15);
    const images = [bar(2, 0), bar(4, 0), horizontal, bar(3, 0.4), bar(3, -0.4)];
    const m = measureDigits(Float32Array.from(images.flatMap((a) => Array.from(a))));
    expect(Array.from(m.strokeWidth.slice(0, 3))).toEqual([2, 4, 3]);
    expect(m.slant[0]).toBeCloseTo(0, 6);
    expect(m.slant[1]).toBeCloseTo(0, 6);
    // The ink's centre moves 0.4 px right per pixel up: slant ≈ +0.4 (and −0.4 for the other bar).
    expect(m.slant[3]).toBeGreaterThan(0.3);
    expect(m.slant[3]).toBeLessThan(0.5);
    expect(m.slant[4]).toBeLessThan(-0.3);
    expect(m.slant[4]).toBeGreaterThan(-0.5);
    // A blank image measures zero, not NaN.
    const blank = measureDigits(new Float32Array(784).fill(-1));
    expect([blank.strokeWidth[0], blank.slant[0]]).toEqual([0, 0]);
    expect(() => measureDigits(new Float32Array(100))).toThrow(/100 values are not a whole number of 28×28 images/);
  });
});

describe('digit captions', () => {
  it('ids, parts and texts round-trip over all 60 captions, each text distinct', () => {
    const texts = new Set<string>();
    for (let id = 0; id < NUM_DIGIT_CAPTIONS; id++) {
      expect(digitCaptionId(digitCaptionParts(id))).toBe(id);
      texts.add(digitCaption(id));
    }
    expect(texts.size).toBe(60);
    expect(digitCaption(digitCaptionId({ digit: 7, thickness: 1, slant: 2 }))).toBe('a thick seven leaning right');
    expect(digitCaption(digitCaptionId({ digit: 2, thickness: 0, slant: 1 }))).toBe('a thin two standing upright');
    expect(() => digitCaptionParts(60)).toThrow(/caption id 60 is out of range \[0, 60\)/);
    expect(() => digitCaptionId({ digit: 3, thickness: 2, slant: 0 })).toThrow(/thickness 0–1/);
  });

  it('captionDigits: per-class median and tertiles balance the captions; the dataset carries caption ids', () => {
    // Class 0: bars of widths 2..5 and shears −0.3..0.3; class 1 the same, a pixel wider.
    const xs: number[] = [];
    const labels: number[] = [];
    for (const c of [0, 1])
      for (let w = 2; w <= 5; w++)
        for (const s of [-0.3, -0.1, 0.1, 0.3, -0.2, 0.2]) {
          xs.push(...bar(w + c, s));
          labels.push(c);
        }
    const digits = new InMemoryDataset({ x: Float32Array.from(xs), shape: [28, 28, 1], labels, numClasses: 10, name: 'bars' });
    // Classes 2–9 are empty here, so thresholds are computed for the two classes present.
    const attrs = measureDigits(digits.data);
    const t = digitCaptionThresholds(attrs, labels, 2);
    expect(t.strokeWidth[1]).toBeGreaterThan(t.strokeWidth[0]);
    const { dataset, captionIds } = captionDigits(digits, { thresholds: t });
    expect(dataset.numClasses).toBe(60);
    expect(Array.from(dataset.labels ?? [])).toEqual(Array.from(captionIds));
    for (const c of [0, 1]) {
      const parts = Array.from(captionIds)
        .filter((_, i) => labels[i] === c)
        .map(digitCaptionParts);
      expect(parts.every((p) => p.digit === c)).toBe(true);
      expect(parts.filter((p) => p.thickness === 1)).toHaveLength(12);
      for (const s of [0, 1, 2]) expect(parts.filter((p) => p.slant === s)).toHaveLength(8);
    }
    expect(() => captionDigits(new InMemoryDataset({ x: new Float32Array(784), shape: [28, 28, 1] }))).toThrow(
      /expects labelled 28×28×1 digits with 10 classes/,
    );
    expect(() => digitCaptionThresholds(attrs, labels, 3)).toThrow(/class 2 has no examples/);
  });
});

describe('WordVocabulary', () => {
  it('encodes captions as padded token ids and back; refuses unknown and overlong captions', () => {
    const v = digitCaptionVocabulary();
    expect(v.size).toBe(19);
    const ids = v.encode('A thick seven, leaning right', 6);
    expect(ids).toHaveLength(6);
    expect(ids[5]).toBe(0);
    expect(v.decode(ids)).toBe('a thick seven leaning right');
    expect(Array.from(v.encodeAll(['a thin one', 'a thick two'], 3))).toEqual([
      ...v.encode('a thin one', 3),
      ...v.encode('a thick two', 3),
    ]);
    expect(() => v.encode('a purple seven', 5)).toThrow(/the word 'purple' of "a purple seven" is not in the vocabulary/);
    expect(() => v.encode('a thin one standing upright', 4)).toThrow(/has 5 words, more than maxLength 4/);
    expect(() => new WordVocabulary(['a', 'a'])).toThrow(/listed twice/);
  });
});
