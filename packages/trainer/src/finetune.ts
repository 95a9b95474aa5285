import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, fail, optionKeys, RandomStream, type BatchSource, type Module } from '@vjepa/core';
import { AdamW, CosineWDSchedule, WarmupCosineSchedule, clipOptional, gradientsByKey, groupParameters } from '@vjepa/optim';
import type { VisionTransformer } from '@vjepa/vit';
import { DEFAULT_KEEP_CHECKPOINTS, latestGoodCheckpointDir, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { layerDecayGroups } from './finetune-groups';
import { smoothedCrossEntropy } from './finetune-loss';
import { CheckpointWriteError, TrainingDivergedError, type TrainingSummary } from './loop';
import { formatEta } from './progress-log';
import { acquireRunLock } from './run-lock';

/** A classifier on encoder features `[B, N, D]` → logits `[B, C]`; `@vjepa/probe`'s attentive and linear probes are ones. */
export interface FinetuneHead extends Module {
  readonly config: { readonly dim: number; readonly classes: number };
  apply(features: tf.Tensor3D): tf.Tensor2D;
}

/** The fine-tuning recipe; the defaults are the usual ViT fine-tuning ones (BEiT / MAE / VideoMAE). */
export interface FinetuneRecipe {
  /** Peak learning rate, reached at the end of the warm-up (default 5e-4). */
  lr?: number;
  /** Learning rate at the start of the warm-up (default 0). */
  startLr?: number;
  /** Learning rate the cosine ends at (default 1e-6). */
  finalLr?: number;
  /** Linear warm-up steps (default 0). */
  warmupSteps?: number;
  /** Weight decay (default 0.05), on weights only (not biases, norms). */
  weightDecay?: number;
  /** Weight decay the cosine ends at (default: `weightDecay`, constant). */
  finalWeightDecay?: number;
  /** Layer-wise learning-rate decay per block (default 0.75; 1 = none): see `layerDecayGroups`. */
  layerDecay?: number;
  /** Stochastic depth of the deepest block, rising linearly from 0 at the first (default 0.1). */
  dropPath?: number;
  /** Label smoothing ε of the cross-entropy (default 0.1). */
  labelSmoothing?: number;
  /** Global-norm gradient clip; null for none (default null). */
  clipGrad?: number | null;
}

/** The defaults of {@link FinetuneRecipe}. */
export const FINETUNE_DEFAULTS = {
  lr: 5e-4,
  startLr: 0,
  finalLr: 1e-6,
  warmupSteps: 0,
  weightDecay: 0.05,
  layerDecay: 0.75,
  dropPath: 0.1,
  labelSmoothing: 0.1,
  clipGrad: null,
} as const satisfies FinetuneRecipe;

/** Options of {@link runFinetuning}. */
export interface FinetuneOptions extends FinetuneRecipe {
  /** The encoder, trained in place (unfrozen). */
  encoder: VisionTransformer;
  /** The classifier on its features, trained in place. */
  head: FinetuneHead;
  /** Labelled batches (a shuffled `ClipLoader` through `loaderBatchSource`); its state is checkpointed. */
  source: BatchSource;
  /** The label of the batches to predict. */
  label: string;
  /** Optimizer steps in all (counting those of a resumed run); the schedules span them. */
  steps: number;
  /** Seed of the drop-path draws (default 0). */
  seed?: number;
  /** Folder for `checkpoints/` and `metrics.jsonl`; nothing is written without it. */
  outDir?: string;
  /** A checkpoint every this many steps (default 100) and at the end. */
  checkpointEvery?: number;
  /** Checkpoints to keep (default 3). */
  keepCheckpoints?: number;
  /** Continue from the newest checkpoint in `outDir/checkpoints` (or this checkpoint directory). */
  resume?: boolean | string;
  /** Saved as `config` in every checkpoint's state (the encoder's run configuration, so the run reads as a source). */
  config?: unknown;
  /** Saved as `finetune` in every checkpoint's state (the head and data settings, to rebuild them on resume). */
  meta?: Record<string, unknown>;
  /** Stops cleanly when aborted: the step finishes, a checkpoint is written. */
  signal?: AbortSignal;
  onProgress?: (event: FinetuneProgress) => void;
  onWarning?: (message: string) => void;
}

/** One fine-tuning step, as reported to `onProgress` and written to `metrics.jsonl`. */
export interface FinetuneProgress {
  /** 0-based step. */
  step: number;
  totalSteps: number;
  /** Label-smoothed cross-entropy of the batch. */
  loss: number;
  /** Fraction of the batch the head classified right (drop path active). */
  accuracy: number;
  /** The scheduled learning rate (the head's; block i gets `layerDecay^(depth − i)` of it). */
  lr: number;
  weightDecay: number;
  /** Global gradient norm before clipping, when `clipGrad` is set. */
  gradNorm?: number;
  clipsPerSecond: number;
  etaSeconds: number;
}

/** What {@link runFinetuning} reports: what a pretraining run reports (`runTraining`'s summary). */
export type FinetuneSummary = TrainingSummary;

const FINETUNE_KEYS = optionKeys<FinetuneOptions>({
  encoder: true, head: true, source: true, label: true, steps: true, seed: true, outDir: true, checkpointEvery: true, keepCheckpoints: true, resume: true,
  config: true, meta: true, signal: true, onProgress: true, onWarning: true, lr: true, startLr: true, finalLr: true, warmupSteps: true, weightDecay: true,
  finalWeightDecay: true, layerDecay: true, dropPath: true, labelSmoothing: true, clipGrad: true,
});

/** One line describing a fine-tuning step, with the ETA. */
export function describeFinetuneStep(e: FinetuneProgress): string {
  return (
    `step ${e.step + 1}/${e.totalSteps} | loss ${e.loss.toFixed(4)} | acc ${(100 * e.accuracy).toFixed(1)} % | lr ${e.lr.toExponential(2)} | ` +
    `${e.clipsPerSecond.toFixed(2)} clips/s | ETA ${formatEta(e.etaSeconds)}`
  );
}

/** The drop-path rate of each block: linear from 0 at the first to `rate` at the last (timm's `linspace(0, rate, depth)`). */
export function dropPathRates(rate: number, depth: number): number[] {
  return Array.from({ length: depth }, (_, i) => (depth > 1 ? (rate * i) / (depth - 1) : 0));
}

function checkRate(argument: string, value: unknown, max: number, closed = false): asserts value is number {
  if (typeof value !== 'number' || !(value >= 0 && (closed ? value <= max : value < max))) fail(argument, `a number in [0, ${max}${closed ? ']' : ')'}`, value);
}

interface SavedFinetuneState {
  step: number;
  source: unknown;
}

/**
 * Fine-tunes an encoder end to end under a classification head: AdamW over both with layer-wise
 * learning-rate decay (`layerDecayGroups`), the learning rate by `WarmupCosineSchedule` (linear warm-up,
 * then cosine) and weight decay by `CosineWDSchedule` over `steps`, drop path in the encoder's blocks
 * (seeded per step), label-smoothed cross-entropy, optional global-norm clipping. Checkpoints are the
 * trainer's (`encoder`, `head`, the optimizer, the data position), and `resume` continues with the same
 * losses as an uninterrupted run. Every step runs in one `tf.tidy`: `tf.memory().numTensors` stays flat.
 *
 * @example
 * const summary = await runFinetuning({ encoder, head, source: loaderBatchSource(loader), label: 'direction', steps: 200, warmupSteps: 20, outDir: 'runs/ft' });
 */
export async function runFinetuning(options: FinetuneOptions): Promise<FinetuneSummary> {
  checkKeys('options', options, FINETUNE_KEYS);
  const recipe = { ...FINETUNE_DEFAULTS, ...options };
  const { encoder, head, steps } = options;
  if (typeof encoder?.apply !== 'function' || !Array.isArray(encoder.blocks)) fail('encoder', 'a VisionTransformer', encoder);
  if (typeof head?.apply !== 'function' || head.config?.dim !== encoder.config.dim) fail('head', `a head on ${encoder.config?.dim}-wide features`, head?.config?.dim);
  if (typeof options.label !== 'string' || options.label === '') fail('label', 'a label name', options.label);
  if (!Number.isInteger(steps) || steps < 1) fail('steps', 'a positive integer', steps);
  const checkpointEvery = options.checkpointEvery ?? 100;
  if (!Number.isInteger(checkpointEvery) || checkpointEvery < 1) fail('checkpointEvery', 'a positive integer', checkpointEvery);
  for (const key of ['lr', 'startLr', 'finalLr', 'weightDecay'] as const) checkRate(key, recipe[key], Infinity);
  checkRate('dropPath', recipe.dropPath, 1);
  checkRate('labelSmoothing', recipe.labelSmoothing, 1);
  if (!Number.isInteger(recipe.warmupSteps) || recipe.warmupSteps < 0 || recipe.warmupSteps > steps) fail('warmupSteps', `an integer in [0, ${steps}] (steps)`, recipe.warmupSteps);
  const clipGrad = recipe.clipGrad;
  if (clipGrad !== null && !(typeof clipGrad === 'number' && clipGrad > 0 && Number.isFinite(clipGrad))) fail('clipGrad', 'a positive number or null', clipGrad);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) fail('seed', 'a safe integer', seed);
  if (options.outDir !== undefined && (typeof options.outDir !== 'string' || options.outDir === '')) fail('outDir', 'a folder path', options.outDir);
  const { groups, lrScale } = layerDecayGroups(encoder, head, recipe.layerDecay);
  const lrSchedule = new WarmupCosineSchedule({ startLr: recipe.startLr, refLr: recipe.lr, finalLr: recipe.finalLr, warmupSteps: recipe.warmupSteps, totalSteps: steps });
  const wdSchedule = new CosineWDSchedule({ refWd: recipe.weightDecay, finalWd: options.finalWeightDecay ?? recipe.weightDecay, totalSteps: steps });
  const lock = options.outDir ? acquireRunLock(options.outDir) : null;
  const optimizer = new AdamW(groups, { lr: recipe.lr, weightDecay: recipe.weightDecay });
  const rates = dropPathRates(recipe.dropPath, encoder.blocks.length);
  const previous = encoder.blocks.map((block) => block.dropPath);
  encoder.blocks.forEach((block, i) => (block.dropPath = rates[i]));
  try {
    return await finetuneLoop(options, { optimizer, lrScale, lrSchedule, wdSchedule, params: groupParameters(groups), clipGrad, seed, checkpointEvery, smoothing: recipe.labelSmoothing });
  } finally {
    encoder.blocks.forEach((block, i) => {
      block.dropPath = previous[i];
      block.dropPathRng = null;
    });
    optimizer.dispose();
    lock?.release();
  }
}

interface LoopParts {
  optimizer: AdamW;
  lrScale: Map<string, number>;
  lrSchedule: WarmupCosineSchedule;
  wdSchedule: CosineWDSchedule;
  params: Map<string, tf.Variable>;
  clipGrad: number | null;
  seed: number;
  checkpointEvery: number;
  smoothing: number;
}

async function finetuneLoop(options: FinetuneOptions, parts: LoopParts): Promise<FinetuneSummary> {
  const { encoder, head, source, outDir, label, steps } = options;
  const { optimizer, lrScale, lrSchedule, wdSchedule, params, clipGrad } = parts;
  const warn = options.onWarning ?? ((message: string) => console.warn(`warning: ${message}`));
  const modules = { encoder, head };
  const checkpointRoot = outDir ? join(outDir, 'checkpoints') : undefined;
  let startStep = 0;
  if (options.resume) {
    const from = typeof options.resume === 'string' ? options.resume : checkpointRoot;
    if (!from) fail('resume', 'an outDir or a checkpoint directory', options.resume);
    const loaded = loadCheckpoint(from, modules, { onWarning: warn });
    const saved = loaded.state as unknown as SavedFinetuneState;
    if (loaded.optimizer) optimizer.loadState(loaded.optimizer);
    if (saved.source != null) source.setState(saved.source);
    startStep = saved.step;
  }
  if (outDir) mkdirSync(outDir, { recursive: true });
  const metricsFile = outDir ? join(outDir, 'metrics.jsonl') : undefined;
  let lastCheckpoint = checkpointRoot ? latestGoodCheckpointDir(checkpointRoot, () => undefined) : null;
  const checkpoint = (done: number, sourceState: unknown) => {
    if (!checkpointRoot) return;
    const state = { step: done, source: sourceState, config: options.config, finetune: options.meta };
    try {
      lastCheckpoint = saveCheckpoint(checkpointRoot, modules, state, optimizer.state(), { keep: options.keepCheckpoints ?? DEFAULT_KEEP_CHECKPOINTS });
    } catch (error) {
      throw new CheckpointWriteError(done, lastCheckpoint, error);
    }
  };
  const root = new RandomStream(parts.seed).fork('drop-path');
  const variables = [...params.values()];
  const losses: number[] = [];
  const started = performance.now();
  let recentSeconds = 0;
  let interrupted = false;
  let pending = startStep < steps ? source.next() : null;
  const drain = () => pending?.then((b) => tf.dispose(b.video)).catch(() => undefined);
  for (let k = startStep; k < steps; k++) {
    const batch = await pending!;
    const sourceState = source.getState();
    pending = k + 1 < steps ? source.next() : null;
    const stepStart = performance.now();
    // 1. Schedules at s = k + 1 (the first update uses s = 1), scaled per layer.
    const stepLr = lrSchedule.valueAt(k + 1);
    const stepWd = wdSchedule.valueAt(k + 1);
    for (const group of optimizer.groups) {
      group.lr = stepLr * lrScale.get(group.name)!;
      if (group.applyWeightDecay) group.weightDecay = stepWd;
    }
    // 2. Drop path draws from a stream of this step alone, so a resumed run drops the same paths.
    const draws = root.fork(`step-${k + 1}`);
    for (const block of encoder.blocks) block.dropPathRng = draws;
    let loss = NaN;
    let accuracy = 0;
    let gradNorm: number | undefined;
    try {
      const labels = batch.labels?.[label];
      if (!labels) fail('label', `a label of the batches: ${Object.keys(batch.labels ?? {}).join(', ') || 'none'}`, label);
      tf.tidy(() => {
        let logits: tf.Tensor2D | undefined;
        const { value, grads } = tf.variableGrads(() => {
          logits = tf.keep(head.apply(encoder.apply(batch.video))); // [B, C]
          return smoothedCrossEntropy(logits, labels, parts.smoothing);
        }, variables);
        const update = clipOptional(gradientsByKey(params, grads), clipGrad);
        gradNorm = update.totalNorm;
        optimizer.step(update.grads);
        loss = value.dataSync()[0];
        const predicted = Array.from(tf.argMax(logits!, 1).dataSync()); // [B]
        accuracy = predicted.filter((p, i) => p === labels[i]).length / labels.length;
        logits!.dispose();
      });
    } catch (error) {
      await drain();
      throw error;
    } finally {
      for (const block of encoder.blocks) block.dropPathRng = null;
      tf.dispose(batch.video);
    }
    if (!Number.isFinite(loss)) {
      await drain();
      throw new TrainingDivergedError(k, loss, lastCheckpoint);
    }
    losses.push(loss);
    const seconds = (performance.now() - stepStart) / 1000;
    recentSeconds = recentSeconds === 0 ? seconds : 0.9 * recentSeconds + 0.1 * seconds;
    const event: FinetuneProgress = {
      step: k,
      totalSteps: steps,
      loss,
      accuracy,
      lr: stepLr,
      weightDecay: stepWd,
      ...(gradNorm === undefined ? {} : { gradNorm }),
      clipsPerSecond: batch.video.shape[0] / recentSeconds,
      etaSeconds: recentSeconds * (steps - k - 1),
    };
    if (metricsFile) appendFileSync(metricsFile, `${JSON.stringify(event)}\n`);
    options.onProgress?.(event);
    const done = k + 1;
    interrupted = options.signal?.aborted === true && done < steps;
    try {
      if (done % parts.checkpointEvery === 0 || done === steps || interrupted) checkpoint(done, sourceState);
    } catch (error) {
      await drain();
      throw error;
    }
    if (interrupted) {
      await drain();
      break;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { startStep, steps, losses, checkpointDir: lastCheckpoint ?? undefined, elapsedSeconds: (performance.now() - started) / 1000, interrupted };
}
