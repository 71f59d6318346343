import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Vite copies the binaries into the build and gives their URLs: no CDN, no manual copying.
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** What the user (or `?backend=`) asked for. */
export type BackendChoice = 'auto' | 'webgl' | 'wasm';

/** The backend in use and why it was chosen. */
export interface BackendInfo {
  /** tfjs backend name: `webgl` or `wasm`. */
  readonly name: string;
  /** One line for the page header. */
  readonly reason: string;
  /** WebGL renderer string, when WebGL exists at all. */
  readonly renderer?: string | undefined;
}

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlainUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

/** Renderer of a throw-away WebGL context, or undefined when the browser offers no WebGL. */
function webglRenderer(): string | undefined {
  try {
    const canvas = document.createElement('canvas');
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) return undefined;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return renderer;
  } catch {
    return undefined;
  }
}

/** Software rasterisers: WebGL works there, but far slower than wasm for these small networks. */
const SOFTWARE_GL = /swiftshader|llvmpipe|softpipe|software|basic render/i;

async function trySet(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/**
 * Picks and initialises the backend. `auto`: WebGL on a hardware GPU, else wasm (also when
 * WebGL is only software-rendered, e.g. SwiftShader in headless browsers). An explicit choice is
 * honoured when it initialises; otherwise wasm.
 */
export async function initBackend(choice: BackendChoice): Promise<BackendInfo> {
  const renderer = webglRenderer();
  let want: string;
  let reason: string;
  if (choice !== 'auto') {
    want = choice;
    reason = 'chosen';
  } else if (renderer === undefined) {
    want = 'wasm';
    reason = 'no WebGL in this browser';
  } else if (SOFTWARE_GL.test(renderer)) {
    want = 'wasm';
    reason = `WebGL is software-rendered (${renderer.slice(0, 40)})`;
  } else {
    want = 'webgl';
    reason = 'GPU';
  }
  if (await trySet(want)) return { name: tf.getBackend(), reason, renderer };
  const fallback = want === 'wasm' ? 'webgl' : 'wasm';
  if (await trySet(fallback)) return { name: tf.getBackend(), reason: `${want} failed to start`, renderer };
  throw new Error(`neither ${want} nor ${fallback} could be initialised`);
}
