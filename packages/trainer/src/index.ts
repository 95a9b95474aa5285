export * from './portable';
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
