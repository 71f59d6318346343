/**
 * The WebAssembly SIMD emitter of `DenseKernels.triStep` (`dense-kernels.ts`): one fused step of
 * Householder tridiagonalisation, the rank-2 update `S ← S − v wᵀ − w vᵀ` of the trailing lower
 * triangle and, in the same pass, `p = S u`, two rows at a time.
 *
 * @internal
 */
import { F64, FnWriter, I32, V128 } from './wasm-emit';

/** The body of the module's `triStep` export, with the signature of `DenseKernels.triStep` (`dense-kernels.ts`). @internal */
export function triStepFn(): FnWriter {
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
