/**
 * The exports of `@vjepa/probe` that run anywhere: both entries (`index.ts` for Node, `browser.ts` for
 * the `browser` export condition) re-export this file and add only what is theirs.
 *
 * @packageDocumentation
 */
export { AttentivePooler, AttentiveProbe, CrossAttentionBlock, PROBE_NORM_EPS, type AttentiveProbeConfig } from './attentive';
export {
  AttentivePoolerV2,
  AttentiveProbeV2,
  Ek100ProbeV2,
  type AttentivePoolerV2Config,
  type AttentiveProbeV2Config,
  type Ek100Logits,
  type Ek100ProbeV2Config,
} from './attentive-v2';
export {
  VJEPA2_PROBE_PROTOCOLS,
  classifyClipViews,
  clipAggregationFeatures,
  ek100ProbeInput,
  type Ek100InputOptions,
  type Vjepa2ClipEncoder,
  type Vjepa2FuturePredictor,
  type Vjepa2ProbeProtocol,
} from './protocol-v2';
export { crossEntropy } from './losses';
export type { Probe, ProbeShape } from './probe';
export { LinearProbe, type LinearProbeConfig } from './linear';
export { evaluateKnn, evaluateKnnReads, knnVotes, type KnnOptions } from './knn';
export type { Labels } from './checks';
export { concatSegments, averageViewProbabilities } from './views';
export { extractFeatures, type ExtractFeaturesOptions, type FeatureEncoder } from './features';
export { layerFeatures, type EncoderLayer, type LayeredEncoder } from './layers';
export { extractProbeFeatures, type ClipBatch, type LabelledClips, type ProbeFeatures } from './clip-features';
export { trainProbe, trainProbeReads, type ProbeStepMetrics, type TrainProbeOptions, type TrainProbeResult } from './train';
export { evaluateProbe, evaluateProbeReads, type EvaluateProbeOptions, type ProbeEvaluation } from './evaluate';
export { confusionMatrix, formatConfusionMatrix, type FormatConfusionOptions } from './confusion';
export {
  FeatureWhitening,
  WHITENING_KINDS,
  WhitenedProbe,
  trainWhitenedProbe,
  trainWhitenedProbeReads,
  type TrainWhitenedProbeOptions,
  type FitWhiteningOptions,
  type WhiteningKind,
} from './whiten';
// The Jacobi eigen-solver lives in @vjepa/core (the trainer's collapse monitor uses it too); re-exported here.
export { symmetricEigen, type SymmetricEigen } from '@vjepa/core';
export { chooseLearningRate, chooseLearningRateReads, type LearningRateChoice, type LearningRateGridOptions } from './lr-grid';
