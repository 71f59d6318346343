/**
 * The WebAssembly SIMD implementation of {@link DenseKernels}: the module is written at run time
 * by {@link assembleModule} from the emitters in `wasm-gemm.ts` and `wasm-tri-step.ts`, compiled
 * once, and instantiated over a growable memory.
 *
 * @internal
 */
import type { DenseKernels } from './dense-kernels';
import { assembleModule } from './wasm-emit';
import { gemmFn } from './wasm-gemm';
import { triStepFn } from './wasm-tri-step';

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

/** Kernels over a fresh WebAssembly memory of at least `elements` float64 values (throws if it cannot be allocated). @internal */
export function wasmKernels(mod: WebAssembly.Module, elements: number): DenseKernels {
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
