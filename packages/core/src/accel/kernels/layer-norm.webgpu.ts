import * as tf from '@tensorflow/tfjs-core';
import { program, run } from '../webgpu';
import { LAYER_NORM, LAYER_NORM_GRAD, LAYER_NORM_PLAIN, type LayerNormAttrs, type LayerNormGradAttrs, type LayerNormGradInputs, type LayerNormInputs } from './layer-norm';

// LayerNorm over the last axis on webgpu: one WGSL dispatch forward (a thread per row; the reference is
// 9 kernels), four back (row statistics, dx by rows, dW and db by columns). PyTorch's formula: the
// biased variance, `(x − mean) · rsqrt(var + eps)`, as the reference computes it.

/** `[rows, d]` of an input `[..., D]`. */
function rowsOf(x: tf.TensorInfo): [number, number] {
  const d = x.shape[x.shape.length - 1];
  return [tf.util.sizeFromShape(x.shape) / d, d];
}

/** WGSL: the mean and rstd of row `row` of X (d wide), as `mean` and `rstd`. */
const ROW_STATS = `
    let start = row * uniforms.d;
    var total = 0.0;
    for (var j = 0; j < uniforms.d; j++) { total += X[start + j]; }
    let mean = total / f32(uniforms.d);
    var squares = 0.0;
    for (var j = 0; j < uniforms.d; j++) { let c = X[start + j] - mean; squares += c * c; }
    let rstd = inverseSqrt(squares / f32(uniforms.d) + uniforms.eps);`;

// x [..., D], weight? [D], bias? [D] → y [..., D]
const forward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, weight, bias } = inputs as unknown as LayerNormInputs;
  const { eps } = attrs as unknown as LayerNormAttrs;
  const [rows, d] = rowsOf(x);
  const affine = weight !== undefined && bias !== undefined;
  const scale = affine ? ' * W[j] + B[j]' : '';
  const body = `let row = index;${ROW_STATS}
    for (var j = 0; j < uniforms.d; j++) { setOutputAtIndex(start + j, (X[start + j] - mean) * rstd${scale}); }`;
  const p = program(affine ? 'layer_norm' : 'layer_norm_plain', affine ? ['X', 'W', 'B'] : ['X'], [...x.shape], rows, body, 'd : i32, eps : f32,');
  return run(backend, p, affine ? [x, weight, bias] : [x], rows, [{ type: 'int32', data: [d] }, { type: 'float32', data: [eps] }]);
};

// dy, x [..., D], weight? [D] → dx [..., D], dW? [D], db? [D]
const backward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, weight } = inputs as unknown as LayerNormGradInputs;
  const { eps, hasWeight, hasBias } = attrs as unknown as LayerNormGradAttrs;
  const [rows, d] = rowsOf(x);
  const uniforms = [{ type: 'int32' as const, data: [d] }, { type: 'float32' as const, data: [eps] }];
  const declared = 'd : i32, eps : f32,';
  // Row statistics [rows, 2] (mean, rstd), shared by the three gradients.
  const stats = run(backend, program('layer_norm_stats', ['X'], [rows, 2], rows, `let row = index;${ROW_STATS}
    setOutputAtIndex(2 * row, mean);
    setOutputAtIndex(2 * row + 1, rstd);`, declared), [x], rows, uniforms);
  // dx = rstd · (g − mean(g) − x̂ · mean(g · x̂)), g = dy · w
  const g = weight ? 'DY[start + j] * W[j]' : 'DY[start + j]';
  const dxBody = `
    let row = index;
    let start = row * uniforms.d;
    let mean = S[2 * row];
    let rstd = S[2 * row + 1];
    var sumG = 0.0;
    var sumGX = 0.0;
    for (var j = 0; j < uniforms.d; j++) { let g = ${g}; sumG += g; sumGX += g * (X[start + j] - mean) * rstd; }
    let meanG = sumG / f32(uniforms.d);
    let meanGX = sumGX / f32(uniforms.d);
    for (var j = 0; j < uniforms.d; j++) {
      let xhat = (X[start + j] - mean) * rstd;
      setOutputAtIndex(start + j, rstd * (${g} - meanG - xhat * meanGX));
    }`;
  const dxInputs = weight ? [dy, x, stats, weight] : [dy, x, stats];
  const dx = run(backend, program(weight ? 'layer_norm_dx' : 'layer_norm_dx_plain', weight ? ['DY', 'X', 'S', 'W'] : ['DY', 'X', 'S'], [...x.shape], rows, dxBody, declared), dxInputs, rows, uniforms);
  const outputs = [dx];
  // dW[j] = Σ_rows dy · x̂, db[j] = Σ_rows dy: a thread per column.
  const columns = [{ type: 'int32' as const, data: [rows] }, ...uniforms];
  const columnDeclared = `rows : i32, ${declared}`;
  if (hasWeight) {
    const body = `
      var total = 0.0;
      for (var r = 0; r < uniforms.rows; r++) { total += DY[r * uniforms.d + index] * (X[r * uniforms.d + index] - S[2 * r]) * S[2 * r + 1]; }
      setOutputAtIndex(index, total);`;
    outputs.push(run(backend, program('layer_norm_dw', ['DY', 'X', 'S'], [d], d, body, columnDeclared), [dy, x, stats], d, columns));
  }
  if (hasBias) {
    const body = `
      var total = 0.0;
      for (var r = 0; r < uniforms.rows; r++) { total += DY[r * uniforms.d + index]; }
      setOutputAtIndex(index, total);`;
    outputs.push(run(backend, program('layer_norm_db', ['DY'], [d], d, body, columnDeclared), [dy], d, columns));
  }
  (backend as { disposeData(dataId: object): void }).disposeData(stats.dataId);
  return outputs;
};

/** The WGSL kernels of LayerNorm, registered for the webgpu backend by `register-webgpu.ts`. */
export const layerNormWebGpuKernels: tf.KernelConfig[] = [
  { kernelName: LAYER_NORM, backendName: 'webgpu', kernelFunc: forward },
  { kernelName: LAYER_NORM_PLAIN, backendName: 'webgpu', kernelFunc: forward },
  { kernelName: LAYER_NORM_GRAD, backendName: 'webgpu', kernelFunc: backward },
];
