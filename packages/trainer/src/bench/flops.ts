/** Sizes of a ViT encoder that decide its matrix-product work. */
export interface EncoderSizes {
  /** Token width D. */
  dim: number;
  depth: number;
  /** MLP hidden width = floor(D · mlpRatio), as the blocks build it. */
  mlpRatio: number;
  channels: number;
  patch: number;
  tubelet: number;
}

/** Sizes of the predictor that decide its matrix-product work. */
export interface PredictorSizes {
  /** Predictor width P. */
  dim: number;
  depth: number;
  mlpRatio: number;
  /** Width of the predictions (the encoder's D for V-JEPA). */
  outputDim: number;
}

/** The context and target lengths one mask generator drew for a batch (`K_ctx`, `K_tgt`). */
export interface MaskLengths {
  context: number;
  target: number;
}

/** 2·M·K·N: one `[M, K] × [K, N]` product. */
function product(m: number, k: number, n: number): number {
  return 2 * m * k * n;
}

/**
 * One pre-norm transformer block on `batch × tokens` rows of width `dim`: qkv, q·kᵀ and attention·v
 * (each 2·B·n²·D summed over heads, whatever their number), proj, fc1, fc2.
 */
export function blockFlops(batch: number, tokens: number, dim: number, mlpRatio: number): number {
  const rows = batch * tokens;
  const hidden = Math.floor(dim * mlpRatio);
  const attention = 2 * batch * product(tokens, dim, tokens); // q·kᵀ and attention·v: [n, D] × [D, n] each
  return product(rows, dim, 3 * dim) + attention + product(rows, dim, dim) + product(rows, dim, hidden) + product(rows, hidden, dim);
}

/** The tubelet embedding of `batch × tokens` tubelets: `[B·N, C·t·p·p] × [C·t·p·p, D]`. */
export function patchEmbedFlops(encoder: EncoderSizes, batch: number, tokens: number): number {
  return product(batch * tokens, encoder.channels * encoder.tubelet * encoder.patch * encoder.patch, encoder.dim);
}

/** Multiply-adds ×2 of every matrix product of one encoder forward on `tokens` tokens per clip. */
export function encoderForwardFlops(encoder: EncoderSizes, batch: number, tokens: number): number {
  return patchEmbedFlops(encoder, batch, tokens) + encoder.depth * blockFlops(batch, tokens, encoder.dim, encoder.mlpRatio);
}

/** The predictor on one generator's masks: embed the context, the blocks on context + targets, project the targets. */
export function predictorForwardFlops(predictor: PredictorSizes, encoderDim: number, batch: number, masks: MaskLengths): number {
  const sequence = masks.context + masks.target;
  return (
    product(batch * masks.context, encoderDim, predictor.dim) +
    predictor.depth * blockFlops(batch, sequence, predictor.dim, predictor.mlpRatio) +
    product(batch * masks.target, predictor.dim, predictor.outputDim)
  );
}

/** The FLOP count of one V-JEPA training step, split as {@link stepFlops} adds it up. */
export interface StepFlops {
  /** The target encoder on all tokens (no gradient). */
  target: number;
  /** The trained forward: one shared tubelet embedding, then context encoder + predictor per generator. */
  trainedForward: number;
  /** Backward of the trained parts, counted as 2× their forward. */
  backward: number;
  total: number;
}

/**
 * Matrix-product FLOPs (2·M·K·N each) of one V-JEPA training step as `VjepaTrainStep.run` computes it:
 * the target encoder forward on all `tokens`; the online tubelet embedding once, then per generator the
 * encoder blocks on its `K_ctx` context tokens and the predictor on `K_ctx + K_tgt`; the backward of that
 * trained part counted as twice its forward. Element-wise work (norms, GELU, softmax, loss, AdamW, EMA)
 * is left out, as FLOP counts of transformers usually do.
 *
 * @param masks - the lengths each generator drew for this batch (after the batch truncation).
 */
export function stepFlops(encoder: EncoderSizes, predictor: PredictorSizes, batch: number, tokens: number, masks: readonly MaskLengths[]): StepFlops {
  const target = encoderForwardFlops(encoder, batch, tokens);
  let trainedForward = patchEmbedFlops(encoder, batch, tokens);
  for (const m of masks) {
    trainedForward += encoder.depth * blockFlops(batch, m.context, encoder.dim, encoder.mlpRatio);
    trainedForward += predictorForwardFlops(predictor, encoder.dim, batch, m);
  }
  const backward = 2 * trainedForward;
  return { target, trainedForward, backward, total: target + trainedForward + backward };
}
