// The pilot runs of the README's "What was tried": mnist-sngan-hinge's loss and spectral norm on
// mnist-dcgan's dense-layer networks (InfoGAN's MNIST layout), scored like the example (grids, raw
// and EMA FID/IS). Not the example itself (that is example.ts).
// Usage: node pilots.mjs seed outDir generatorLr discriminatorLr [steps=1200] [batchNorm=0]
//   e.g. node pilots.mjs 0 out/sngan-a 1e-3 2e-4 ; ... 0 out/sngan-b 2e-4 2e-4 ; ... 0 out/sngan-c 1e-3 2e-4 1200 1
import { initBackend } from '@gankit/backend';
import { dcganDiscriminator, dcganGenerator } from '@gankit/architectures';
import { hinge } from '@gankit/losses';
import { spectralNorm } from '@gankit/regularizers';
import { MNIST_DENSE_LAYOUT, MNIST_IMAGE_DEFAULTS, mnistImageExample, runTraining } from '@gankit/cli';

const [seed = '0', out = 'out/sngan-pilot', glr = '1e-3', dlr = '2e-4', steps = '1200', bn = '0'] = process.argv.slice(2);
await initBackend({ backend: 'wasm' });
const L = MNIST_DENSE_LAYOUT;
const settings = { ...MNIST_IMAGE_DEFAULTS, steps: Number(steps), learningRate: Number(dlr), generatorLearningRate: Number(glr) };
const example = mnistImageExample(settings, {
  name: 'mnist-sngan-hinge-pilot',
  description: 'mnist-sngan-hinge on the dense-layer networks',
  title: 'mnist-sngan-hinge pilot',
  generator: (s) =>
    dcganGenerator({ imageShape: [28, 28, 1], latentDim: 100, hiddenUnits: L.hiddenUnits, baseFilters: L.generatorFilters, seed: s }),
  discriminator: (s) =>
    dcganDiscriminator({
      imageShape: [28, 28, 1],
      hiddenUnits: L.hiddenUnits,
      baseFilters: L.discriminatorFilters,
      batchNorm: bn === '1',
      seed: s,
      weightParametrization: spectralNorm({ powerIterations: 1, seed: s }),
    }),
  loss: hinge,
  settings: { generatorLr: glr, discriminatorLr: dlr, batchNorm: bn === '1' },
});
const result = await runTraining(example, { seed: Number(seed), out, overwrite: true, progress: false, backend: 'wasm' });
console.log(result.summary);
