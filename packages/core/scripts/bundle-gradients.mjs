// Builds src/generated/tfjs-gradients.js: tfjs-core's own gradient definitions, bundled so that
// they load in Node (tfjs-core ships them only as ES modules inside a CommonJS package, which Node
// cannot import) and in browsers alike. Every import they make of tfjs-core internals is redirected
// to tfjs-core's public API, so the result holds no second copy of tfjs-core: only the gradient
// functions themselves and the few backprop ops that tfjs-core does not export.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core');
const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist');
const outDir = path.join(here, '..', 'src', 'generated');

// Internal op files that tfjs-core does not export but its gradients call: bundled as they are.
const bundledOps = new Set([
  'conv2d_backprop_filter',
  'conv2d_backprop_input',
  'avg_pool_grad',
  'max_pool_grad',
  'avg_pool_3d_grad',
  'max_pool_3d_grad',
  'depthwise_conv2d_native_backprop_filter',
  'depthwise_conv2d_native_backprop_input',
  'conv3d_backprop_filter',
  'conv3d_backprop_input',
  'local_response_normalization_backprop',
]);
const fromNamespace = (ns, keys) => `import { ${ns} as __ns } from '@tensorflow/tfjs-core';\nexport const { ${keys.join(', ')} } = __ns;\n`;
const backendUtilKeys = Object.keys(tf.backend_util).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k));
const shims = {
  engine: `import { engine } from '@tensorflow/tfjs-core';\nexport const ENGINE = engine();\n`,
  tensor_util_env:
    `import { Tensor, tensor } from '@tensorflow/tfjs-core';\n` +
    `export function convertToTensor(x, argName, functionName, dtype) {\n` +
    `  if (x instanceof Tensor) return x;\n` +
    `  if (x == null) throw new Error('Argument ' + argName + ' passed to ' + functionName + ' must be a Tensor');\n` +
    `  return tensor(x, undefined, dtype);\n}\n`,
  util: fromNamespace('util', Object.keys(tf.util)),
  slice_util: fromNamespace('slice_util', Object.keys(tf.slice_util)),
  broadcast_util: fromNamespace('backend_util', backendUtilKeys),
  axis_util: fromNamespace('backend_util', backendUtilKeys),
  conv_util: fromNamespace('backend_util', backendUtilKeys),
  selu_util: fromNamespace('backend_util', backendUtilKeys),
  kernel_registry: `export { registerGradient } from 'gankit:collector';\n`,
};

const redirect = {
  name: 'tfjs-core-public-api',
  setup(b) {
    b.onResolve({ filter: /^gankit:/ }, (a) => ({ path: a.path, namespace: 'gankit' }));
    b.onResolve({ filter: /^\./ }, (a) => {
      if (!a.importer.startsWith(dist)) return undefined;
      const abs = path.resolve(path.dirname(a.importer), a.path).replace(/\.js$/, '');
      const rel = path.relative(dist, abs);
      const base = path.basename(rel);
      if (rel.startsWith('gradients' + path.sep) || rel === 'register_all_gradients') return { path: abs + '.js' };
      if (rel.startsWith('ops' + path.sep) && bundledOps.has(base)) return { path: abs + '.js' };
      return { path: base, namespace: 'tfjs-core' };
    });
    b.onLoad({ filter: /.*/, namespace: 'tfjs-core' }, (a) => ({
      contents: shims[a.path] ?? `export * from '@tensorflow/tfjs-core';\n`,
      loader: 'js',
    }));
    b.onLoad({ filter: /.*/, namespace: 'gankit' }, (a) => {
      if (a.path === 'gankit:collector') {
        return {
          contents: 'export const collected = [];\nexport function registerGradient(config) { collected.push(config); }\n',
          loader: 'js',
        };
      }
      return {
        contents: `import ${JSON.stringify(path.join(dist, 'register_all_gradients.js'))};\nexport { collected as gradientConfigs } from 'gankit:collector';\n`,
        loader: 'js',
        resolveDir: dist,
      };
    });
  },
};

fs.mkdirSync(outDir, { recursive: true });
const result = await build({
  entryPoints: ['gankit:entry'],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2020',
  external: ['@tensorflow/tfjs-core'],
  plugins: [redirect],
  outfile: path.join(outDir, 'tfjs-gradients.js'),
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true,
});
fs.writeFileSync(
  path.join(outDir, 'tfjs-gradients.d.ts'),
  "import type { GradConfig } from '@tensorflow/tfjs-core';\n/** tfjs-core's gradient definitions, collected rather than registered. */\nexport declare const gradientConfigs: GradConfig[];\n",
);
const inputs = Object.keys(result.metafile.inputs).length;
const bytes = fs.statSync(path.join(outDir, 'tfjs-gradients.js')).size;
console.log(`bundled tfjs-core gradients: ${inputs} modules, ${(bytes / 1024).toFixed(0)} KiB`);
