// The pilot runs of the README's "What was tried": fashion-wgan-gp with some settings changed,
// trained and scored as the example is (grids, logged Fashion FD curve, raw and EMA Fashion FD of
// 10,000 samples against the test images). Not the example itself (that is example.ts).
// Usage: node pilots.mjs seed outDir [setting=value ...] [--resume-to N]   (settings:
// FASHION_WGAN_GP's keys; hiddenUnits=none for networks without the dense hidden layer;
// generatorUpsampling=nearest for resize-convolutions in G). --resume-to N goes on with the pilot
// in outDir (the same seed and settings) from its newest checkpoint to N iterations, as
// `gankit train --resume --steps N` does for the example.
//   e.g. node pilots.mjs 0 out/fashion-b criticSteps=2 steps=1800
//        node pilots.mjs 0 out/fashion-f generatorUpsampling=nearest --resume-to 6000
import { initBackend } from '@gankit/backend';
import { FASHION_WGAN_GP, fashionWganGpExample, runTraining } from '@gankit/cli';

const args = process.argv.slice(2);
const at = args.indexOf('--resume-to');
const resumeTo = at < 0 ? undefined : Number(args[at + 1]);
if (resumeTo !== undefined && !(Number.isInteger(resumeTo) && resumeTo > 0)) {
  console.error(`pilots.mjs: --resume-to needs a positive whole number of iterations, got '${args[at + 1] ?? ''}'`);
  process.exit(2);
}
if (at >= 0) args.splice(at, 2);
const [seed = '0', out = 'out/fashion-pilot', ...pairs] = args;
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
const run = resumeTo === undefined ? { overwrite: true } : { resume: true, steps: resumeTo };
const result = await runTraining(example, { seed: Number(seed), out, progress: false, backend: 'wasm', ...run });
console.log(JSON.stringify(Object.fromEntries(pairs.map((p) => p.split('=')))));
console.log(result.summary);
