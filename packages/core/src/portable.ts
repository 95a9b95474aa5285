/**
 * The exports of `@vjepa/core` that run anywhere: both entries (`index.ts` for Node, `browser.ts` for
 * the `browser` export condition) re-export this file and add only what is theirs.
 *
 * @packageDocumentation
 */
export * from './types';
export * from '@vjepa/base';
export * from './random';
export { ensureGradients } from '#gradients';
export { takeWebGpuErrors, type WebGpuAdapter } from './backend-webgpu';
export { watchGpuResidency, type GpuResidency } from './backend-webgpu-residency';
export { batchMatMul, matMulFast } from './ops/matmul';
export { gatherTokens, indexTensor } from './ops/gather';
export { Module, type LoadOptions } from './nn/module';
export { StateDictError, type LoadReport } from './nn/state-dict-error';
export { Linear, type LinearOptions } from './nn/linear';
export { LayerNorm } from './nn/layer-norm';
export { Mlp } from './nn/mlp';
export { Attention, CrossAttention, type AttentionOptions, type CrossAttentionOptions, type QkvTransform } from './nn/attention';
export { multiHeadAttention, multiHeadAttentionReference } from './ops/multi-head-attention';
export { MAX_ATTENTION_SCORES, attentionBlocks, blockwiseAttention, type AttentionBlockOptions } from './accel/kernels/attention-blockwise';
export { WEBGPU_ATTENTION_MAX_HEAD_DIM } from './accel/kernels/attention';
export { maxAbsError } from './max-abs-error';
export { downloadForSyncReads, readAll, readNow, readsAsync, type Reads } from './reads';
export { Block, type BlockOptions } from './nn/block';
export {
  fillTruncNormal,
  initLinearTorchDefault,
  initModelWeights,
  initTransformerWeights,
  rescaleBlocks,
  rescaleLayer,
  type InitOptions,
  type ModelInitOptions,
} from './nn/init';
export { ParameterList } from './nn/parameter-list';
export { selectGroup, stripKeyPrefixes } from './state-dict';
export { toChannelsFirst, toChannelsLast } from './video';
export { stopGradient } from './ops/stop-gradient';
export { residualAdd } from './ops/residual-add';
export { acceleratorInfo, useNativeKernels, activeNativeKernels } from './accel/native';
export { useWebGpuKernels } from './accel/webgpu';
export { nativeOrReference } from './accel/dispatch';
export { linear, linearReference } from './accel/kernels/linear';
export { layerNorm, layerNormReference } from './accel/kernels/layer-norm';
export { gelu, geluReference } from './accel/kernels/gelu';
export { rotatePairs, rotatePairsReference } from './accel/kernels/pair-rotation';
export { selfAttention, selfAttentionReference } from './accel/kernels/self-attention';
export { gemmKernel, measureGemm, type GemmKernel, type GemmMeasurement } from './accel/kernels/gemm-probe';
export { gatherRows } from './accel/kernels/gather-rows';
export { adamwUpdate, adamwUpdateReference, type AdamWUpdate } from './accel/kernels/adamw';
export { movingAverage, movingAverageReference } from './accel/kernels/moving-average';
export { sumOfSquares, sumOfSquaresReference } from './accel/kernels/sum-of-squares';
export { leadingEigen, symmetricEigen, type LeadingEigenOptions, type SymmetricEigen } from './eigen';
