import * as tf from '@tensorflow/tfjs-core';
import { Block, LayerNorm, Linear, ParameterList, fail, type Module } from '@vjepa/core';

/** The sizes both predictors' trunks are built from. */
export interface PredictorTrunkConfig {
  encoderDim: number;
  outputDim: number;
  dim: number;
  depth: number;
  heads: number;
  mlpRatio: number;
  qkvBias: boolean;
  normEps: number;
  numMaskTokens: number;
}

/** The layers of a predictor trunk. */
export interface PredictorTrunk {
  embed: Linear;
  maskTokens: ParameterList;
  blocks: Block[];
  norm: LayerNorm;
  proj: Linear;
}

/**
 * What the V-JEPA 1 and 2 predictors share: `predictor_embed`, `mask_tokens.{i}` (zeros `[1, 1, P]`),
 * `predictor_blocks.{i}`, `predictor_norm`, `predictor_proj`, registered in that order through `add`.
 */
export function predictorTrunk(c: PredictorTrunkConfig, add: <M extends Module>(name: string, module: M) => M): PredictorTrunk {
  const embed = add('predictor_embed', new Linear(c.encoderDim, c.dim));
  const maskTokens = add('mask_tokens', new ParameterList(Array.from({ length: c.numMaskTokens }, () => tf.zeros([1, 1, c.dim]))));
  const blocks = Array.from({ length: c.depth }, (_, i) =>
    add(`predictor_blocks.${i}`, new Block(c.dim, c.heads, { mlpRatio: c.mlpRatio, qkvBias: c.qkvBias, normEps: c.normEps })),
  );
  const norm = add('predictor_norm', new LayerNorm(c.dim, c.normEps));
  const proj = add('predictor_proj', new Linear(c.dim, c.outputDim));
  return { embed, maskTokens, blocks, norm, proj };
}

/** Throws unless `context` is `[B, K, encoderDim]` and `maskIndex` a non-negative integer. */
export function checkPredictorInputs(context: tf.Tensor, encoderDim: number, maskIndex: number): void {
  if (context.rank !== 3 || context.shape[2] !== encoderDim) {
    fail('context', `a [B, K, ${encoderDim}] tensor of encoder features`, context.shape);
  }
  if (!Number.isInteger(maskIndex) || maskIndex < 0) fail('maskIndex', 'a non-negative integer', maskIndex);
}
