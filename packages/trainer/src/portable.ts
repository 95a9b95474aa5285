/**
 * The exports of `@vjepa/trainer` that run anywhere: both entries (`index.ts` for Node, `browser.ts` for
 * the `browser` export condition) re-export this file and add only what is theirs.
 *
 * @packageDocumentation
 */
export { averageLoss, gatherTargets, generatorLosses, pixelTargets, targetFeatures, vjepaLoss } from './loss';
// AdamW, its parameter groups, the LR/WD schedules and clipping live in @vjepa/optim since 0.2.0; they are
// re-exported here so code written against @vjepa/trainer keeps working.
export {
  AdamW,
  CosineWDSchedule,
  WarmupCosineSchedule,
  clipGradNorm,
  clipGradNormOnDevice,
  gradientsByKey,
  groupParameters,
  paramGroups,
  scheduleSteps,
  takesWeightDecay,
  type AdamWOptions,
  type AdamWParamState,
  type AdamWState,
  type ClipResult,
  type CosineWdOptions,
  type DeviceClipResult,
  type Gradients,
  type OptimizerGroup,
  type ParamGroup,
  type ScheduleSizes,
  type ScheduleState,
  type WarmupCosineOptions,
} from '@vjepa/optim';
export { VjepaTrainStep, type StepMetrics, type TrainStepOptions, type TrainStepState, type VjepaModels } from './step';
export { collapseStats, collapseStatsReads, collapseWarning, symmetricEigenvalues, type CollapseStats, type CollapseThresholds } from './collapse';
export { VJEPA_ARCHS, createPretrainingModels, createTrainStep, officialRecipe, type PretrainingModelsOptions, type TrainingRecipe, type VjepaArch } from './recipe';
export {
  checkRegularizer,
  eppsPulleyKnots,
  randomUnitDirections,
  regularizerValue,
  regularizerSampleSets,
  sigreg,
  vicregTerms,
  PUBLISHED_REGULARIZER_WEIGHTS,
  REGULARIZER_SAMPLES,
  type RegularizerConfig,
  type RegularizerSamples,
  type SigRegOptions,
} from './regularizers';
export { BatchNorm, Expander, checkExpanderWidths, defaultExpanderWidths } from './expander';
export { changeWeights, pixelChangeScores, weightedGeneratorLosses } from './token-weights';
export { featureDiagnostics, featureDiagnosticsReads, tokenCoverage, type DiagnosticBatch, type FeatureDiagnostics, type FeatureDiagnosticsOptions } from './diagnostics';
export { describeStep, formatEta, logProgress } from './progress-log';
// surprise: the predictor's error on what comes next, its read-outs, the pixel baselines, the untrained baseline's predictor
export { clipSurprise, stepTokenIndices, surpriseScores, type ClipSurprise, type SurpriseModels, type SurpriseOptions } from './surprise/scores';
export { auroc, pairwiseAccuracy } from './surprise/metrics';
export { constantVelocityScores, foregroundTrack, frameDifferenceScores } from './surprise/pixel-baselines';
export { trainFrozenPredictor, type FrozenPredictorOptions } from './surprise/frozen-predictor';
export { clipOptional } from '@vjepa/optim';
// fine-tuning's pieces that run anywhere (its loop, `runFinetuning`, writes checkpoints: Node only)
export { layerDecayGroups, vitLayerId, type LayerDecayGroups } from './finetune-groups';
export { smoothedCrossEntropy } from './finetune-loss';
