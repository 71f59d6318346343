import { GankitError } from '@gankit/core';
import type { InMemoryDataset } from '../memory';
import { FASHION_MNIST_DIR, type Split, checkFashionMnist, fashionMnist, findFashionMnistFiles } from './datasets';

/**
 * The environment variable that points {@link loadFashionMnist} and {@link checkFashionMnistData}
 * (and so the fashion-wgan-gp example, and `--config` runs on `fashion-mnist` without a `dir`) at
 * another folder of Fashion-MNIST IDX files than the one where Debian's `dataset-fashion-mnist`
 * installs them. An empty value counts as unset.
 */
export const FASHION_MNIST_DIR_ENV = 'GANKIT_FASHION_MNIST_DIR';

/** `dir`, else the folder {@link FASHION_MNIST_DIR_ENV} names, else `undefined` (Debian's folder). */
const folder = (dir: string | undefined): string | undefined => dir ?? (process.env[FASHION_MNIST_DIR_ENV] || undefined);

/**
 * Fashion-MNIST's images of one split (`'train'`, the default, or `'test'`: the `t10k-*` files)
 * from `dir`, else from the folder that the environment variable `GANKIT_FASHION_MNIST_DIR` names,
 * else from Debian's `dataset-fashion-mnist` (`/usr/share/datasets/fashion-mnist`). Absent files
 * give a message saying how to install them; a damaged file gives its own cause (truncated, wrong
 * magic number, …), not "not installed".
 *
 * @param dir - the folder with the IDX files (gzipped or not)
 * @param split - which split
 */
export function loadFashionMnist(dir?: string | undefined, split: Split = 'train'): InMemoryDataset {
  const where = folder(dir);
  requireFashionMnist(where, split);
  return fashionMnist(where === undefined ? { split } : { dir: where, split });
}

/**
 * Checks, without loading them, that one split's Fashion-MNIST files are there and whole (see
 * {@link loadFashionMnist} for where it looks); returns the number of images. Lets a long run be
 * refused before it starts.
 *
 * @param dir - the folder with the IDX files (gzipped or not)
 * @param split - which split
 */
export function checkFashionMnistData(dir?: string | undefined, split: Split = 'train'): number {
  const where = folder(dir);
  requireFashionMnist(where, split);
  return checkFashionMnist(where === undefined ? { split } : { dir: where, split });
}

/** Throws the "not installed" message when a split's files are absent (and only then). */
function requireFashionMnist(dir: string | undefined, split: Split): void {
  const files = findFashionMnistFiles(dir === undefined ? { split } : { dir, split });
  if (files.missing.length === 0) return;
  throw new GankitError(
    'data',
    `Fashion-MNIST is not installed in ${files.dir}. Install it with \`sudo apt-get install dataset-fashion-mnist\` (Debian/Ubuntu; the files land in ${FASHION_MNIST_DIR}), or set ${FASHION_MNIST_DIR_ENV} to the folder with the IDX files, or train with --config and "data": { "name": "fashion-mnist", "dir": "<folder with the IDX files>" }. (missing: ${files.missing.map((m) => `${m}(.gz)`).join(', ')})`,
  );
}
