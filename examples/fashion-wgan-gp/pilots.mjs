// The pilot runs of the README's "What was tried": fashion-wgan-gp with some settings changed,
// trained and scored as the example is (grids, logged Fashion FD curve, raw and EMA Fashion FD of
// 10,000 samples against the test images). Not the example itself (that is example.ts).
// Usage: node pilots.mjs seed outDir [setting=value ...] [--resume-to N]   (settings:
// FASHION_WGAN_GP's keys; hiddenUnits=none for networks without the dense hidden layer;
// generatorUpsampling=nearest for resize-convolutions in G). --resume-to N goes on with the pilot
// in outDir (the same seed and settings) from its newest checkpoint to N iterations, as
// `gankit train --resume --steps N` does for the example. --from DIR (with --resume-to) first makes
// outDir a branch of the run in DIR (the example's or another pilot's): its newest checkpoint, logs
// and grids, relabelled as a pilot run with the settings given here, which then goes on to N.
//   e.g. node pilots.mjs 0 out/fashion-b criticSteps=2 steps=1800
//        node pilots.mjs 0 out/fashion-f generatorUpsampling=nearest --resume-to 6000
//        node pilots.mjs 0 out/fashion-h lrDecayStart=6000 lrDecayEnd=7500 --from out/s0 --resume-to 7500
import fs from 'node:fs';
import path from 'node:path';
import { initBackend } from '@gankit/backend';
import { FASHION_WGAN_GP, fashionWganGpExample, runTraining } from '@gankit/cli';

const args = process.argv.slice(2);
/** Takes `name value` out of the arguments: undefined without the flag, '' when its value is missing. */
const takeFlag = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : (args.splice(i, 2)[1] ?? '');
};
const resumeToText = takeFlag('--resume-to');
const resumeTo = resumeToText === undefined ? undefined : Number(resumeToText);
if (resumeTo !== undefined && !(resumeToText !== '' && Number.isInteger(resumeTo) && resumeTo > 0)) {
  console.error(`pilots.mjs: --resume-to needs a positive whole number of iterations, got '${resumeToText}'`);
  process.exit(2);
}
const from = takeFlag('--from');
const [seed = '0', out = 'out/fashion-pilot', ...pairs] = args;
const settings = { ...FASHION_WGAN_GP };
// Optional settings (not in FASHION_WGAN_GP): generatorUpsampling ('transposed' unless named) and
// the learning-rate decay lrDecayStart, lrDecayEnd, lrDecayTo (constant rates unless named).
const known = [...Object.keys(FASHION_WGAN_GP), 'generatorUpsampling', 'lrDecayStart', 'lrDecayEnd', 'lrDecayTo'];
for (const pair of pairs) {
  const [key, value] = pair.split('=');
  if (!known.includes(key) || value === undefined) {
    console.error(`pilots.mjs: '${pair}' is not setting=value with a setting of FASHION_WGAN_GP (${known.join(', ')})`);
    process.exit(2);
  }
  if (key === 'criticNormalization' || key === 'generatorUpsampling') settings[key] = value;
  else settings[key] = key === 'hiddenUnits' && value === 'none' ? undefined : Number(value);
}
const name = 'fashion-wgan-gp-pilot';
let example;
try {
  example = fashionWganGpExample(settings, name); // checks the settings before any folder is made
} catch (e) {
  console.error(`pilots.mjs: ${e.message}`);
  process.exit(2);
}
if (from !== undefined) branch(from, out);
await initBackend({ backend: 'wasm' });
const run = resumeTo === undefined ? { overwrite: true } : { resume: true, steps: resumeTo };
const result = await runTraining(example, { seed: Number(seed), out, progress: false, backend: 'wasm', ...run });
console.log(JSON.stringify(Object.fromEntries(pairs.map((p) => p.split('=')))));
console.log(result.summary);

/** Makes `out` a pilot run that starts from the newest checkpoint of the run in `dir`. */
function branch(dir, out) {
  const fail = (why) => {
    console.error(`pilots.mjs: --from${dir ? ` ${dir}` : ''}: ${why}`);
    process.exit(2);
  };
  if (!dir) fail('give the folder of the run to branch from');
  if (resumeTo === undefined) fail('give --resume-to N as well (the iterations the branch goes on to)');
  if (fs.existsSync(out)) fail(`${out} exists; a branch starts in a new folder`);
  let config;
  let latest;
  try {
    config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    latest = fs.readFileSync(path.join(dir, 'checkpoints', 'latest'), 'utf8').trim();
  } catch (e) {
    fail(`not a run folder with checkpoints (${e.message})`);
  }
  if (config.seed !== Number(seed)) fail(`that run has seed ${config.seed}, not ${seed}`);
  fs.mkdirSync(path.join(out, 'checkpoints'), { recursive: true });
  fs.cpSync(path.join(dir, 'checkpoints', latest), path.join(out, 'checkpoints', latest), { recursive: true });
  fs.writeFileSync(path.join(out, 'checkpoints', 'latest'), `${latest}\n`);
  for (const keep of ['logs.jsonl', 'grids']) {
    if (fs.existsSync(path.join(dir, keep))) fs.cpSync(path.join(dir, keep), path.join(out, keep), { recursive: true });
  }
  // The same seed, batch and workers, relabelled a pilot run (runTraining rewrites the rest of it).
  fs.writeFileSync(path.join(out, 'config.json'), `${JSON.stringify({ ...config, example: name }, null, 2)}\n`);
  console.log(`branched ${out} from ${dir}/checkpoints/${latest}`);
}
