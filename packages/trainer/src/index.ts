export * from './portable';
export {
  DEFAULT_KEEP_CHECKPOINTS,
  latestCheckpointDir,
  latestGoodCheckpointDir,
  loadCheckpoint,
  NoGoodCheckpointError,
  readRunState,
  resolveCheckpointDir,
  saveCheckpoint,
  verifyCheckpoint,
  type CheckpointFileSum,
  type CheckpointModules,
  type CheckpointState,
  type LoadCheckpointOptions,
  type LoadedCheckpoint,
  type RunState,
  type SaveCheckpointOptions,
  type SavedOptimizerState,
} from './checkpoint';
export { acquireRunLock, RunLockedError, RUN_LOCK_FILE, type RunLock } from './run-lock';
export { CheckpointWriteError, runTraining, TrainingDivergedError, type MaskSampler, type ProgressEvent, type TrainingOptions, type TrainingSummary } from './loop';
// The run layer: a run's configuration (defaults, the official YAML keys, flags), its presets, and `runTrain`,
// which assembles data, masks and models and runs the loop.
export { resolveRunConfig, TRAIN_DEFAULTS, type RunConfig, type TrainFlags } from './run-config';
export {
  checkOfficialConfig,
  maskFromOfficial,
  OFFICIAL_CONFIG_KEYS,
  readOfficialConfig,
  type OfficialConfig,
  type OfficialDataAugSection,
  type OfficialDataSection,
  type OfficialLoggingSection,
  type OfficialLossSection,
  type OfficialMaskEntry,
  type OfficialMetaSection,
  type OfficialModelSection,
  type OfficialOptimizationSection,
} from './official-config';
export { TRAIN_PRESETS } from './presets';
export { runTrain, savedRunConfig, type TrainRunOptions } from './run';
export { syntheticDiagnosticBatch } from './diagnostic-batch';
// fine-tuning: the encoder unfrozen under a classification head
export {
  describeFinetuneStep,
  dropPathRates,
  FINETUNE_DEFAULTS,
  runFinetuning,
  type FinetuneHead,
  type FinetuneOptions,
  type FinetuneProgress,
  type FinetuneRecipe,
  type FinetuneSummary,
} from './finetune';

// the step benchmark of `vjepa bench`: timings, FLOP counts, kernel profiles, memory soaks (Node: RSS, files)
export { runBench, type BenchOptions, type BenchResult, type SoakResult } from './bench/run';
export { BENCH_CONFIG, readBenchConfig, resolveBenchConfig, tokensPerClip, type BenchConfig, type BenchConfigInput } from './bench/config';
export {
  blockFlops,
  encoderForwardFlops,
  patchEmbedFlops,
  predictorForwardFlops,
  stepFlops,
  type EncoderSizes,
  type MaskLengths,
  type PredictorSizes,
  type StepFlops,
} from './bench/flops';
export { formatProfile, summarizeProfile, type KernelTotal, type ProfiledKernel, type ProfileSummary } from './bench/profile';
export { BENCH_TABLE_HEADER, benchDetails, benchJson, benchRow } from './bench/format';
// `vjepa surprise`: runs and baselines scored on violation-of-expectation pairs (Node: checkpoints, videos)
export { loadSurpriseModels, runSurprise, SURPRISE_BASELINES, type SurpriseBaseline, type SurpriseRow, type SurpriseRunOptions } from './surprise/run';
export { formatSurpriseTable, SURPRISE_TABLE_HEADER, surpriseJson, surpriseMeasurements, type SurpriseMeasurement } from './surprise/format';
