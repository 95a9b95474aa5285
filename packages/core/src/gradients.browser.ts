// Bundlers resolve tfjs-core to its ESM build, whose index registers kernels but no gradients; its
// register_all_gradients module (extension-less ESM imports, which bundlers accept) registers them all.
// The package index is evaluated first: it registers the environment flags that registering reads.
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';

/**
 * Browser build of `ensureGradients`: the gradients were registered when this module loaded, so there is
 * nothing left to do. Kept so that code calling it runs unchanged in both builds.
 */
export function ensureGradients(): void {}
