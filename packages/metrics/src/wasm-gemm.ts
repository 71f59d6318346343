/**
 * The WebAssembly SIMD emitter of `DenseKernels.gemmNT` (`dense-kernels.ts`):
 * `C[i, j] += α Σ_p A[i, p] B[j, p]` in dot-product form, 2 × 4 register tiles of two-lane float64
 * accumulators.
 *
 * @internal
 */
import { F64, FnWriter, I32, V128 } from './wasm-emit';

/** The body of the module's `gemmNT` export, with the signature of `DenseKernels.gemmNT` (`dense-kernels.ts`). @internal */
export function gemmFn(): FnWriter {
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
