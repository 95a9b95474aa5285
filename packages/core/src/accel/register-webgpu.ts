import * as tf from '@tensorflow/tfjs-core';
import { setWebGpuUtil, type WebGpuUtil } from './webgpu';
import { adamwWebGpuKernels } from './kernels/adamw.webgpu';
import { attentionGradients } from './kernels/attention';
import { attentionWebGpuKernels } from './kernels/attention.webgpu';
import { geluGradients } from './kernels/gelu';
import { geluWebGpuKernels } from './kernels/gelu.webgpu';
import { layerNormGradients } from './kernels/layer-norm';
import { layerNormWebGpuKernels } from './kernels/layer-norm.webgpu';
import { selfAttentionGradients } from './kernels/self-attention';

/**
 * The one place where our WGSL kernels reach tfjs's registries, for the webgpu backend only (the wasm
 * kernels have `register.ts`). `selectBackend` calls it once webgpu is registered, handing over
 * tfjs-backend-webgpu's dispatch helpers; the gradients are the fused ops' own (the same configs the
 * native kernels register). Registering twice is harmless.
 */
export function registerWebGpuKernels(util: WebGpuUtil): void {
  setWebGpuUtil(util);
  for (const config of [...geluWebGpuKernels, ...layerNormWebGpuKernels, ...attentionWebGpuKernels, ...adamwWebGpuKernels]) {
    if (tf.getKernel(config.kernelName, 'webgpu') === undefined) tf.registerKernel(config);
  }
  for (const config of [...geluGradients, ...layerNormGradients, ...selfAttentionGradients, ...attentionGradients]) tf.registerGradient(config);
}
