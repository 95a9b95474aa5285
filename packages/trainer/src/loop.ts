import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, DivergenceError, downloadForSyncReads, fail, IoError, optionKeys, readAll, readsAsync, writeFileAtomicSync, type BatchSource, type MaskPair } from '@vjepa/core';
import { collapseStatsReads, collapseWarning, type CollapseStats, type CollapseThresholds } from './collapse';
import { DEFAULT_KEEP_CHECKPOINTS, latestGoodCheckpointDir, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { acquireRunLock } from './run-lock';
import { targetFeatures } from './loss';
import { featureDiagnosticsReads, type DiagnosticBatch, type FeatureDiagnostics } from './diagnostics';
import type { StepMetrics, TrainStepState, VjepaModels, VjepaTrainStep } from './step';
import type { ProgressEvent } from './progress-event';

/** Draws the masks of a batch; `@vjepa/masking`'s `MaskCollator` is one. */
export interface MaskSampler {
  sample(batchSize: number): MaskPair[];
  getState(): unknown;
  setState(state: never): void;
}

export type { ProgressEvent } from './progress-event';

/** Options of `runTraining`. */
export interface TrainingOptions {
  models: VjepaModels;
  step: VjepaTrainStep;
  source: BatchSource;
  masks: MaskSampler;
  /** Train until this many steps are done (counting steps of a resumed run). */
  steps: number;
  /** Folder for `checkpoints/` and `metrics.jsonl`; nothing is written without it. */
  outDir?: string;
  /** Write a checkpoint every this many steps (default 100) and at the end. */
  checkpointEvery?: number;
  /** Keep this many newest checkpoints (default 3); the newest intact one is never deleted. */
  keepCheckpoints?: number;
  /**
   * Stops the run cleanly when aborted (the CLI aborts it on SIGINT and SIGTERM): the step in progress
   * finishes, a checkpoint is written, and the summary says `interrupted: true`.
   */
  signal?: AbortSignal;
  /** Test hook passed to every checkpoint write (see `SaveCheckpointOptions.afterFile`). */
  afterCheckpointFile?: (file: string) => void;
  /** Measure collapse statistics every this many steps (default 25; 0 = never). */
  collapseEvery?: number;
  collapseThresholds?: CollapseThresholds;
  /** Resume from the latest checkpoint in `outDir/checkpoints` (or from this checkpoint directory). */
  resume?: boolean | string;
  /** Told which checkpoint a resumed run continues from, and its step, before the first step. */
  onResume?: (from: { dir: string; step: number }) => void;
  /**
   * Discard the checkpoints and `metrics.jsonl` already in `outDir` (once its lock is held) and start a new
   * run there; without it a fresh run's metrics would follow the old run's. Not with `resume`.
   */
  startOver?: boolean;
  /** JSON saved in every checkpoint's state (e.g. the run's config). */
  config?: unknown;
  onProgress?: (event: ProgressEvent) => void;
  onWarning?: (message: string) => void;
  /** Extra figures to add to every progress event and metrics line (e.g. the data loader's skip count). */
  extraMetrics?: () => Record<string, unknown>;
  /**
   * A fixed batch measured with `featureDiagnostics` every `every` steps (default `collapseEvery`, or 25)
   * and after the last step; `target` as the step's (default `features`).
   */
  diagnostics?: { batch: DiagnosticBatch; every?: number; target?: 'features' | 'pixels' };
}

/** What a finished run reports. */
export interface TrainingSummary {
  startStep: number;
  steps: number;
  losses: number[];
  checkpointDir?: string;
  elapsedSeconds: number;
  /** True when the run stopped early because `signal` was aborted. */
  interrupted: boolean;
}

/**
 * Thrown when a checkpoint cannot be written (a full disk, an I/O error): the run stops, the previous
 * checkpoint is intact and named here, and `cause` is the file-system error.
 */
export class CheckpointWriteError extends IoError {
  constructor(
    readonly step: number,
    readonly lastCheckpoint: string | null,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    const reason = (cause as Error)?.message ?? String(cause);
    super(
      `checkpoint: could not write the checkpoint of step ${step} (${code && !reason.startsWith(code) ? `${code}: ` : ''}${reason}); training stopped. ` +
        (lastCheckpoint ? `The last good checkpoint is ${lastCheckpoint}; free space and resume with --resume` : 'No checkpoint was written yet'),
      { cause },
    );
  }
}

/** Every key of {@link TrainingOptions}, checked against it by the compiler: anything else is refused. */
const TRAINING_OPTION_KEYS = optionKeys<TrainingOptions>({
  models: true, step: true, source: true, masks: true, steps: true, outDir: true, checkpointEvery: true, keepCheckpoints: true, signal: true,
  afterCheckpointFile: true, collapseEvery: true, collapseThresholds: true, resume: true, onResume: true, startOver: true, config: true,
  onProgress: true, onWarning: true, extraMetrics: true, diagnostics: true,
});

/** Thrown when the loss stops being finite; names the last good checkpoint. */
export class TrainingDivergedError extends DivergenceError {
  constructor(
    readonly step: number,
    readonly loss: number,
    readonly lastCheckpoint: string | null,
  ) {
    super(
      `loss is ${loss} at step ${step}: training stopped. ` +
        (lastCheckpoint ? `The last good checkpoint is ${lastCheckpoint}; ` : 'No checkpoint was written yet; ') +
        'lower the learning rate or check the data.',
    );
  }
}

interface SavedState {
  step: number;
  trainStep: Omit<TrainStepState, 'optimizer'>;
  source: unknown;
  masks: unknown;
  config?: unknown;
}

/**
 * Keeps the lines of `metrics.jsonl` for the steps before `startStep` (0-based `step` < `startStep`): the
 * steps a resumed run replays (those after its checkpoint, or after an older one it fell back to past a
 * damaged one) are written again, once. The file is rewritten atomically, and only when it changes.
 */
export function cutMetrics(file: string, startStep: number): void {
  if (!existsSync(file)) return;
  const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '');
  const kept = lines.filter((line) => {
    try {
      const { step } = JSON.parse(line) as { step?: unknown };
      return typeof step === 'number' && step < startStep;
    } catch {
      return false; // a line cut by a kill mid-write
    }
  });
  if (kept.length === lines.length && readFileSync(file, 'utf8').endsWith('\n')) return;
  writeFileAtomicSync(file, kept.map((line) => `${line}\n`).join(''));
}

/**
 * The V-JEPA training loop: pulls batches (the next one is requested while the current step computes),
 * draws masks, runs `VjepaTrainStep`, reports progress, watches for collapse and non-finite losses, and
 * writes atomic checkpoints from which `resume` continues with the same losses as an uninterrupted run.
 */
export async function runTraining(options: TrainingOptions): Promise<TrainingSummary> {
  checkKeys('options', options, TRAINING_OPTION_KEYS);
  const { models, step, source, masks, outDir } = options;
  if (!Number.isInteger(options.steps) || options.steps < 1) fail('steps', 'a positive integer', options.steps);
  const checkpointEvery = options.checkpointEvery ?? 100;
  if (!Number.isInteger(checkpointEvery) || checkpointEvery < 1) fail('checkpointEvery', 'a positive integer', checkpointEvery);
  const keep = options.keepCheckpoints ?? DEFAULT_KEEP_CHECKPOINTS;
  if (!Number.isInteger(keep) || keep < 1) fail('keepCheckpoints', 'an integer ≥ 1', keep);
  const collapseEvery = options.collapseEvery ?? 25;
  if (!Number.isInteger(collapseEvery) || collapseEvery < 0) fail('collapseEvery', 'an integer ≥ 0', collapseEvery);
  if (outDir !== undefined && (typeof outDir !== 'string' || outDir === '')) fail('outDir', 'a folder path', outDir);
  if (options.startOver && options.resume) fail('startOver', 'no resume (a new run in outDir, or a resumed one)', options.resume);
  const warn = options.onWarning ?? ((message: string) => console.warn(`warning: ${message}`));
  const lock = outDir ? acquireRunLock(outDir, { onWarning: warn }) : null;
  try {
    return await trainLocked(options, checkpointEvery, keep, collapseEvery);
  } finally {
    lock?.release();
  }
}

async function trainLocked(options: TrainingOptions, checkpointEvery: number, keep: number, collapseEvery: number): Promise<TrainingSummary> {
  const { models, step, source, masks, outDir } = options;
  const warn = options.onWarning ?? ((message: string) => console.warn(`warning: ${message}`));
  if (outDir && options.startOver) {
    rmSync(join(outDir, 'checkpoints'), { recursive: true, force: true });
    rmSync(join(outDir, 'metrics.jsonl'), { force: true });
  }
  const checkpointRoot = outDir ? join(outDir, 'checkpoints') : undefined;
  const modules = { encoder: models.encoder, predictor: models.predictor, target_encoder: models.targetEncoder, ...(step.expander ? { expander: step.expander } : {}) };

  let startStep = 0;
  if (options.resume) {
    const from = typeof options.resume === 'string' ? options.resume : checkpointRoot;
    if (!from) fail('resume', 'an outDir or a checkpoint directory', options.resume);
    const loaded = loadCheckpoint(from, modules, { onWarning: warn });
    const saved = loaded.state as unknown as SavedState;
    if (saved.step > options.steps) {
      fail('steps', `at least the ${saved.step} steps the checkpoint ${loaded.dir} has done`, options.steps, 'Ask for more steps to continue it, or start a new run in another folder');
    }
    step.loadState({ ...saved.trainStep, optimizer: loaded.optimizer! });
    // A checkpoint converted from an official file has no data or mask stream state: they start afresh.
    if (saved.source != null) source.setState(saved.source);
    if (saved.masks != null) masks.setState(saved.masks as never);
    startStep = saved.step;
    options.onResume?.({ dir: loaded.dir, step: startStep });
  }
  if (outDir) mkdirSync(outDir, { recursive: true });
  const metricsFile = outDir ? join(outDir, 'metrics.jsonl') : undefined;
  if (metricsFile) cutMetrics(metricsFile, startStep);

  let lastCheckpoint = checkpointRoot ? latestGoodCheckpointDir(checkpointRoot, () => undefined) : null;
  const checkpoint = async (done: number, sourceState: unknown) => {
    if (!checkpointRoot) return;
    // On webgpu the weights and moments are read asynchronously first; the writer then reads them from the host.
    const { optimizer, ...trainStep } = await step.stateAsync();
    await downloadForSyncReads(Object.values(modules).flatMap((module) => [...module.stateDict()].map(([, variable]) => variable)));
    const state: SavedState = { step: done, trainStep, source: sourceState, masks: masks.getState(), config: options.config };
    try {
      lastCheckpoint = saveCheckpoint(checkpointRoot, modules, state as never, optimizer, { keep, afterFile: options.afterCheckpointFile });
    } catch (error) {
      throw new CheckpointWriteError(done, lastCheckpoint, error);
    }
  };

  const losses: number[] = [];
  const started = performance.now();
  let recentSeconds = 0;
  let pending = startStep < options.steps ? source.next() : null;
  let interrupted = false;
  for (let k = startStep; k < options.steps; k++) {
    const batch = await pending!;
    const sourceState = source.getState(); // what resuming before batch k + 1 needs
    pending = k + 1 < options.steps ? source.next() : null; // prefetch while this step computes
    const stepStart = performance.now();
    let metrics: StepMetrics;
    let collapse: CollapseStats | undefined;
    let diagnostics: FeatureDiagnostics | undefined;
    try {
      const batchSize = batch.video.shape[0];
      metrics = readsAsync() ? await step.runAsync(batch.video, masks.sample(batchSize)) : step.run(batch.video, masks.sample(batchSize));
      if (collapseEvery > 0 && (k + 1) % collapseEvery === 0) {
        const features = targetFeatures(models.targetEncoder, batch.video);
        try {
          collapse = await readAll(collapseStatsReads(features));
        } finally {
          features.dispose();
        }
        const message = collapseWarning(collapse, models.encoder.config.dim, options.collapseThresholds);
        if (message) warn(`step ${k + 1}: ${message}`);
      }
      if (options.diagnostics) {
        const every = options.diagnostics.every ?? (collapseEvery || 25);
        if ((k + 1) % every === 0 || k + 1 === options.steps) {
          diagnostics = await readAll(featureDiagnosticsReads(models, options.diagnostics.batch, { target: options.diagnostics.target }));
        }
      }
    } finally {
      tf.dispose(batch.video);
    }
    if (!Number.isFinite(metrics.loss)) {
      await pending?.then((b) => tf.dispose(b.video)).catch(() => undefined);
      throw new TrainingDivergedError(k, metrics.loss, lastCheckpoint);
    }
    losses.push(metrics.loss);
    const seconds = (performance.now() - stepStart) / 1000;
    recentSeconds = recentSeconds === 0 ? seconds : 0.9 * recentSeconds + 0.1 * seconds;
    const event: ProgressEvent = {
      ...metrics,
      totalSteps: options.steps,
      clipsPerSecond: batch.video.shape[0] / recentSeconds,
      etaSeconds: recentSeconds * (options.steps - k - 1),
      collapse,
      ...(diagnostics ? { diagnostics } : {}),
      ...options.extraMetrics?.(),
    };
    if (metricsFile) appendFileSync(metricsFile, `${JSON.stringify(event)}\n`);
    options.onProgress?.(event);
    const done = k + 1;
    interrupted = options.signal?.aborted === true && done < options.steps;
    try {
      if (done % checkpointEvery === 0 || done === options.steps || interrupted) await checkpoint(done, sourceState);
    } catch (error) {
      await pending?.then((b) => tf.dispose(b.video)).catch(() => undefined);
      throw error;
    }
    if (interrupted) {
      await pending?.then((b) => tf.dispose(b.video)).catch(() => undefined);
      break;
    }
    // Let the event loop turn once per step: a step is synchronous compute and the batches may come from
    // resolved promises, so without this no signal handler (SIGINT, SIGTERM → `signal`) would ever run.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return {
    startStep,
    steps: options.steps,
    losses,
    checkpointDir: lastCheckpoint ?? undefined,
    elapsedSeconds: (performance.now() - started) / 1000,
    interrupted,
  };
}
