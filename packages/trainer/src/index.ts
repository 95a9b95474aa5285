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
export {
  DEFAULT_KEEP_CHECKPOINTS,
  latestCheckpointDir,
  latestGoodCheckpointDir,
  loadCheckpoint,
  NoGoodCheckpointError,
  resolveCheckpointDir,
  saveCheckpoint,
  verifyCheckpoint,
  type CheckpointFileSum,
  type CheckpointModules,
  type CheckpointState,
  type LoadCheckpointOptions,
  type LoadedCheckpoint,
  type SaveCheckpointOptions,
} from './checkpoint';
export { acquireRunLock, RunLockedError, RUN_LOCK_FILE, type RunLock } from './run-lock';
export { CheckpointWriteError, runTraining, TrainingDivergedError, type MaskSampler, type ProgressEvent, type TrainingOptions, type TrainingSummary } from './loop';
export { createPretrainingModels, createTrainStep, officialRecipe, type PretrainingModelsOptions, type TrainingRecipe } from './recipe';
