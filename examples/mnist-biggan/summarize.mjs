// Summarizes runs of mnist-biggan and mnist-biggan-no-ortho over seeds into the README's tables and
// the curves in results/: FID and IS of the EMA generator at every truncation threshold ψ, mean and
// spread (sample standard deviation) over the seeds.
// Usage: node summarize.mjs RUNS_DIR   (RUNS_DIR holds <example>-s<seed>/metrics.json, as
//        `npx gankit train --example <example> --seed <seed> --out RUNS_DIR/<example>-s<seed>` writes)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lineChartSvg } from '@gankit/report';

const here = path.dirname(fileURLToPath(import.meta.url));
const runs = process.argv[2];
if (!runs || !fs.existsSync(runs)) {
  console.error('usage: node summarize.mjs RUNS_DIR');
  process.exit(2);
}
const variants = ['mnist-biggan', 'mnist-biggan-no-ortho'];
const stats = (xs) => {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd, n: xs.length };
};
const fmt = ({ mean, sd }, digits) => `${mean.toFixed(digits)} ± ${sd.toFixed(digits)}`;

const byVariant = {};
for (const v of variants) {
  const metrics = fs
    .readdirSync(runs)
    .filter((d) => d.startsWith(`${v}-s`) && /^\d+$/.test(d.slice(v.length + 2)))
    .map((d) => path.join(runs, d, 'metrics.json'))
    .filter((f) => fs.existsSync(f))
    .map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
  if (metrics.length) byVariant[v] = metrics;
}

const lines = [];
for (const [v, ms] of Object.entries(byVariant)) {
  const seeds = ms.map((m) => m.seed).join(', ');
  const secs = ms.map((m) => m.seconds);
  lines.push(
    `### ${v} (seeds ${seeds}; ${ms[0].steps} steps; training ${Math.min(...secs).toFixed(0)}–${Math.max(...secs).toFixed(0)} s)`,
    '',
  );
  lines.push('| ψ | FID (EMA) | IS (EMA) | label accuracy |', '| --- | --- | --- | --- |');
  const psis = ms[0].truncation.map((t) => t.psi);
  for (const [i, psi] of psis.entries()) {
    const col = (key) => stats(ms.map((m) => m.truncation[i][key]));
    const acc = col('labelAccuracy');
    lines.push(
      `| ${psi ?? 'none'} | ${fmt(col('fid'), 1)} | ${fmt(col('inceptionScore'), 2)} | ${(acc.mean * 100).toFixed(1)} ± ${(acc.sd * 100).toFixed(1)} % |`,
    );
  }
  const raw = stats(ms.map((m) => m.raw.fid));
  lines.push(
    '',
    `Raw generator without truncation: FID ${fmt(raw, 1)}. Per seed (EMA, no truncation): ${ms.map((m) => `seed ${m.seed} FID ${m.ema.fid.toFixed(1)}`).join(', ')}.`,
    '',
  );
}
console.log(lines.join('\n'));

// Curves: the mean over seeds of each variant against ψ; "none" as a dashed-free flat line.
const series = (key) =>
  Object.entries(byVariant).flatMap(([v, ms]) => {
    const psis = ms[0].truncation.map((t) => t.psi);
    const pts = psis.map((psi, i) => [psi, stats(ms.map((m) => m.truncation[i][key])).mean]).filter(([psi]) => psi !== null);
    const none = stats(ms.map((m) => m.truncation[psis.length - 1][key])).mean;
    const label = v === 'mnist-biggan' ? 'orthogonal reg.' : 'no orthogonal reg.';
    return [
      { name: `${label}, at ψ`, points: pts },
      {
        name: `${label}, no truncation`,
        points: [
          [pts[0][0], none],
          [pts[pts.length - 1][0], none],
        ],
      },
    ];
  });
const out = path.join(here, 'results');
fs.mkdirSync(out, { recursive: true });
const n = Math.max(...Object.values(byVariant).map((ms) => ms.length));
fs.writeFileSync(
  path.join(out, 'truncation-fid.svg'),
  lineChartSvg(series('fid'), { title: `FID against ψ (mean of ${n} seeds, EMA generator)`, xLabel: 'ψ', yLabel: 'FID' }),
);
fs.writeFileSync(
  path.join(out, 'truncation-is.svg'),
  lineChartSvg(series('inceptionScore'), { title: `IS against ψ (mean of ${n} seeds, EMA generator)`, xLabel: 'ψ', yLabel: 'IS' }),
);
console.error(`wrote ${path.join(out, 'truncation-fid.svg')} and truncation-is.svg`);
