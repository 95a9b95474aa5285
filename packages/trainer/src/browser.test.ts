import { describe, expect, it } from 'vitest';
import * as browser from './browser';
import * as node from './index';

/** The names only the Node entry has: checkpoints and the training loop write files. */
const NODE_ONLY = [
  'TrainingDivergedError', 'latestCheckpointDir', 'loadCheckpoint', 'resolveCheckpointDir', 'runTraining', 'saveCheckpoint',
  // checkpoint verification, the run lock and checkpoint write errors: files and processes
  'CheckpointWriteError', 'DEFAULT_KEEP_CHECKPOINTS', 'NoGoodCheckpointError', 'RUN_LOCK_FILE', 'RunLockedError', 'acquireRunLock',
  'latestGoodCheckpointDir', 'verifyCheckpoint',
  // the step benchmark: process memory, config files
  'BENCH_CONFIG', 'BENCH_TABLE_HEADER', 'benchDetails', 'benchJson', 'benchRow', 'blockFlops', 'encoderForwardFlops', 'formatProfile', 'patchEmbedFlops',
  'predictorForwardFlops', 'readBenchConfig', 'resolveBenchConfig', 'runBench', 'stepFlops', 'summarizeProfile', 'tokensPerClip',
];

describe('browser entry', () => {
  it('exports every name of the Node entry except the Node-only ones', () => {
    const expected = Object.keys(node).filter((name) => !NODE_ONLY.includes(name)).sort();
    expect(Object.keys(browser).sort()).toEqual(expected);
    expect(NODE_ONLY.every((name) => name in node)).toBe(true);
  });

  it('shares the implementations', () => {
    expect(browser.AdamW).toBe(node.AdamW);
    expect(browser.VjepaTrainStep).toBe(node.VjepaTrainStep);
  });
});
