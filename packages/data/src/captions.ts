// Captions written from the pixels of digit images (for text to image, Reed et al. 2016): stroke
// width and slant measured from each image, thresholds per class, a caption per (class, thickness,
// slant), and a word-level vocabulary that turns captions into token ids.
import { GankitError } from '@gankit/core';
import { InMemoryDataset } from './memory';

/** Attributes measured from the pixels of grey images (one value per image). */
export interface DigitAttributes {
  /**
   * Stroke width in pixels: the mean, over ink pixels (value > 0 in [-1, 1]), of the shorter of the
   * horizontal and the vertical run of ink through the pixel.
   */
  readonly strokeWidth: Float32Array;
  /**
   * Slant: the shear `−cov(x, y) / var(y)` of the ink (weighted by intensity; y grows downwards),
   * how far the ink moves right per pixel upwards. Positive leans right, negative left.
   */
  readonly slant: Float32Array;
}

/**
 * Measures stroke width and slant of square grey images in [-1, 1] (`[n, size, size, 1]` in
 * row-major order, as `InMemoryDataset.data` holds them, or generated images read back).
 *
 * @param images - `n · size · size` values
 * @param size - the side of an image (default 28)
 * @throws GankitError when the length is not a multiple of `size²`
 */
export function measureDigits(images: ArrayLike<number>, size = 28): DigitAttributes {
  const px = size * size;
  if (!Number.isInteger(size) || size < 2 || images.length % px !== 0) {
    throw new GankitError('data', `measureDigits: ${images.length} values are not a whole number of ${size}×${size} images`);
  }
  const n = images.length / px;
  const strokeWidth = new Float32Array(n);
  const slant = new Float32Array(n);
  const ink = new Uint8Array(px);
  const hRun = new Uint16Array(px);
  const vRun = new Uint16Array(px);
  for (let k = 0; k < n; k++) {
    const o = k * px;
    // Moments of the ink, weighted by intensity in [0, 1].
    let m = 0;
    let mx = 0;
    let my = 0;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const v = images[o + y * size + x];
        ink[y * size + x] = v > 0 ? 1 : 0;
        const w = (v + 1) / 2;
        if (w <= 0) continue;
        m += w;
        mx += w * x;
        my += w * y;
      }
    }
    if (m > 0) {
      mx /= m;
      my /= m;
      let cxy = 0;
      let cyy = 0;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const w = (images[o + y * size + x] + 1) / 2;
          if (w <= 0) continue;
          cxy += w * (x - mx) * (y - my);
          cyy += w * (y - my) * (y - my);
        }
      }
      slant[k] = cyy > 0 ? -cxy / cyy : 0;
    }
    // Runs of ink through each pixel, along rows and along columns.
    for (let y = 0; y < size; y++) {
      let x = 0;
      while (x < size) {
        if (!ink[y * size + x]) {
          x++;
          continue;
        }
        let e = x;
        while (e < size && ink[y * size + e]) e++;
        for (let i = x; i < e; i++) hRun[y * size + i] = e - x;
        x = e;
      }
    }
    for (let x = 0; x < size; x++) {
      let y = 0;
      while (y < size) {
        if (!ink[y * size + x]) {
          y++;
          continue;
        }
        let e = y;
        while (e < size && ink[e * size + x]) e++;
        for (let i = y; i < e; i++) vRun[i * size + x] = e - y;
        y = e;
      }
    }
    let sum = 0;
    let count = 0;
    for (let i = 0; i < px; i++) {
      if (!ink[i]) continue;
      sum += Math.min(hRun[i], vRun[i]);
      count++;
    }
    strokeWidth[k] = count > 0 ? sum / count : 0;
  }
  return { strokeWidth, slant };
}

/** The English words of the digits 0–9, as captions name them. */
export const DIGIT_WORDS: readonly string[] = Object.freeze([
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
]);

/** The thickness words of {@link digitCaption}: index 0 thin, 1 thick. */
export const THICKNESS_WORDS: readonly string[] = Object.freeze(['thin', 'thick']);

/** The slant phrases of {@link digitCaption}: index 0 left, 1 upright, 2 right. */
export const SLANT_PHRASES: readonly string[] = Object.freeze(['leaning left', 'standing upright', 'leaning right']);

/** Number of distinct digit captions: 10 classes × 2 thicknesses × 3 slants. */
export const NUM_DIGIT_CAPTIONS = DIGIT_WORDS.length * THICKNESS_WORDS.length * SLANT_PHRASES.length;

/** The parts of a digit caption. */
export interface DigitCaptionParts {
  /** The digit, 0–9. */
  readonly digit: number;
  /** 0 thin, 1 thick. */
  readonly thickness: number;
  /** 0 leaning left, 1 upright, 2 leaning right. */
  readonly slant: number;
}

/** The caption id of a (digit, thickness, slant): `digit·6 + thickness·3 + slant`, in `[0, 60)`. */
export function digitCaptionId(parts: DigitCaptionParts): number {
  const { digit, thickness, slant } = parts;
  if (!(Number.isInteger(digit) && digit >= 0 && digit < 10 && (thickness === 0 || thickness === 1) && [0, 1, 2].includes(slant))) {
    throw new GankitError('value', `digitCaptionId: expected digit 0–9, thickness 0–1 and slant 0–2, got ${JSON.stringify(parts)}`);
  }
  return digit * 6 + thickness * 3 + slant;
}

/** The parts of a caption id (the inverse of {@link digitCaptionId}). */
export function digitCaptionParts(id: number): DigitCaptionParts {
  if (!(Number.isInteger(id) && id >= 0 && id < NUM_DIGIT_CAPTIONS)) {
    throw new GankitError('value', `digitCaptionParts: caption id ${id} is out of range [0, ${NUM_DIGIT_CAPTIONS})`);
  }
  return { digit: Math.floor(id / 6), thickness: Math.floor((id % 6) / 3), slant: id % 3 };
}

/** The caption of an id: `"a thick seven leaning right"`, `"a thin two standing upright"`. */
export function digitCaption(id: number): string {
  const p = digitCaptionParts(id);
  return `a ${THICKNESS_WORDS[p.thickness]} ${DIGIT_WORDS[p.digit]} ${SLANT_PHRASES[p.slant]}`;
}

/** Per-class thresholds that turn measured attributes into caption words. */
export interface DigitCaptionThresholds {
  /** Per class: the median stroke width (above it: thick). */
  readonly strokeWidth: readonly number[];
  /** Per class: the slant tertiles `[lower, upper]` (below lower: left; above upper: right). */
  readonly slant: readonly (readonly [number, number])[];
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Thresholds from a labelled set of digits: per class, the median stroke width and the slant
 * tertiles, so that within each class half the digits are thick and a third leans each way (the
 * captions are balanced, and "thick" means thick for that digit).
 *
 * @throws GankitError when a class has no examples or the lengths differ
 */
export function digitCaptionThresholds(attributes: DigitAttributes, labels: ArrayLike<number>, numClasses = 10): DigitCaptionThresholds {
  const n = labels.length;
  if (attributes.strokeWidth.length !== n || attributes.slant.length !== n) {
    throw new GankitError('data', `digitCaptionThresholds: ${n} labels but ${attributes.strokeWidth.length} measured images`);
  }
  const strokeWidth: number[] = [];
  const slant: [number, number][] = [];
  for (let c = 0; c < numClasses; c++) {
    const w: number[] = [];
    const s: number[] = [];
    for (let i = 0; i < n; i++) {
      if (labels[i] !== c) continue;
      w.push(attributes.strokeWidth[i]);
      s.push(attributes.slant[i]);
    }
    if (w.length === 0) throw new GankitError('data', `digitCaptionThresholds: class ${c} has no examples`);
    const ws = Float64Array.from(w).sort();
    const ss = Float64Array.from(s).sort();
    strokeWidth.push(quantile(ws, 0.5));
    slant.push([quantile(ss, 1 / 3), quantile(ss, 2 / 3)]);
  }
  return { strokeWidth, slant };
}

/** The thickness (0 thin, 1 thick) and slant (0 left, 1 upright, 2 right) words of measured values for a class. */
export function attributeWords(
  thresholds: DigitCaptionThresholds,
  digit: number,
  strokeWidth: number,
  slant: number,
): { thickness: number; slant: number } {
  const [lo, hi] = thresholds.slant[digit];
  return { thickness: strokeWidth > thresholds.strokeWidth[digit] ? 1 : 0, slant: slant < lo ? 0 : slant > hi ? 2 : 1 };
}

/** What {@link captionDigits} returns. */
export interface CaptionedDigits {
  /** The same images, labelled with caption ids (`numClasses` = 60). */
  readonly dataset: InMemoryDataset;
  /** The caption id of each image. */
  readonly captionIds: Int32Array;
  /** The thresholds the captions were written with (reuse them to judge generated digits). */
  readonly thresholds: DigitCaptionThresholds;
  /** The measured attributes of each image. */
  readonly attributes: DigitAttributes;
}

/**
 * Writes a caption for every digit of a labelled 28×28 data set, from its class and the stroke
 * width and slant measured from its pixels ("a thick seven leaning right"), and returns the images
 * relabelled with caption ids for a conditional trainer. Thresholds are per class
 * ({@link digitCaptionThresholds}) unless given (e.g. a training set's, to caption a test set
 * alike).
 */
export function captionDigits(
  digits: InMemoryDataset,
  options: { thresholds?: DigitCaptionThresholds; name?: string } = {},
): CaptionedDigits {
  if (!digits.labels || digits.numClasses !== 10 || digits.sampleShape.join('x') !== '28x28x1') {
    throw new GankitError('data', `captionDigits: expects labelled 28×28×1 digits with 10 classes, got '${digits.name}'`);
  }
  const attributes = measureDigits(digits.data, 28);
  const thresholds = options.thresholds ?? digitCaptionThresholds(attributes, digits.labels);
  const captionIds = new Int32Array(digits.size);
  for (let i = 0; i < digits.size; i++) {
    const digit = digits.labels[i];
    const words = attributeWords(thresholds, digit, attributes.strokeWidth[i], attributes.slant[i]);
    captionIds[i] = digitCaptionId({ digit, ...words });
  }
  const dataset = new InMemoryDataset({
    x: digits.data,
    shape: [28, 28, 1],
    labels: captionIds,
    numClasses: NUM_DIGIT_CAPTIONS,
    name: options.name ?? `${digits.name}-captioned`,
  });
  return { dataset, captionIds, thresholds, attributes };
}

/**
 * A word-level vocabulary: token id 0 is padding, the words get ids 1.. in the order given.
 * Captions are lower-cased and split on anything that is not a letter or digit.
 */
export class WordVocabulary {
  /** The words, in id order from 1. */
  readonly words: readonly string[];
  private readonly ids: Map<string, number>;

  /** @param words - distinct words */
  constructor(words: readonly string[]) {
    this.ids = new Map();
    words.forEach((w, i) => {
      if (this.ids.has(w)) throw new GankitError('config', `WordVocabulary: the word '${w}' is listed twice`);
      this.ids.set(w, i + 1);
    });
    this.words = [...words];
  }

  /** Number of token ids, padding included. */
  get size(): number {
    return this.words.length + 1;
  }

  /** Token ids of a caption, padded with 0 to `maxLength`. */
  encode(text: string, maxLength: number): Int32Array {
    const tokens = text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean);
    if (tokens.length > maxLength) {
      throw new GankitError('value', `WordVocabulary: "${text}" has ${tokens.length} words, more than maxLength ${maxLength}`);
    }
    const out = new Int32Array(maxLength);
    tokens.forEach((t, i) => {
      const id = this.ids.get(t);
      if (id === undefined) throw new GankitError('value', `WordVocabulary: the word '${t}' of "${text}" is not in the vocabulary`);
      out[i] = id;
    });
    return out;
  }

  /** Token ids of several captions, `[texts.length · maxLength]` row-major. */
  encodeAll(texts: readonly string[], maxLength: number): Int32Array {
    const out = new Int32Array(texts.length * maxLength);
    texts.forEach((t, i) => out.set(this.encode(t, maxLength), i * maxLength));
    return out;
  }

  /** The caption of token ids (padding dropped). */
  decode(ids: ArrayLike<number>): string {
    return Array.from(ids)
      .filter((id) => id > 0)
      .map((id) => this.words[id - 1] ?? '?')
      .join(' ');
  }
}

/** The vocabulary of the digit captions (18 words), as {@link digitCaption} writes them. */
export function digitCaptionVocabulary(): WordVocabulary {
  return new WordVocabulary(['a', ...THICKNESS_WORDS, ...DIGIT_WORDS, 'leaning', 'standing', 'left', 'upright', 'right']);
}
