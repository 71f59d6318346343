// Helpers shared by the tests (not exported from the package).

/** A deterministic uniform generator in [0, 1) (mulberry32). */
export function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A deterministic standard-normal generator (Box-Muller). */
export function normal(seed: number): () => number {
  const u = uniform(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** A random orthogonal n × n matrix (row-major) as a product of n Householder reflections. */
export function randomOrthogonal(n: number, seed: number): Float64Array {
  const z = normal(seed);
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const v = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let nv = 0;
    for (let i = 0; i < n; i++) {
      v[i] = z();
      nv += v[i] * v[i];
    }
    // q <- q (I - 2 v v^T / |v|^2)
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += q[i * n + j] * v[j];
      const f = (2 * s) / nv;
      for (let j = 0; j < n; j++) q[i * n + j] -= f * v[j];
    }
  }
  return q;
}

/** Q diag(lambda) Q^T, row-major. */
export function withEigenvalues(q: Float64Array, lambda: ArrayLike<number>): Float64Array {
  const n = lambda.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k] * lambda[k] * q[j * n + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** Relative difference |a - b| / max(|b|, tiny). */
export function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

/** An NHWC image batch in float64 for the plain-JS reference layers below. */
export interface RefImage {
  data: Float64Array;
  n: number;
  h: number;
  w: number;
  c: number;
}

/** Reads a tensor [n, h, w, c] into a {@link RefImage}. */
export function refImage(data: ArrayLike<number>, shape: readonly number[]): RefImage {
  const [n, h, w, c] = shape;
  return { data: Float64Array.from(data), n, h, w, c };
}

/** TensorFlow's output size and leading padding for one axis. */
function padding(size: number, k: number, s: number, pad: 'same' | 'valid'): [number, number] {
  if (pad === 'valid') return [Math.floor((size - k) / s) + 1, 0];
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return [out, Math.floor(total / 2)];
}

/** Plain-loop conv2d (NHWC, filter [kh, kw, in, out]) + bias, with TF padding rules. */
export function conv2dRef(
  x: RefImage,
  filter: ArrayLike<number>,
  fshape: readonly number[],
  bias: ArrayLike<number> | null,
  stride: number,
  pad: 'same' | 'valid',
): RefImage {
  const [kh, kw, ci, co] = fshape;
  if (ci !== x.c) throw new Error(`conv2dRef: filter has ${ci} input channels, image ${x.c}`);
  const [oh, pt] = padding(x.h, kh, stride, pad);
  const [ow, pl] = padding(x.w, kw, stride, pad);
  const out = new Float64Array(x.n * oh * ow * co);
  for (let b = 0; b < x.n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < co; o++) {
          let s = bias ? bias[o] : 0;
          for (let di = 0; di < kh; di++) {
            const y = i * stride + di - pt;
            if (y < 0 || y >= x.h) continue;
            for (let dj = 0; dj < kw; dj++) {
              const xx = j * stride + dj - pl;
              if (xx < 0 || xx >= x.w) continue;
              for (let c = 0; c < ci; c++) s += x.data[((b * x.h + y) * x.w + xx) * x.c + c] * filter[((di * kw + dj) * ci + c) * co + o];
            }
          }
          out[((b * oh + i) * ow + j) * co + o] = s;
        }
  return { data: out, n: x.n, h: oh, w: ow, c: co };
}

/** Plain-loop pooling; 'avg' divides by the number of in-bounds pixels (padding excluded). */
export function poolRef(x: RefImage, kind: 'max' | 'avg', k: number, stride: number, pad: 'same' | 'valid'): RefImage {
  const [oh, pt] = padding(x.h, k, stride, pad);
  const [ow, pl] = padding(x.w, k, stride, pad);
  const out = new Float64Array(x.n * oh * ow * x.c);
  for (let b = 0; b < x.n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let c = 0; c < x.c; c++) {
          let acc = kind === 'max' ? -Infinity : 0;
          let cnt = 0;
          for (let di = 0; di < k; di++)
            for (let dj = 0; dj < k; dj++) {
              const y = i * stride + di - pt;
              const xx = j * stride + dj - pl;
              if (y < 0 || y >= x.h || xx < 0 || xx >= x.w) continue;
              const v = x.data[((b * x.h + y) * x.w + xx) * x.c + c];
              acc = kind === 'max' ? Math.max(acc, v) : acc + v;
              cnt++;
            }
          out[((b * oh + i) * ow + j) * x.c + c] = kind === 'max' ? acc : acc / cnt;
        }
  return { data: out, n: x.n, h: oh, w: ow, c: x.c };
}

/** Element-wise ReLU. */
export function reluRef(x: RefImage): RefImage {
  return { ...x, data: x.data.map((v) => Math.max(v, 0)) };
}

/** Concatenation along channels. */
export function concatRef(parts: RefImage[]): RefImage {
  const { n, h, w } = parts[0];
  const c = parts.reduce((a, p) => a + p.c, 0);
  const out = new Float64Array(n * h * w * c);
  for (let p = 0; p < n * h * w; p++) {
    let off = 0;
    for (const part of parts) {
      for (let k = 0; k < part.c; k++) out[p * c + off + k] = part.data[p * part.c + k];
      off += part.c;
    }
  }
  return { data: out, n, h, w, c };
}

/** `x · W + b` for rows x [n, k] and W [k, m]. */
export function denseRef(x: ArrayLike<number>, n: number, w: ArrayLike<number>, k: number, m: number, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let s = b[j];
      for (let t = 0; t < k; t++) s += x[i * k + t] * w[t * m + j];
      out[i * m + j] = s;
    }
  return out;
}

/** Largest absolute difference between two arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
