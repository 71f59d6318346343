// The page side of browser-frechet.mjs, bundled with @gankit/metrics's dist by esbuild. It
// records which kernels frechetDistance instantiated (WebAssembly SIMD, or the JS fallback when
// the engine or the page's Content-Security-Policy refuses to compile wasm) by watching
// WebAssembly.Module/Instance, and exposes `window.__frechet` for the driver.
import { frechetDistance } from '@gankit/metrics';
import { sharedEigenvectorCase } from './frechet-case.mjs';

const seen = { instances: [], compileErrors: [] };
if (typeof WebAssembly === 'object') {
  const Module = WebAssembly.Module;
  const Instance = WebAssembly.Instance;
  WebAssembly.Module = new Proxy(Module, {
    construct(target, args) {
      try {
        return Reflect.construct(target, args);
      } catch (e) {
        seen.compileErrors.push(`${e?.name}: ${e?.message}`);
        throw e;
      }
    },
  });
  WebAssembly.Instance = new Proxy(Instance, {
    construct(target, args) {
      const instance = Reflect.construct(target, args);
      seen.instances.push(Object.keys(instance.exports).sort().join(','));
      return instance;
    },
  });
}

let input;
window.__frechet = {
  /** Builds the d-dimensional bench case in the page; returns how long it took. */
  prepare(d) {
    const t = performance.now();
    input = sharedEigenvectorCase(d);
    return performance.now() - t;
  },
  /** One frechetDistance call on the prepared case: value, relative error, wall ms. */
  call() {
    const t = performance.now();
    const fid = frechetDistance(input.a, input.b);
    const ms = performance.now() - t;
    return { fid, exact: input.exact, relError: Math.abs(fid - input.exact) / input.exact, ms };
  },
  /** The reference fixtures (reference.json's `fid` cases): relative errors against scipy and eigh. */
  fixtures(cases) {
    return cases.map((c) => {
      const fid = frechetDistance({ mean: c.mu1, covariance: c.sigma1 }, { mean: c.mu2, covariance: c.sigma2 });
      const rel = (want) => Math.abs(fid - want) / Math.abs(want);
      return { name: c.name, d: c.d, fid, relScipy: rel(c.fidScipy), relEigh: rel(c.fidEigh) };
    });
  },
  /** Which kernels ran: 'wasm-simd' when the Fréchet kernels' module was instantiated, else 'js'. */
  path() {
    const simd = seen.instances.some((e) => e.split(',').includes('triStep'));
    return { path: simd ? 'wasm-simd' : 'js', instances: seen.instances, compileErrors: seen.compileErrors };
  },
};
