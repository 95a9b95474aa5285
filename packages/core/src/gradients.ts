import { createRequire } from 'node:module';

let registered = false;

/**
 * Registers tfjs gradient functions, once. This is the only place in the project that does it.
 *
 * tfjs-core's Node entry (a CJS bundle) registers kernels but no gradients, and its ESM
 * `register_all_gradients` cannot be loaded by Node's ESM loader. The Node bundle of
 * `@tensorflow/tfjs-layers` registers every gradient config of tfjs-core on the shared engine, so
 * loading it is the one working way that needs no loader hooks. Idempotent and cheap after the
 * first call; `selectBackend()` and every model constructor call it.
 */
export function ensureGradients(): void {
  if (registered) return;
  const require = createRequire(import.meta.url);
  require('@tensorflow/tfjs-layers');
  registered = true;
}
