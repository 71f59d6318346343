// The pilot runs of the README's "What was tried": fashion-wgan-gp with some settings changed,
// trained and scored as the example is (grids, logged Fashion FD curve, raw and EMA Fashion FD of
// 10,000 samples against the test images). Not the example itself (that is example.ts).
// Usage: node pilots.mjs seed outDir [setting=value ...]   (settings: FASHION_WGAN_GP's keys;
// hiddenUnits=none for networks without the dense hidden layer; generatorUpsampling=nearest for
// resize-convolutions in G)
//   e.g. node pilots.mjs 0 out/fashion-b criticSteps=2 steps=1800
import { initBackend } from '@gankit/backend';
import { FASHION_WGAN_GP, fashionWganGpExample, runTraining } from '@gankit/cli';

const [seed = '0', out = 'out/fashion-pilot', ...pairs] = process.argv.slice(2);
const settings = { ...FASHION_WGAN_GP };
// generatorUpsampling is optional (not in FASHION_WGAN_GP): 'transposed' unless named.
const known = [...Object.keys(FASHION_WGAN_GP), 'generatorUpsampling'];
for (const pair of pairs) {
  const [key, value] = pair.split('=');
  if (!known.includes(key) || value === undefined) {
    console.error(`pilots.mjs: '${pair}' is not setting=value with a setting of FASHION_WGAN_GP (${known.join(', ')})`);
    process.exit(2);
  }
  if (key === 'criticNormalization' || key === 'generatorUpsampling') settings[key] = value;
  else settings[key] = key === 'hiddenUnits' && value === 'none' ? undefined : Number(value);
}
await initBackend({ backend: 'wasm' });
const example = fashionWganGpExample(settings, 'fashion-wgan-gp-pilot');
const result = await runTraining(example, { seed: Number(seed), out, overwrite: true, progress: false, backend: 'wasm' });
console.log(JSON.stringify(Object.fromEntries(pairs.map((p) => p.split('=')))));
console.log(result.summary);
