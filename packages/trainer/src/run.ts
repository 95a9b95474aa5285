import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, checkOutputPath, fail, optionKeys, selectBackend, verbatim, type BackendRequest } from '@vjepa/core';
import { ClipLoader, loaderBatchSource, openClipSource, pretrainingTransform } from '@vjepa/data';
import { MaskCollator } from '@vjepa/masking';
import { readRunState, resolveCheckpointDir } from './checkpoint';
import { syntheticDiagnosticBatch } from './diagnostic-batch';
import { runTraining, type ProgressEvent, type TrainingSummary } from './loop';
import { logProgress } from './progress-log';
import { createPretrainingModels, createTrainStep } from './recipe';
import type { RunConfig } from './run-config';

/** Options of `runTrain`. */
export interface TrainRunOptions {
  config: RunConfig;
  backend?: BackendRequest;
  /** Output folder: `checkpoints/`, `metrics.jsonl`. */
  out: string;
  /**
   * Continue from the newest intact checkpoint in `out` (`true`) or in this folder or checkpoint directory.
   * Without it (and without `resumeIfExists` or `force`), an `out` that already holds a run is refused.
   */
  resume?: boolean | string;
  /**
   * Continue the run in `out` when it has a checkpoint, start one otherwise: one command for the first start
   * and every restart after a preemption (`vjepa train --resume-if-exists`).
   */
  resumeIfExists?: boolean;
  /** Start a new run in an `out` that holds one: its checkpoints and `metrics.jsonl` are deleted first. */
  force?: boolean;
  checkpointEvery?: number;
  /** Checkpoints to keep (default 3; the newest intact one is never deleted). */
  keep?: number;
  /**
   * On SIGINT or SIGTERM, finish the step, write a checkpoint and return (the process exit status is then
   * 130 or 143); a second signal exits at once. Default false (a library caller handles its own signals).
   */
  stopOnSignals?: boolean;
  /** Where the run's lines go: backend, data, model, the resumed step, the checkpoint written (default `console.log`). */
  log?: (line: string) => void;
  /** Where warnings go: damaged checkpoints skipped, unreadable videos, a stale lock (default `console.error`). */
  warn?: (line: string) => void;
  /**
   * Told about every step (the CLI draws its progress bar from it). Default: a line to `log` for the first
   * step, every 10th and the last (see `logProgress`).
   */
  onProgress?: (event: ProgressEvent) => void;
}

const TRAIN_RUN_OPTION_KEYS = optionKeys<TrainRunOptions>({
  config: true, backend: true, out: true, resume: true, resumeIfExists: true, force: true, checkpointEvery: true, keep: true, stopOnSignals: true,
  log: true, warn: true, onProgress: true,
});

/** What an output folder already holds of a run: its checkpoints and metrics, or null when nothing. */
function existingRun(out: string): string | null {
  const checkpoints = join(out, 'checkpoints');
  const steps = existsSync(checkpoints) && statSync(checkpoints).isDirectory() ? readdirSync(checkpoints).filter((d) => /^step-\d{8}$/.test(d)).sort() : [];
  const metrics = join(out, 'metrics.jsonl');
  const hasMetrics = existsSync(metrics) && statSync(metrics).size > 0;
  if (steps.length === 0 && !hasMetrics) return null;
  const newest = steps.length > 0 ? `checkpoints up to ${steps.at(-1)}` : 'no checkpoint';
  return `it holds a run: ${newest}${hasMetrics ? ', metrics.jsonl' : ''}`;
}

/**
 * What `resume` becomes once `out` is looked at: refused when `out` holds a run and neither `resume`,
 * `resumeIfExists` nor `force` says what to do with it; `resumeIfExists` resumes when it has a checkpoint.
 */
function resumeChoice(options: TrainRunOptions): boolean | string | undefined {
  const { out, resume, resumeIfExists, force } = options;
  if (force && (resume || resumeIfExists)) fail('--force', 'no --resume or --resume-if-exists (it starts the run in --out over)', verbatim('both'));
  if (resumeIfExists && resume) fail('--resume-if-exists', 'no --resume beside it', resume);
  if (resumeIfExists) return resolveCheckpointDir(join(out, 'checkpoints'), () => undefined) === null ? undefined : true;
  if (!resume && !force) {
    const held = existsSync(out) ? existingRun(out) : null;
    if (held) {
      fail('--out', 'a folder without a run', verbatim(`${JSON.stringify(out)} (${held})`), 'Continue it with --resume (or --resume-if-exists), start it over with --force, or use another --out');
    }
  }
  return resume;
}

/**
 * The run config saved in a checkpoint (or in the newest intact checkpoint under `dir`), or null when there
 * is none (`dir` missing or not a folder included: `runTrain` names what is wrong with it).
 */
export function savedRunConfig(dir: string): RunConfig | null {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return null;
  return readRunState(dir)?.state.config ?? null;
}

/**
 * `vjepa train`: opens the data, builds encoder, predictor and target encoder, and runs the V-JEPA loop,
 * reporting progress to `onProgress`, with metrics and checkpoints under `out`.
 */
export async function runTrain(options: TrainRunOptions): Promise<TrainingSummary> {
  checkKeys('options', options, TRAIN_RUN_OPTION_KEYS);
  const { config } = options;
  const log = options.log ?? console.log;
  const warn = options.warn ?? ((line: string) => console.error(line));
  // The output folder and the checkpoint to resume are checked before any work (nothing is created yet).
  checkOutputPath('--out', options.out, 'folder');
  const resume = resumeChoice(options);
  if (resume) {
    const from = resume === true ? options.out : resume;
    if (existsSync(from) && !statSync(from).isDirectory()) fail('--resume', 'a training output folder or checkpoint directory', verbatim(`${JSON.stringify(from)} (a file, not a directory)`));
    const read = existsSync(from) ? readRunState(from, { onWarning: () => undefined }) : null;
    if (read === null) {
      fail('--resume', 'a training output folder or checkpoint directory holding a checkpoint', from, 'Train first, or drop --resume (--resume-if-exists starts a run where there is none)');
    }
    const steps = config.optimization.steps;
    if (read.state.step > steps) {
      fail('--steps', `at least the ${read.state.step} steps the checkpoint ${read.dir} has done`, steps, `Give --steps ${read.state.step} or more to continue it, or another --out to start a new run`);
    }
  }
  // The predictor uses the encoder's head count (as the official configs do): its width must split into them.
  const { encoder: encoderConfig, predictor: predictorConfig } = config.model;
  if (predictorConfig.dim % encoderConfig.heads !== 0) fail('pred-dim', `a multiple of the encoder's ${encoderConfig.heads} heads`, predictorConfig.dim);
  // The masks are checked against the token grid first: a bad mask config is an error before any work.
  const masks = new MaskCollator({
    grid: { frames: config.data.frames, crop: config.data.crop, patch: config.model.encoder.patch, tubelet: config.model.encoder.tubelet },
    generators: config.mask,
    seed: config.seed,
  });
  const { data, model } = config;
  const source = await openClipSource(data.spec, {
    synthetic: { seed: config.seed, numFrames: data.frames },
    framesPerClip: data.frames,
    frameStep: data.frameStep,
    decodeSize: data.spec.startsWith('synthetic') ? undefined : { shorterSide: Math.round((data.crop * 256) / 224) },
  });
  if (data.batchSize > source.size) {
    fail('--batch-size', `at most the ${source.size} clip(s) of --data ${data.spec} (a batch drops no clip)`, data.batchSize, 'Give a smaller --batch-size or more videos');
  }
  const choice = await selectBackend(options.backend ?? 'auto');
  log(`backend: ${choice.backend} (${choice.reason})`);
  log(`data: ${source.description ?? data.spec}`);
  const onProgress = options.onProgress ?? logProgress(log);
  const loader = new ClipLoader(source, {
    batchSize: data.batchSize,
    transform: pretrainingTransform({ cropSize: data.crop }),
    seed: config.seed,
    onWarning: (message) => warn(`warning: ${message}`),
  });
  const models = createPretrainingModels({ arch: model.arch, encoder: model.encoder, predictor: model.predictor, seed: config.seed, target: config.target });
  const step = createTrainStep(models, config.optimization);
  const e = model.encoder;
  log(
    `model: ${model.arch === 'vjepa2' ? 'V-JEPA 2 ' : ''}ViT-${model.size} (D ${e.dim}, depth ${e.depth}, ${e.heads} heads) on ${data.frames}×${data.crop}×${data.crop} clips, ` +
      `predictor ${model.predictor.dim}/${model.predictor.depth}, target ${config.target}, batch ${data.batchSize}, ${config.optimization.steps} steps`,
  );
  const diagnostic = syntheticDiagnosticBatch(config);
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppedBy) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    stoppedBy = signal;
    log(`${signal}: stopping after this step and writing a checkpoint (send it again to stop at once)`);
    controller.abort();
  };
  if (options.stopOnSignals) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, onSignal);
  try {
    const summary = await runTraining({
      models,
      step,
      source: loaderBatchSource(loader),
      masks,
      steps: config.optimization.steps,
      outDir: options.out,
      checkpointEvery: options.checkpointEvery ?? 50,
      keepCheckpoints: options.keep,
      signal: controller.signal,
      resume,
      startOver: options.force === true,
      onResume: ({ dir, step: done }) => log(`resumed from ${resolve(dir)} at step ${done} of ${config.optimization.steps}`),
      config,
      onProgress,
      onWarning: (message) => warn(`warning: ${message}`),
      extraMetrics: () => ({ skippedClips: loader.metrics.skipped }),
      ...(diagnostic ? { diagnostics: { batch: diagnostic, target: config.target } } : {}),
    });
    if (summary.checkpointDir) log(`checkpoint: ${resolve(summary.checkpointDir)}`);
    if (summary.interrupted) {
      log(`stopped by ${stoppedBy} after step ${summary.startStep + summary.losses.length}; continue with --resume`);
      process.exitCode = 128 + (stoppedBy === 'SIGINT' ? 2 : 15);
    }
    return summary;
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, onSignal);
    if (diagnostic) tf.dispose(diagnostic.video);
    loader.close();
    step.dispose();
    models.encoder.dispose();
    models.predictor.dispose();
    models.targetEncoder.dispose();
  }
}
