// Prints the README's tables from finished runs: mean and spread (half the range) over seeds of
// each divergence's numbers. Usage:
//   node summarize.mjs mixture out/fgan-mixture-s0 out/fgan-mixture-s1 out/fgan-mixture-s2
//   node summarize.mjs mnist out/fgan-mnist-s0 out/fgan-mnist-s1 out/fgan-mnist-s2
import fs from 'node:fs';
import path from 'node:path';

const [which, ...dirs] = process.argv.slice(2);
if ((which !== 'mixture' && which !== 'mnist') || dirs.length === 0) {
  console.error('usage: node summarize.mjs mixture|mnist RUN_DIR...');
  process.exit(2);
}
const runs = dirs.map((d) => JSON.parse(fs.readFileSync(path.join(d, 'metrics.json'), 'utf8')));
const order = runs[0].order;
const stat = (values, digits) => {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) return 'n/a';
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const spread = (Math.max(...v) - Math.min(...v)) / 2;
  return `${mean.toFixed(digits)} ± ${spread.toFixed(digits)}`;
};
const big = (x) => (Math.abs(x) >= 1000 ? x.toExponential(1) : x.toFixed(3));
if (which === 'mixture') {
  console.log(
    '| trained under | mean x | var x | var y | on heavy mode | on light mode | between | KL(P‖Q) | KL(Q‖P) | per seed: mean x |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const d of order) {
    const r = runs.map((m) => m.runs[d]);
    const cells = [
      stat(
        r.map((x) => x.mean[0]),
        2,
      ),
      stat(
        r.map((x) => x.cov[0]),
        2,
      ),
      stat(
        r.map((x) => x.cov[2]),
        3,
      ),
      stat(
        r.map((x) => x.onMode[0]),
        3,
      ),
      stat(
        r.map((x) => x.onMode[1]),
        3,
      ),
      stat(
        r.map((x) => x.between),
        3,
      ),
      stat(
        r.map((x) => x.divergencesOfFit.kl),
        2,
      ),
      stat(
        r.map((x) => x.divergencesOfFit['reverse-kl']),
        2,
      ),
      r.map((x) => x.mean[0].toFixed(2)).join(', '),
    ];
    console.log(`| \`${d}\` | ${cells.join(' | ')} |`);
  }
  const m = runs[0];
  console.log(
    `| moment-matched (best KL) | ${m.momentMatched.mean[0]} | ${m.momentMatched.cov[0]} | ${m.momentMatched.cov[2]} | | | | ${big(m.divergencesOfMomentMatched.kl)} | ${big(m.divergencesOfMomentMatched['reverse-kl'])} | |`,
  );
  console.log('\nexact divergences of each fit (rows: trained under; columns: D_f(P‖Q) of the fit), mean over seeds:');
  console.log(`| trained under | ${order.join(' | ')} |`);
  console.log(`| --- |${order.map(() => ' --- |').join('')}`);
  for (const d of order) {
    const cells = order.map((k) => {
      const v = runs.map((m) => m.runs[d].divergencesOfFit[k]);
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      return big(mean);
    });
    console.log(`| \`${d}\` | ${cells.join(' | ')} |`);
  }
} else {
  console.log('| trained under | FID (EMA) | FID (raw) | IS (EMA) | precision (EMA) | recall (EMA) | per seed: FID (EMA) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const d of order) {
    const r = runs.map((m) => m.runs[d]);
    const cells = [
      stat(
        r.map((x) => x.ema.fid),
        1,
      ),
      stat(
        r.map((x) => x.raw.fid),
        1,
      ),
      stat(
        r.map((x) => x.ema.inceptionScore.mean),
        2,
      ),
      stat(
        r.map((x) => x.ema.precision),
        3,
      ),
      stat(
        r.map((x) => x.ema.recall),
        3,
      ),
      r.map((x) => x.ema.fid.toFixed(1)).join(', '),
    ];
    console.log(`| \`${d}\` | ${cells.join(' | ')} |`);
  }
}
console.log(`\nseconds per run (all divergences): ${runs.map((m) => m.seconds).join(', ')}`);
