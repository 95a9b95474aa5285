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
export { batchMatMul, linear, matMulFast } from './ops/matmul';
export { gatherRows, gatherTokens, indexTensor } from './ops/gather';
export { Module, type LoadOptions } from './nn/module';
export { StateDictError, type LoadReport } from './nn/state-dict-error';
export { Linear, type LinearOptions } from './nn/linear';
export { LayerNorm, layerNorm } from './nn/layer-norm';
export { Mlp, gelu } from './nn/mlp';
export { Attention, CrossAttention, multiHeadAttention } from './nn/attention';
export { Block, type BlockOptions } from './nn/block';
export { fillTruncNormal, initLinearTorchDefault, initTransformerWeights, rescaleBlocks, rescaleLayer, type InitOptions } from './nn/init';
export { ParameterList } from './nn/parameter-list';
export { selectGroup, stripKeyPrefixes } from './state-dict';
export { toChannelsFirst, toChannelsLast } from './video';
export { stopGradient } from './ops/stop-gradient';
export { acceleratorInfo, useNativeKernels, activeNativeKernels } from './accel/native';
export { selfAttention, selfAttentionReference } from './nn/attention';
export { layerNormReference } from './nn/layer-norm';
export { geluReference } from './nn/mlp';
export { adamwUpdate, adamwUpdateReference, movingAverage, movingAverageReference, sumOfSquares, type AdamWUpdate } from './ops/updates';
export { leadingEigen, symmetricEigen, type LeadingEigenOptions, type SymmetricEigen } from './eigen';
