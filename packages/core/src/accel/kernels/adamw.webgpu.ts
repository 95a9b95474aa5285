import * as tf from '@tensorflow/tfjs-core';
import { program, run } from '../webgpu';
import { ADAMW, type AdamWAttrs, type AdamWInputs } from './adamw';

// The AdamW update on webgpu: three WGSL dispatches (the new moments, then the parameter from them;
// tfjs runs one program per output), against about a dozen kernels of the reference. Every operation
// in float32, in the reference's (PyTorch's) order.

const DECLARED = 'decayFactor : f32, beta1 : f32, beta2 : f32, sqrtBias2 : f32, eps : f32, negStepSize : f32, gradScale : f32,';

// param, m, v, grad (same shape) → param', m', v'
const adamwKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { param, m, v, grad } = inputs as unknown as AdamWInputs;
  const a = attrs as unknown as AdamWAttrs;
  const n = tf.util.sizeFromShape(param.shape);
  const shape = [...param.shape];
  const scalars = [a.decayFactor, a.beta1, a.beta2, a.sqrtBias2, a.eps, a.negStepSize, a.gradScale].map((value) => ({ type: 'float32' as const, data: [value] }));
  const gradient = 'let g = G[index] * uniforms.gradScale;';
  const m1 = run(backend, program('adamw_m', ['M', 'G'], shape, n, `${gradient}
    setOutputAtIndex(index, M[index] * uniforms.beta1 + g * (1.0 - uniforms.beta1));`, DECLARED), [m, grad], n, scalars);
  const v1 = run(backend, program('adamw_v', ['V', 'G'], shape, n, `${gradient}
    setOutputAtIndex(index, V[index] * uniforms.beta2 + (g * (1.0 - uniforms.beta2)) * g);`, DECLARED), [v, grad], n, scalars);
  const p1 = run(backend, program('adamw_p', ['P', 'M1', 'V1'], shape, n, `
    let denom = sqrt(V1[index]) / uniforms.sqrtBias2 + uniforms.eps;
    setOutputAtIndex(index, P[index] * uniforms.decayFactor + (M1[index] / denom) * uniforms.negStepSize);`, DECLARED), [param, m1, v1], n, scalars);
  return [p1, m1, v1];
};

/** The WGSL kernel of the AdamW update, registered for the webgpu backend by `register-webgpu.ts`. */
export const adamwWebGpuKernels: tf.KernelConfig[] = [{ kernelName: ADAMW, backendName: 'webgpu', kernelFunc: adamwKernel }];
