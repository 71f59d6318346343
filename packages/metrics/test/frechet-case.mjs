// The d = 2048 input of `npm run bench`'s frechet-distance line (bench/frechet.mjs imports it), as a
// function that runs in Node and in a page: two dense covariances with shared eigenvectors
// (Σᵢ = Q Dᵢ Qᵀ, Q a product of 16 random Householder reflections), so the exact value is
// ‖μ₁ − μ₂‖² + Σ (√d₁ − √d₂)² while the solver sees two dense, non-diagonal matrices.

/** `{ a, b, exact }`: two `{ mean, covariance }` (row-major Float64Array) and their Fréchet distance. */
export function sharedEigenvectorCase(d = 2048) {
  let seed = 12345;
  function uniform() {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());

  // Householder vectors of Q, then S = Q diag(lambda) Qᵀ by two-sided reflections (O(d²) each).
  const reflections = Array.from({ length: 16 }, () => Float64Array.from({ length: d }, normal));
  function covariance(lambda) {
    const s = new Float64Array(d * d);
    for (let i = 0; i < d; i++) s[i * d + i] = lambda[i];
    const p = new Float64Array(d);
    for (const v of reflections) {
      let vv = 0;
      for (let i = 0; i < d; i++) vv += v[i] * v[i];
      const beta = 2 / vv;
      let vp = 0;
      for (let i = 0; i < d; i++) {
        let t = 0;
        for (let j = 0; j < d; j++) t += s[i * d + j] * v[j];
        p[i] = beta * t;
        vp += v[i] * p[i];
      }
      const k = 0.5 * beta * vp;
      for (let i = 0; i < d; i++) p[i] -= k * v[i]; // w
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s[i * d + j] -= v[i] * p[j] + p[i] * v[j];
    }
    return s;
  }

  // Decaying spectra like those of pool features; the second one differs.
  const d1 = Array.from({ length: d }, (_, i) => Math.exp(-i / 300) + 0.01 * uniform());
  const d2 = Array.from({ length: d }, (_, i) => 1.3 * Math.exp(-i / 250) + 0.01 * uniform());
  const mu1 = Float64Array.from({ length: d }, normal);
  const mu2 = Float64Array.from({ length: d }, () => 0.2 * normal());
  let exact = 0;
  for (let i = 0; i < d; i++) exact += (mu1[i] - mu2[i]) ** 2 + (Math.sqrt(d1[i]) - Math.sqrt(d2[i])) ** 2;
  return { a: { mean: mu1, covariance: covariance(d1) }, b: { mean: mu2, covariance: covariance(d2) }, exact };
}
