/**
 * The two inner loops that carry almost all the work of the Fréchet distance, each in two
 * implementations with the same meaning: WebAssembly with 128-bit SIMD (two float64 lanes),
 * written at run time by {@link assembleModule}, and plain JavaScript for engines without
 * WebAssembly SIMD. Both work on one `Float64Array` heap addressed by element offsets.
 *
 * - `gemmNT`: `C[i, j] += α Σ_p A[i, p] B[j, p]` (both operands row-major with contiguous `p`;
 *   dot-product form, 2 × 4 register tiles).
 * - `triStep`: one fused step of Householder tridiagonalisation: the rank-2 update
 *   `S ← S − v wᵀ − w vᵀ` of the trailing lower triangle and, in the same pass, `p = S u` for the
 *   next reflector `u`.
 *
 * @internal
 */
import { F64, FnWriter, I32, V128, assembleModule } from './wasm-emit';

/** The kernels over one heap. Offsets and strides are in elements. @internal */
export interface DenseKernels {
  /** `'wasm-simd'` or `'js'`. */
  readonly kind: 'wasm-simd' | 'js';
  /** The heap every offset points into. Re-read after {@link DenseKernels.ensure}. */
  heap: Float64Array;
  /** Makes the heap hold at least `elements` float64 values (its contents are kept). */
  ensure(elements: number): void;
  /** `C[i, j] += alpha · Σ_{p<k} A[i, p] · B[j, p]` for `i < m`, `j < n`. */
  gemmNT(m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, alpha: number): void;
  /**
   * For rows `i` in `[k2, n)` and columns `j` in `[k2, i]` of the row-major matrix at `a` (row
   * stride `ld`): `a[i, j] −= v[i] w[j] + w[i] v[j]`, then `p[j] += a[i, j] u[i]` and
   * `p[i] += a[i, j] u[j]` (`j < i`), `p[i] += a[i, i] u[i]`. Vectors are indexed like the
   * matrix rows; `p` must hold zeros on `[k2, n)`.
   */
  triStep(a: number, ld: number, k2: number, n: number, v: number, w: number, u: number, p: number): void;
}

// ---------------------------------------------------------------------------------------------
// WebAssembly

function gemmFn(): FnWriter {
  const f = new FnWriter([I32, I32, I32, I32, I32, I32, I32, I32, I32, F64]);
  const [m, n, k, a, lda, b, ldb, c, ldc, alpha] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  // Byte strides.
  for (const s of [lda, ldb, ldc]) f.get(s).i32(3).op('i32Shl').set(s);
  for (const s of [a, b, c]) f.get(s).i32(3).op('i32Shl').set(s);
  const i = f.local(I32);
  const j = f.local(I32);
  const kb = f.local(I32);
  const odd = f.local(I32);
  const end = f.local(I32);
  const cp = f.local(I32);
  const pa = [f.local(I32), f.local(I32)];
  const pb = [f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  const acc = Array.from({ length: 8 }, () => f.local(V128));
  const x = [f.local(V128), f.local(V128)];
  const y = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const s = f.local(F64);
  f.get(k).i32(-2).op('i32And').i32(3).op('i32Shl').set(kb);
  f.get(k).i32(1).op('i32And').set(odd);

  const step = (mr: number, nr: number, off: number) => {
    for (let r = 0; r < mr; r++) f.get(pa[r]).loadV(off).set(x[r]);
    for (let q = 0; q < nr; q++) f.get(pb[q]).loadV(off).set(y[q]);
    for (let r = 0; r < mr; r++) {
      for (let q = 0; q < nr; q++) {
        const t = acc[r * 4 + q];
        f.get(t).get(x[r]).get(y[q]).simd('f64x2Mul').simd('f64x2Add').set(t);
      }
    }
  };
  const advance = (mr: number, nr: number, bytes: number) => {
    for (let r = 0; r < mr; r++) f.inc(pa[r], bytes);
    for (let q = 0; q < nr; q++) f.inc(pb[q], bytes);
  };
  const tile = (mr: number, nr: number) => {
    for (let r = 0; r < mr; r++) {
      f.get(a).get(i);
      if (r) f.i32(r).op('i32Add');
      f.get(lda).op('i32Mul').op('i32Add').set(pa[r]);
    }
    for (let q = 0; q < nr; q++) {
      f.get(b).get(j);
      if (q) f.i32(q).op('i32Add');
      f.get(ldb).op('i32Mul').op('i32Add').set(pb[q]);
    }
    f.get(pa[0]).get(kb).op('i32Add').set(end);
    for (let r = 0; r < mr; r++)
      for (let q = 0; q < nr; q++)
        f.f64(0)
          .simd('f64x2Splat')
          .set(acc[r * 4 + q]);
    f.whileLoop(
      () => f.get(pa[0]).i32(32).op('i32Add').get(end).op('i32LeU'),
      () => {
        step(mr, nr, 0);
        step(mr, nr, 16);
        advance(mr, nr, 32);
      },
    );
    f.ifThen(
      () => f.get(pa[0]).get(end).op('i32LtU'),
      () => {
        step(mr, nr, 0);
        advance(mr, nr, 16);
      },
    );
    for (let r = 0; r < mr; r++) {
      // cp = c + (i + r) * ldc + j * 8
      f.get(c).get(i);
      if (r) f.i32(r).op('i32Add');
      f.get(ldc).op('i32Mul').op('i32Add').get(j).i32(3).op('i32Shl').op('i32Add').set(cp);
      for (let q = 0; q < nr; q++) {
        f.hsum(acc[r * 4 + q]).set(s);
        f.ifThen(
          () => f.get(odd),
          () => f.get(s).get(pa[r]).loadF64().get(pb[q]).loadF64().op('f64Mul').op('f64Add').set(s),
        );
        f.get(cp)
          .get(cp)
          .loadF64(q * 8)
          .get(alpha)
          .get(s)
          .op('f64Mul')
          .op('f64Add')
          .storeF64(q * 8);
      }
    }
  };
  const rows = (mr: number) => {
    f.i32(0).set(j);
    f.whileLoop(
      () => f.get(j).i32(4).op('i32Add').get(n).op('i32LeS'),
      () => {
        tile(mr, 4);
        f.inc(j, 4);
      },
    );
    f.whileLoop(
      () => f.get(j).get(n).op('i32LtS'),
      () => {
        tile(mr, 1);
        f.inc(j, 1);
      },
    );
  };
  f.i32(0).set(i);
  f.whileLoop(
    () => f.get(i).i32(2).op('i32Add').get(m).op('i32LeS'),
    () => {
      rows(2);
      f.inc(i, 2);
    },
  );
  f.ifThen(
    () => f.get(i).get(m).op('i32LtS'),
    () => rows(1),
  );
  return f;
}

function triStepFn(): FnWriter {
  const f = new FnWriter([I32, I32, I32, I32, I32, I32, I32, I32]);
  const [a, ld, k2, n, v, w, u, p] = [0, 1, 2, 3, 4, 5, 6, 7];
  for (const q of [a, ld, v, w, u, p]) f.get(q).i32(3).op('i32Shl').set(q);
  const i = f.local(I32);
  const j8 = f.local(I32);
  const jEnd = f.local(I32);
  const r0 = f.local(I32);
  const r1 = f.local(I32);
  const i8 = f.local(I32);
  const [vi0, wi0, ui0, vi1, wi1, ui1] = Array.from({ length: 6 }, () => f.local(F64));
  const [sv0, sw0, su0, sv1, sw1, su1] = Array.from({ length: 6 }, () => f.local(V128));
  const [acc0, acc1, vj, wj, uj, a0, a1] = Array.from({ length: 7 }, () => f.local(V128));
  const [s0, s1, x0, x1, aii, a10, a11] = Array.from({ length: 7 }, () => f.local(F64));
  const rowStart = () => f.get(a).get(i).get(ld).op('i32Mul').op('i32Add').tee(r0).get(ld).op('i32Add').set(r1);
  const scalars = (row: number, vi: number, wi: number, ui: number) => {
    f.get(v)
      .get(i8)
      .op('i32Add')
      .loadF64(row * 8)
      .set(vi);
    f.get(w)
      .get(i8)
      .op('i32Add')
      .loadF64(row * 8)
      .set(wi);
    f.get(u)
      .get(i8)
      .op('i32Add')
      .loadF64(row * 8)
      .set(ui);
  };
  // One scalar column j (byte offset j8) of one row: returns the updated a on local `out`.
  const scalarUpdate = (row: number, vi: number, wi: number, out: number) => {
    f.get(row).get(j8).op('i32Add');
    f.get(row).get(j8).op('i32Add').loadF64();
    f.get(vi).get(w).get(j8).op('i32Add').loadF64().op('f64Mul').op('f64Sub');
    f.get(wi).get(v).get(j8).op('i32Add').loadF64().op('f64Mul').op('f64Sub');
    f.tee(out).storeF64();
  };
  const addTo = (addr: () => void, value: () => void) => {
    addr();
    addr();
    f.loadF64();
    value();
    f.op('f64Add').storeF64();
  };

  f.get(k2).set(i);
  // Two rows at a time.
  f.whileLoop(
    () => f.get(i).i32(1).op('i32Add').get(n).op('i32LtS'),
    () => {
      rowStart();
      f.get(i).i32(3).op('i32Shl').set(i8);
      scalars(0, vi0, wi0, ui0);
      scalars(1, vi1, wi1, ui1);
      for (const [sc, vec] of [
        [vi0, sv0],
        [wi0, sw0],
        [ui0, su0],
        [vi1, sv1],
        [wi1, sw1],
        [ui1, su1],
      ]) {
        f.get(sc).simd('f64x2Splat').set(vec);
      }
      f.f64(0).simd('f64x2Splat').tee(acc0).set(acc1);
      f.get(k2).i32(3).op('i32Shl').set(j8);
      // jEnd = (k2 + ((i - k2) & ~1)) * 8
      f.get(i).get(k2).op('i32Sub').i32(-2).op('i32And').get(k2).op('i32Add').i32(3).op('i32Shl').set(jEnd);
      f.whileLoop(
        () => f.get(j8).get(jEnd).op('i32LtU'),
        () => {
          f.get(v).get(j8).op('i32Add').loadV().set(vj);
          f.get(w).get(j8).op('i32Add').loadV().set(wj);
          f.get(u).get(j8).op('i32Add').loadV().set(uj);
          for (const [row, out, svi, swi, acc] of [
            [r0, a0, sv0, sw0, acc0],
            [r1, a1, sv1, sw1, acc1],
          ]) {
            f.get(row).get(j8).op('i32Add');
            f.get(row).get(j8).op('i32Add').loadV();
            f.get(svi).get(wj).simd('f64x2Mul').simd('f64x2Sub');
            f.get(swi).get(vj).simd('f64x2Mul').simd('f64x2Sub');
            f.tee(out).storeV();
            f.get(acc).get(out).get(uj).simd('f64x2Mul').simd('f64x2Add').set(acc);
          }
          f.get(p).get(j8).op('i32Add');
          f.get(p).get(j8).op('i32Add').loadV();
          f.get(a0).get(su0).simd('f64x2Mul').simd('f64x2Add');
          f.get(a1).get(su1).simd('f64x2Mul').simd('f64x2Add');
          f.storeV();
          f.inc(j8, 16);
        },
      );
      f.hsum(acc0).set(s0);
      f.hsum(acc1).set(s1);
      // An odd leftover column j = i - 1.
      f.ifThen(
        () => f.get(j8).get(i8).op('i32LtU'),
        () => {
          scalarUpdate(r0, vi0, wi0, x0);
          scalarUpdate(r1, vi1, wi1, x1);
          f.get(s0).get(x0).get(u).get(j8).op('i32Add').loadF64().op('f64Mul').op('f64Add').set(s0);
          f.get(s1).get(x1).get(u).get(j8).op('i32Add').loadF64().op('f64Mul').op('f64Add').set(s1);
          addTo(
            () => f.get(p).get(j8).op('i32Add'),
            () => f.get(x0).get(ui0).op('f64Mul').get(x1).get(ui1).op('f64Mul').op('f64Add'),
          );
        },
      );
      // The 2 × 2 diagonal block: a[i][i], a[i+1][i], a[i+1][i+1].
      f.get(r0).get(i8).op('i32Add');
      f.get(r0).get(i8).op('i32Add').loadF64().f64(2).get(vi0).op('f64Mul').get(wi0).op('f64Mul').op('f64Sub');
      f.tee(aii).storeF64();
      f.get(r1).get(i8).op('i32Add');
      f.get(r1).get(i8).op('i32Add').loadF64();
      f.get(vi1).get(wi0).op('f64Mul').op('f64Sub').get(wi1).get(vi0).op('f64Mul').op('f64Sub');
      f.tee(a10).storeF64();
      f.get(r1).get(i8).op('i32Add');
      f.get(r1).get(i8).op('i32Add').loadF64(8).f64(2).get(vi1).op('f64Mul').get(wi1).op('f64Mul').op('f64Sub');
      f.tee(a11).storeF64(8);
      addTo(
        () => f.get(p).get(i8).op('i32Add'),
        () => f.get(s0).get(aii).get(ui0).op('f64Mul').op('f64Add').get(a10).get(ui1).op('f64Mul').op('f64Add'),
      );
      f.get(p).get(i8).op('i32Add');
      f.get(p).get(i8).op('i32Add').loadF64(8);
      f.get(s1).get(a10).get(ui0).op('f64Mul').op('f64Add').get(a11).get(ui1).op('f64Mul').op('f64Add');
      f.op('f64Add').storeF64(8);
      f.inc(i, 2);
    },
  );
  // A last single row, scalar.
  f.ifThen(
    () => f.get(i).get(n).op('i32LtS'),
    () => {
      rowStart();
      f.get(i).i32(3).op('i32Shl').set(i8);
      scalars(0, vi0, wi0, ui0);
      f.f64(0).set(s0);
      f.get(k2).i32(3).op('i32Shl').set(j8);
      f.whileLoop(
        () => f.get(j8).get(i8).op('i32LtU'),
        () => {
          scalarUpdate(r0, vi0, wi0, x0);
          f.get(s0).get(x0).get(u).get(j8).op('i32Add').loadF64().op('f64Mul').op('f64Add').set(s0);
          addTo(
            () => f.get(p).get(j8).op('i32Add'),
            () => f.get(x0).get(ui0).op('f64Mul'),
          );
          f.inc(j8, 8);
        },
      );
      f.get(r0).get(i8).op('i32Add');
      f.get(r0).get(i8).op('i32Add').loadF64().f64(2).get(vi0).op('f64Mul').get(wi0).op('f64Mul').op('f64Sub');
      f.tee(aii).storeF64();
      addTo(
        () => f.get(p).get(i8).op('i32Add'),
        () => f.get(s0).get(aii).get(ui0).op('f64Mul').op('f64Add'),
      );
    },
  );
  return f;
}

/** The bytes of the kernels' WebAssembly module. @internal */
export function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  return assembleModule({ gemmNT: gemmFn(), triStep: triStepFn() });
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or `null` where WebAssembly SIMD is unavailable. @internal */
export function wasmModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    compiled = null;
    try {
      if (typeof WebAssembly === 'object') {
        compiled = new WebAssembly.Module(kernelModuleBytes());
      }
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

const PAGE = 65536;

function wasmKernels(mod: WebAssembly.Module, elements: number): DenseKernels {
  const memory = new WebAssembly.Memory({ initial: Math.ceil((elements * 8) / PAGE) || 1 });
  const ex = new WebAssembly.Instance(mod, { env: { mem: memory } }).exports as unknown as {
    gemmNT: DenseKernels['gemmNT'];
    triStep: DenseKernels['triStep'];
  };
  const k: DenseKernels = {
    kind: 'wasm-simd',
    heap: new Float64Array(memory.buffer),
    ensure(n: number) {
      const need = Math.ceil((n * 8) / PAGE) - memory.buffer.byteLength / PAGE;
      if (need > 0) {
        memory.grow(need);
        k.heap = new Float64Array(memory.buffer);
      }
    },
    gemmNT: ex.gemmNT,
    triStep: ex.triStep,
  };
  return k;
}

// ---------------------------------------------------------------------------------------------
// JavaScript

function jsGemmNT(
  h: Float64Array,
  m: number,
  n: number,
  k: number,
  a: number,
  lda: number,
  b: number,
  ldb: number,
  c: number,
  ldc: number,
  alpha: number,
): void {
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const a0 = a + i * lda;
    const a1 = a0 + lda;
    const c0 = c + i * ldc;
    const c1 = c0 + ldc;
    let j = 0;
    for (; j + 1 < n; j += 2) {
      const b0 = b + j * ldb;
      const b1 = b0 + ldb;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let q = 0; q < k; q++) {
        const x0 = h[a0 + q];
        const x1 = h[a1 + q];
        const y0 = h[b0 + q];
        const y1 = h[b1 + q];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      h[c0 + j] += alpha * s00;
      h[c0 + j + 1] += alpha * s01;
      h[c1 + j] += alpha * s10;
      h[c1 + j + 1] += alpha * s11;
    }
    if (j < n) {
      const b0 = b + j * ldb;
      let s0 = 0;
      let s1 = 0;
      for (let q = 0; q < k; q++) {
        const y = h[b0 + q];
        s0 += h[a0 + q] * y;
        s1 += h[a1 + q] * y;
      }
      h[c0 + j] += alpha * s0;
      h[c1 + j] += alpha * s1;
    }
  }
  if (i < m) {
    const a0 = a + i * lda;
    const c0 = c + i * ldc;
    for (let j = 0; j < n; j++) {
      const b0 = b + j * ldb;
      let s = 0;
      for (let q = 0; q < k; q++) s += h[a0 + q] * h[b0 + q];
      h[c0 + j] += alpha * s;
    }
  }
}

function jsTriStep(h: Float64Array, a: number, ld: number, k2: number, n: number, v: number, w: number, u: number, p: number): void {
  let i = k2;
  for (; i + 1 < n; i += 2) {
    const r0 = a + i * ld;
    const r1 = r0 + ld;
    const vi0 = h[v + i];
    const wi0 = h[w + i];
    const ui0 = h[u + i];
    const vi1 = h[v + i + 1];
    const wi1 = h[w + i + 1];
    const ui1 = h[u + i + 1];
    let s0 = 0;
    let s1 = 0;
    for (let j = k2; j < i; j++) {
      const vj = h[v + j];
      const wj = h[w + j];
      const uj = h[u + j];
      const a0 = h[r0 + j] - vi0 * wj - wi0 * vj;
      const a1 = h[r1 + j] - vi1 * wj - wi1 * vj;
      h[r0 + j] = a0;
      h[r1 + j] = a1;
      s0 += a0 * uj;
      s1 += a1 * uj;
      h[p + j] += a0 * ui0 + a1 * ui1;
    }
    const aii = h[r0 + i] - 2 * vi0 * wi0;
    const a10 = h[r1 + i] - vi1 * wi0 - wi1 * vi0;
    const a11 = h[r1 + i + 1] - 2 * vi1 * wi1;
    h[r0 + i] = aii;
    h[r1 + i] = a10;
    h[r1 + i + 1] = a11;
    h[p + i] += s0 + aii * ui0 + a10 * ui1;
    h[p + i + 1] += s1 + a10 * ui0 + a11 * ui1;
  }
  if (i < n) {
    const r0 = a + i * ld;
    const vi = h[v + i];
    const wi = h[w + i];
    const ui = h[u + i];
    let s = 0;
    for (let j = k2; j < i; j++) {
      const aij = h[r0 + j] - vi * h[w + j] - wi * h[v + j];
      h[r0 + j] = aij;
      s += aij * h[u + j];
      h[p + j] += aij * ui;
    }
    const aii = h[r0 + i] - 2 * vi * wi;
    h[r0 + i] = aii;
    h[p + i] += s + aii * ui;
  }
}

function jsKernels(elements: number): DenseKernels {
  const k: DenseKernels = {
    kind: 'js',
    heap: new Float64Array(elements),
    ensure(n: number) {
      if (n > k.heap.length) {
        const h = new Float64Array(n);
        h.set(k.heap);
        k.heap = h;
      }
    },
    gemmNT: (m, n, kk, a, lda, b, ldb, c, ldc, alpha) => jsGemmNT(k.heap, m, n, kk, a, lda, b, ldb, c, ldc, alpha),
    triStep: (a, ld, k2, n, v, w, u, p) => jsTriStep(k.heap, a, ld, k2, n, v, w, u, p),
  };
  return k;
}

/**
 * Kernels over a fresh heap of `elements` float64 values: WebAssembly SIMD where the engine
 * runs it (and `prefer` is not `'js'`), else JavaScript.
 * @internal
 */
export function denseKernels(elements: number, prefer: 'auto' | 'js' = 'auto'): DenseKernels {
  const mod = prefer === 'js' ? null : wasmModule();
  if (mod) {
    try {
      return wasmKernels(mod, elements);
    } catch {
      // A memory too large for 32-bit addressing: fall through to typed arrays.
    }
  }
  return jsKernels(elements);
}

let shared: DenseKernels | undefined;

/**
 * Kernels over a heap of at least `elements` values that is kept for the next call (the first
 * touch of fresh memory costs about as much as a tenth of the arithmetic at d = 2048), grown as
 * needed; WebAssembly SIMD where possible. Its contents are scratch.
 * @internal
 */
export function workspace(elements: number): DenseKernels {
  if (shared && shared.heap.length < elements) {
    try {
      shared.ensure(elements);
    } catch {
      shared = undefined; // a WebAssembly memory past its limit: start over below
    }
  }
  if (!shared || shared.heap.length < elements) shared = denseKernels(elements);
  return shared;
}
