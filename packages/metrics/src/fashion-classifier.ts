import { type DigitClassifier, type DigitClassifierInfo, decodeBundledWeights, fromTensors } from './digit-classifier';
import { FASHION_CLASSIFIER_WEIGHTS } from './weights/fashion-classifier';

/** How the bundled Fashion-MNIST classifier weights were made and how well they classify. */
export interface FashionClassifierInfo extends DigitClassifierInfo {
  /** Accuracy of the bundled weights on the 10,000 real Fashion-MNIST t10k test images. */
  readonly testAccuracy: number;
  /** Accuracy on the 60,000 Fashion-MNIST training images. */
  readonly trainAccuracy: number;
  /** The data it was trained and tested on. */
  readonly data: string;
}

/** How the bundled Fashion-MNIST classifier weights were trained and how accurate they are. */
export function fashionClassifierInfo(): FashionClassifierInfo {
  return { ...FASHION_CLASSIFIER_WEIGHTS.info };
}

/**
 * The Fashion-MNIST counterpart of {@link digitClassifier}: the same small convolutional network
 * (and weight layout, {@link DIGIT_CLASSIFIER_WEIGHT_SPECS}), with bundled weights trained on the
 * 60,000 real Fashion-MNIST training images by `scripts/train-digit-classifier.mjs --data fashion`
 * (see {@link fashionClassifierInfo} for its accuracy on the 10,000 t10k test images). Its features
 * are what {@link fashionFrechetDistance} compares.
 *
 * Inputs are float32 images `[n, 28, 28, 1]` (or `[n, 28, 28]`, `[n, 784]`) in [-1, 1] with the
 * black background at -1, as `fashionMnist()` of `@gankit/data/node` gives them. `features` is the
 * 128-d penultimate layer (after ReLU), `logits`/`probs` the 10 classes in Fashion-MNIST's order
 * (T-shirt/top, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle boot). Each call
 * returns a new tensor that the caller disposes; call `dispose()` to free the weights.
 *
 * @example
 * ```ts
 * const clf = fashionClassifier();
 * const p = clf.probs(images); // [n, 10]
 * clf.dispose();
 * ```
 */
export function fashionClassifier(): DigitClassifier {
  const weights = decodeBundledWeights(
    FASHION_CLASSIFIER_WEIGHTS,
    'fashionClassifier',
    'scripts/train-digit-classifier.mjs --data fashion',
  );
  return fromTensors(weights, true, 'fashionClassifier', 'fashion-classifier');
}
