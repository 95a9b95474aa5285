import * as browser from './browser';
import * as node from './index';
import { describeBrowserEntry } from '../../../scripts/browser-entry';

/** The names only the Node entry has: checkpoints and the training loop write files. */
const NODE_ONLY = [
  'TrainingDivergedError', 'latestCheckpointDir', 'loadCheckpoint', 'resolveCheckpointDir', 'runTraining', 'saveCheckpoint',
  // checkpoint verification, the run lock and checkpoint write errors: files and processes
  'CheckpointWriteError', 'DEFAULT_KEEP_CHECKPOINTS', 'NoGoodCheckpointError', 'RUN_LOCK_FILE', 'RunLockedError', 'acquireRunLock',
  'latestGoodCheckpointDir', 'verifyCheckpoint', 'readRunState',
  // the run layer: config files, the data sources and checkpoints of a run
  'OFFICIAL_CONFIG_KEYS', 'TRAIN_DEFAULTS', 'TRAIN_PRESETS', 'checkOfficialConfig', 'maskFromOfficial', 'readOfficialConfig', 'resolveRunConfig', 'runTrain',
  'savedRunConfig', 'syntheticDiagnosticBatch',
  // the step benchmark: process memory, config files
  'BENCH_CONFIG', 'BENCH_TABLE_HEADER', 'benchDetails', 'benchJson', 'benchRow', 'blockFlops', 'encoderForwardFlops', 'formatProfile', 'patchEmbedFlops',
  'predictorForwardFlops', 'readBenchConfig', 'resolveBenchConfig', 'runBench', 'stepFlops', 'summarizeProfile', 'tokensPerClip',
  // surprise over runs and video files
  'loadSurpriseModels', 'runSurprise', 'SURPRISE_BASELINES', 'formatSurpriseTable', 'SURPRISE_TABLE_HEADER', 'surpriseJson', 'surpriseMeasurements',
  // fine-tuning's loop: checkpoints, the run lock, metrics.jsonl
  'FINETUNE_DEFAULTS', 'describeFinetuneStep', 'dropPathRates', 'runFinetuning',
];

describeBrowserEntry({ browser, node, nodeOnly: NODE_ONLY, shared: ['AdamW', 'VjepaTrainStep'] });
