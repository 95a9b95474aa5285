import * as tf from '@tensorflow/tfjs-core';
import { ERF_WGSL, program, run } from '../webgpu';
import { GELU, GELU_GRAD, type GeluGradInputs, type GeluInputs } from './gelu';

// Exact GELU on webgpu, one WGSL dispatch each way (the reference is 5 kernels forward and more back),
// with tfjs's own erf so that both agree to float32 rounding.

// x [...] → y [...]
const forward: tf.KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as unknown as GeluInputs;
  const n = tf.util.sizeFromShape(x.shape);
  const p = program('gelu', ['X'], [...x.shape], n, 'let v = X[index]; setOutputAtIndex(index, 0.5 * v * (1.0 + vjepaErf(v * 0.70710678118654752)));', '', ERF_WGSL);
  return run(backend, p, [x], n);
};

// dy, x [...] → dx [...]: dy · (Φ(x) + x·φ(x))
const backward: tf.KernelFunc = ({ inputs, backend }) => {
  const { dy, x } = inputs as unknown as GeluGradInputs;
  const n = tf.util.sizeFromShape(x.shape);
  const body = `
    let v = X[index];
    let cdf = 0.5 * (1.0 + vjepaErf(v * 0.70710678118654752));
    let pdf = 0.39894228040143268 * exp(-0.5 * v * v);
    setOutputAtIndex(index, DY[index] * (cdf + v * pdf));`;
  return run(backend, program('gelu_grad', ['DY', 'X'], [...x.shape], n, body, '', ERF_WGSL), [dy, x], n);
};

/** The WGSL kernels of GELU, registered for the webgpu backend by `register-webgpu.ts`. */
export const geluWebGpuKernels: tf.KernelConfig[] = [
  { kernelName: GELU, backendName: 'webgpu', kernelFunc: forward },
  { kernelName: GELU_GRAD, backendName: 'webgpu', kernelFunc: backward },
];
