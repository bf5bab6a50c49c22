/**
 * Not a plugin: the module that browser bundles get for `@tensorflow/tfjs` (a `resolve.alias`
 * in vite.config.ts). It is the union package's own index (node_modules/@tensorflow/tfjs/
 * dist/index.js) without tfjs-layers and tfjs-data, which nothing in the app uses and which
 * registered hundreds of kB of classes in every bundle that imports TF.js, the first page
 * included. Node (tests, CLI) keeps the real package; `tfjsBrowser.test.ts` fails when code
 * starts using a name that only the real package exports.
 */
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import { version_core } from '@tensorflow/tfjs-core';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { version_webgl } from '@tensorflow/tfjs-backend-webgl';
import { version_converter } from '@tensorflow/tfjs-converter';

export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-converter';
// Importing the backends registers them (cpu, webgl), as the union package does.
export * from '@tensorflow/tfjs-backend-cpu';
export * from '@tensorflow/tfjs-backend-webgl';

export const version = {
  'tfjs-core': version_core,
  'tfjs-backend-cpu': version_cpu,
  'tfjs-backend-webgl': version_webgl,
  'tfjs-converter': version_converter,
};
