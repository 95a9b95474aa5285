import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, fail, optionKeys, selectBackend, type BackendRequest } from '@vjepa/core';
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
  resume?: boolean | string;
  checkpointEvery?: number;
  /** Checkpoints to keep (default 3; the newest intact one is never deleted). */
  keep?: number;
  /**
   * On SIGINT or SIGTERM, finish the step, write a checkpoint and return (the process exit status is then
   * 130 or 143); a second signal exits at once. Default false (a library caller handles its own signals).
   */
  stopOnSignals?: boolean;
  /** Where the run's lines go: backend, data, model, warnings, the checkpoint written (default `console.log`). */
  log?: (line: string) => void;
  /**
   * Told about every step (the CLI draws its progress bar from it). Default: a line to `log` for the first
   * step, every 10th and the last (see `logProgress`).
   */
  onProgress?: (event: ProgressEvent) => void;
}

const TRAIN_RUN_OPTION_KEYS = optionKeys<TrainRunOptions>({
  config: true, backend: true, out: true, resume: true, checkpointEvery: true, keep: true, stopOnSignals: true, log: true, onProgress: true,
});

/** The run config saved in a checkpoint (or in the newest intact checkpoint under `dir`), or null when there is none. */
export function savedRunConfig(dir: string): RunConfig | null {
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
  if (options.resume) {
    const from = options.resume === true ? join(options.out, 'checkpoints') : options.resume;
    if (resolveCheckpointDir(from, () => undefined) === null) {
      fail('--resume', 'a training output folder or checkpoint directory holding a checkpoint', from, 'Train first, or drop --resume');
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
  const choice = await selectBackend(options.backend ?? 'auto');
  log(`backend: ${choice.backend} (${choice.reason})`);
  const { data, model } = config;
  const source = await openClipSource(data.spec, {
    synthetic: { seed: config.seed, numFrames: data.frames },
    framesPerClip: data.frames,
    frameStep: data.frameStep,
    decodeSize: data.spec.startsWith('synthetic') ? undefined : { shorterSide: Math.round((data.crop * 256) / 224) },
  });
  log(`data: ${source.description ?? data.spec}`);
  const onProgress = options.onProgress ?? logProgress(log);
  const loader = new ClipLoader(source, {
    batchSize: data.batchSize,
    transform: pretrainingTransform({ cropSize: data.crop }),
    seed: config.seed,
    onWarning: (message) => log(`warning: ${message}`),
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
      resume: options.resume,
      config,
      onProgress,
      onWarning: (message) => log(`warning: ${message}`),
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
