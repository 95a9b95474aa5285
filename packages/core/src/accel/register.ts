import * as tf from '@tensorflow/tfjs-core';
import type { KernelOverride } from './wasm-heap';
import { adamwKernels } from './kernels/adamw';
import { attentionGradients, attentionKernels } from './kernels/attention';
import { batchMatMulOverride } from './kernels/batch-matmul';
import { gatherRowsOverride } from './kernels/gather-rows';
import { geluGradients, geluKernels } from './kernels/gelu';
import { layerNormGradients, layerNormKernels } from './kernels/layer-norm';
import { linearGradients, linearKernels } from './kernels/linear';
import { movingAverageKernels } from './kernels/moving-average';
import { rotatePairsGradients, rotatePairsKernels } from './kernels/pair-rotation';
import { selfAttentionGradients, selfAttentionKernels } from './kernels/self-attention';

/**
 * The one place where the native kernels reach tfjs's registries (the tfjs habit: one file registers,
 * the kernel files only declare). Nothing registers on import — `selectBackend` calls
 * {@link registerNativeKernels} once the addon has loaded — so the package stays free of side effects.
 * `sum-of-squares.ts` has no entry: it reads the heap directly and is not a tfjs kernel.
 */
const KERNELS: readonly tf.KernelConfig[] = [...linearKernels, ...layerNormKernels, ...geluKernels, ...selfAttentionKernels, ...attentionKernels, ...adamwKernels, ...movingAverageKernels, ...rotatePairsKernels];
const GRADIENTS: readonly tf.GradConfig[] = [...linearGradients, ...layerNormGradients, ...geluGradients, ...selfAttentionGradients, ...attentionGradients, ...rotatePairsGradients];
const OVERRIDES: readonly KernelOverride[] = [batchMatMulOverride, gatherRowsOverride];

let registered = false;

/** Registers the fused kernels on the wasm backend, their gradients and the replacements of tfjs's own kernels, once. */
export function registerNativeKernels(): void {
  if (registered) return;
  for (const config of KERNELS) tf.registerKernel(config);
  for (const config of GRADIENTS) tf.registerGradient(config);
  for (const override of OVERRIDES) replaceKernel(override);
  registered = true;
}

/** Swaps tfjs's wasm kernel for the override, which keeps the original as its fallback. */
function replaceKernel({ kernelName, wrap }: KernelOverride): void {
  const original = tf.getKernel(kernelName, 'wasm');
  if (original === undefined) return;
  const kernelFunc = wrap(original.kernelFunc as unknown as Parameters<KernelOverride['wrap']>[0]);
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}
