import type { SampledMasks } from './types';

/** Figures of one generator's masks for one batch (spec §3.4). */
export interface MaskStatistics {
  /** N, tokens per clip. */
  tokenCount: number;
  /** Mean over the samples of |target| / N before the batch truncation. */
  maskedFraction: number;
  /** K_enc, context length after the truncation. */
  contextLength: number;
  /** K_pred, target length after the truncation. */
  targetLength: number;
  /** K_enc / N: the share of the clip the encoder actually sees. */
  effectiveContextFraction: number;
}

/** The figures of one batch of one generator. */
export function maskStatistics(masks: SampledMasks): MaskStatistics {
  const { tokenCount } = masks;
  const targets = masks.lengthsBeforeTruncation.target;
  let maskedTokens = 0;
  for (const length of targets) maskedTokens += length;
  const contextLength = masks.context.shape[1];
  return {
    tokenCount,
    maskedFraction: targets.length === 0 ? 0 : maskedTokens / (targets.length * tokenCount),
    contextLength,
    targetLength: masks.target.shape[1],
    effectiveContextFraction: contextLength / tokenCount,
  };
}

/** Mean, smallest and largest of a series. */
export interface Spread {
  mean: number;
  min: number;
  max: number;
}

/** Figures of one generator over many batches. */
export interface MaskStatisticsSummary {
  batches: number;
  /** Mean per-sample masked fraction before truncation (batches weigh equally). */
  maskedFraction: number;
  /** K_enc over the batches. */
  contextLength: Spread;
  /** K_pred over the batches. */
  targetLength: Spread;
  /** Mean K_enc / N. */
  effectiveContextFraction: number;
}

/** Summarises the figures of many batches of one generator (from {@link maskStatistics}). */
export function summarizeMaskStatistics(batches: readonly MaskStatistics[]): MaskStatisticsSummary {
  const spread = (values: number[]): Spread => ({
    mean: mean(values),
    min: values.length === 0 ? NaN : Math.min(...values),
    max: values.length === 0 ? NaN : Math.max(...values),
  });
  return {
    batches: batches.length,
    maskedFraction: mean(batches.map((batch) => batch.maskedFraction)),
    contextLength: spread(batches.map((batch) => batch.contextLength)),
    targetLength: spread(batches.map((batch) => batch.targetLength)),
    effectiveContextFraction: mean(batches.map((batch) => batch.effectiveContextFraction)),
  };
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return values.length === 0 ? NaN : sum / values.length;
}
