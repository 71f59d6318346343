/**
 * The two inner loops that carry almost all the work of the Fréchet distance, each in two
 * implementations with the same meaning: WebAssembly with 128-bit SIMD (two float64 lanes),
 * written at run time (`dense-kernels-wasm.ts`), and plain JavaScript for engines without
 * WebAssembly SIMD (`dense-kernels-js.ts`). Both work on one `Float64Array` heap addressed by
 * element offsets. This file holds their contract and picks one.
 *
 * - `gemmNT`: `C[i, j] += α Σ_p A[i, p] B[j, p]` (both operands row-major with contiguous `p`;
 *   dot-product form, 2 × 4 register tiles).
 * - `triStep`: one fused step of Householder tridiagonalisation: the rank-2 update
 *   `S ← S − v wᵀ − w vᵀ` of the trailing lower triangle and, in the same pass, `p = S u` for the
 *   next reflector `u`.
 *
 * @internal
 */
import { jsKernels } from './dense-kernels-js';
import { wasmKernels, wasmModule } from './dense-kernels-wasm';

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
