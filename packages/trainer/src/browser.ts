/**
 * The browser build of `@vjepa/trainer` (export condition `browser`): the loss, the train step, the
 * optimizer, schedules, clipping, collapse statistics and the recipe. Checkpoints and the training loop
 * write files and stay Node-only; `browser.test.ts` checks that the two entries differ only by those names.
 *
 * @packageDocumentation
 */
export { averageLoss, gatherTargets, generatorLosses, pixelTargets, targetFeatures, vjepaLoss } from './loss';
export {
  WarmupCosineSchedule,
  CosineWDSchedule,
  scheduleSteps,
  type ScheduleState,
  type WarmupCosineOptions,
  type CosineWdOptions,
  type ScheduleSizes,
} from './schedules';
export { AdamW, type AdamWOptions, type AdamWState, type AdamWParamState, type OptimizerGroup, type Gradients } from './adamw';
export { paramGroups, takesWeightDecay, groupParameters, gradientsByKey, type ParamGroup } from './param-groups';
export { clipGradNorm, type ClipResult } from './clip';
export { VjepaTrainStep, type StepMetrics, type TrainStepOptions, type TrainStepState, type VjepaModels } from './step';
export { collapseStats, collapseWarning, symmetricEigenvalues, type CollapseStats, type CollapseThresholds } from './collapse';
export { createPretrainingModels, createTrainStep, officialRecipe, type PretrainingModelsOptions, type TrainingRecipe } from './recipe';
