// npm run bench:modes — the mode-collapse benchmark of issue 17, in the form of PacGAN's and
// VEEGAN's tables: every remedy gankit ships for mode collapse, trained on ring8 (8 Gaussians on a
// circle, std 0.02) and grid25 (5 × 5 Gaussians, std 0.05) over several seeds, with the modes
// captured, the high-quality share (points within 3 std of their nearest mode, `modeCoverage` of
// @gankit/metrics on 2,500 samples) and the training time. Prints one JSON line per run, then a
// Markdown table (mean ± standard deviation over the seeds; modes as mean and range).
//
// The base, `gan`, is a plain GAN as in PacGAN's and VEEGAN's tables: MLP G and D (3 × 128, ReLU G,
// leaky-ReLU D, latent 16), non-saturating loss, Adam 1e-3 (β₁ 0.5) for both players, no averaging,
// the example's batch (ring8 128, grid25 256). Each remedy adds one thing to exactly that base:
//   r1        the R1 penalty on D (γ 0.1; Mescheder et al. 2018)
//   unrolled  unrolled GAN, 5 look-ahead D steps (Metz et al. 2017)
//   replay    experience replay: half of each fake batch from a buffer of 2,048 older fakes
//   pack2     PacGAN: D judges 2 samples jointly (Lin et al. 2018)
//   code      a categorical latent code with InfoGAN's Q on D's body (Chen et al. 2016): one of K
//             values, one-hot beside the noise, K = the number of modes, λ 0.1
//   recipe    the examples' recipe (`mixtureGanSetup`: tanh G, an EMA of G to sample from, the
//             learning rates decayed to 5% over the second half, the categorical code of `code`)
//             — what `gankit train --example ring8` / `grid25` run
//
// Usage: node bench/modes.mjs [--data ring8,grid25] [--remedies gan,r1,unrolled,replay,pack2,code,recipe]
//                             [--seeds 0,1,2,3,4] [--steps 8000] [--jobs 2]
//        node bench/modes.mjs --table out1.txt,out2.txt   (the table again, from saved output)
// Each run is its own process (`--jobs` at a time); one run is bit-for-bit the same whatever the
// load, so only the seconds depend on the machine and on --jobs.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const DATA = ['ring8', 'grid25'];
const REMEDIES = ['gan', 'r1', 'unrolled', 'replay', 'pack2', 'code', 'recipe'];

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`bench:modes: unexpected argument '${argv[i]}'`);
    out[m[1]] = m[2] ?? argv[++i];
  }
  return out;
}

function list(value, fallback, allowed, what) {
  const items = value === undefined ? fallback : String(value).split(',').filter(Boolean);
  for (const x of items) if (!allowed.includes(x)) throw new Error(`bench:modes: unknown ${what} '${x}' (${allowed.join(', ')})`);
  return items;
}

function count(value, fallback, what, min = 1) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`bench:modes: --${what} must be an integer >= ${min}, got '${value}'`);
  return n;
}

/** Trains one (data, remedy, seed) and prints its JSON line. */
async function runOne(data, remedy, seed, steps) {
  const tf = await import('@tensorflow/tfjs-core');
  const { initBackend } = await import('@gankit/backend');
  const { mlpDiscriminator, mlpGenerator, packDiscriminator } = await import('@gankit/architectures');
  const { gridMixture, ringMixture } = await import('@gankit/data');
  const { nonSaturating } = await import('@gankit/losses');
  const { modeCoverage } = await import('@gankit/metrics');
  const { r1 } = await import('@gankit/regularizers');
  const { Trainer, experienceReplay, infogan, infoganAdversarialOutput, infoganLatent, unrolled } = await import('@gankit/trainer');
  const { GRID25, RING8, findAverager, mixtureGanSetup } = await import('@gankit/cli');
  const backend = await initBackend();

  const S = data === 'ring8' ? RING8 : GRID25;
  const mixture = () =>
    data === 'ring8'
      ? ringMixture({ modes: RING8.modes, radius: RING8.radius, std: RING8.std })
      : gridMixture({ side: GRID25.side, spacing: GRID25.spacing, std: GRID25.std });
  let setup;
  if (remedy === 'recipe') {
    // The decay covers the same share of the run as in the example (its second half) at any --steps.
    setup = mixtureGanSetup({ ...S, steps, decayStart: Math.floor((steps * S.decayStart) / S.steps) }, mixture(), seed);
  } else {
    const packing = remedy === 'pack2' ? 2 : 1;
    const codes = remedy === 'code' ? { noiseDim: S.latentDim, numCategories: mixture().modes.length, numContinuous: 0 } : undefined;
    const K = codes ? codes.numCategories : 0;
    const inner = mlpDiscriminator({ inputDim: 2 * packing, hidden: S.hidden, outputDim: 1 + K, seed: seed * 2 + 2 });
    const plugins = {
      gan: [],
      r1: [r1({ gamma: 0.1 })],
      unrolled: [unrolled({ steps: 5 })],
      replay: [experienceReplay({ bufferSize: 2048, fraction: 0.5 })],
      pack2: [],
      code: codes ? [infogan({ ...codes, categoricalWeight: 0.1 })] : [],
    }[remedy];
    setup = {
      generator: mlpGenerator({ latentDim: S.latentDim + K, outputDim: 2, hidden: S.hidden, seed: seed * 2 + 1 }),
      discriminator: packing > 1 ? packDiscriminator(inner, { samples: packing }) : inner,
      loss: nonSaturating,
      data: mixture(),
      generatorOptimizer: tf.train.adam(S.learningRate, S.beta1),
      discriminatorOptimizer: tf.train.adam(S.learningRate, S.beta1),
      plugins,
      discriminatorSteps: 1,
      ...(codes ? { latent: infoganLatent(codes), adversarialOutput: infoganAdversarialOutput } : {}),
    };
  }
  const trainer = new Trainer({ ...setup, batchSize: S.batchSize, seed });
  const cpu0 = process.cpuUsage();
  const result = await trainer.fit({ steps });
  const cpu = process.cpuUsage(cpu0);
  const z = trainer.sampleLatent(2500);
  const averager = findAverager(trainer.plugins);
  const x = averager ? averager.withAveragedWeights(trainer.generator, () => trainer.sample(2500, { z })) : trainer.sample(2500, { z });
  const points = x.arraySync();
  tf.dispose([z, x]);
  const coverage = modeCoverage(points, trainer.data.modes, trainer.data.std);
  console.log(
    JSON.stringify({
      bench: 'modes',
      data,
      remedy,
      seed,
      steps,
      modesCaptured: coverage.modesCaptured,
      numModes: coverage.numModes,
      highQualityFraction: Number(coverage.highQualityFraction.toFixed(4)),
      seconds: Number(result.seconds.toFixed(1)),
      // CPU time of the training (user + system), which other jobs on the machine barely change.
      cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)),
      sampledFrom: averager ? averager.name : 'raw',
      backend: backend.backend,
      load1: Number(os.loadavg()[0].toFixed(2)),
    }),
  );
  trainer.dispose();
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs) => (xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1)) : 0);

/** The Markdown table of the runs' JSON lines. */
function table(rows, dataNames, remedies) {
  const lines = [
    '| data | remedy | modes captured (mean, min–max) | high-quality share (mean ± sd) | seconds per run (mean) | CPU seconds per run (mean) | seeds |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const data of dataNames) {
    for (const remedy of remedies) {
      const r = rows.filter((x) => x.data === data && x.remedy === remedy);
      if (r.length === 0) continue;
      const modes = r.map((x) => x.modesCaptured);
      const hq = r.map((x) => 100 * x.highQualityFraction);
      lines.push(
        `| ${data} | ${remedy} | ${mean(modes).toFixed(1)} / ${r[0].numModes} (${Math.min(...modes)}–${Math.max(...modes)}) | ${mean(hq).toFixed(1)} ± ${sd(hq).toFixed(1)} % | ${mean(r.map((x) => x.seconds)).toFixed(0)} | ${r.every((x) => x.cpuSeconds !== undefined) ? mean(r.map((x) => x.cpuSeconds)).toFixed(0) : '–'} | ${r.map((x) => x.seed).join(', ')} |`,
      );
    }
  }
  return lines.join('\n');
}

const args = parseArgs(process.argv.slice(2));
if (args.table) {
  // Reprints the table from saved output (this script's JSON lines, from one or several runs).
  const fs = await import('node:fs');
  const rows = String(args.table)
    .split(',')
    .flatMap((file) => fs.readFileSync(file, 'utf8').split('\n'))
    .filter((l) => l.startsWith('{"bench":"modes"'))
    .map((l) => JSON.parse(l))
    .filter((r) => !r.error);
  const steps = [...new Set(rows.map((r) => r.steps))];
  console.log(`${steps.join(', ')} iterations a run\n`);
  console.log(table(rows, DATA, REMEDIES));
} else if (args.one) {
  const [data, remedy, seed, steps] = args.one.split(':');
  await runOne(data, remedy, Number(seed), Number(steps));
} else {
  const dataNames = list(args.data, DATA, DATA, 'data set');
  const remedies = list(args.remedies, REMEDIES, REMEDIES, 'remedy');
  const seeds = list(
    args.seeds,
    ['0', '1', '2', '3', '4'],
    Array.from({ length: 1000 }, (_, i) => String(i)),
    'seed',
  ).map(Number);
  const steps = count(args.steps, 8000, 'steps');
  const jobs = count(args.jobs, 1, 'jobs');
  const queue = dataNames.flatMap((d) => remedies.flatMap((r) => seeds.map((s) => `${d}:${r}:${s}:${steps}`)));
  const rows = [];
  let failed = 0;
  const self = fileURLToPath(import.meta.url);
  const worker = async () => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      const { code, stdout } = await new Promise((resolve) => {
        const child = spawn(process.execPath, [self, '--one', job], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (b) => {
          out += b;
        });
        child.on('close', (c) => resolve({ code: c, stdout: out }));
      });
      const line = stdout.split('\n').find((l) => l.startsWith('{"bench":"modes"'));
      if (code !== 0 || !line) {
        failed++;
        console.log(JSON.stringify({ bench: 'modes', run: job, error: `exited with ${code}` }));
        continue;
      }
      console.log(line);
      rows.push(JSON.parse(line));
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  console.log(`\n${steps} iterations a run, ${jobs} run(s) at a time on ${os.cpus().length} cores\n`);
  console.log(table(rows, dataNames, remedies));
  process.exitCode = failed ? 1 : 0;
}
