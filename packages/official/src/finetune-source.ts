import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, fail, optionKeys, selectBackend, type BackendRequest } from '@vjepa/core';
import { ClipLoader, evalTransform, loaderBatchSource, openProbeData, pretrainingTransform, sourceLabels } from '@vjepa/data';
import { AttentiveProbe, LinearProbe, evaluateProbe, extractProbeFeatures, formatConfusionMatrix, type Probe } from '@vjepa/probe';
import { describeFinetuneStep, readRunState, runFinetuning, type FinetuneProgress, type FinetuneRecipe, type TrainFlags } from '@vjepa/trainer';
import { resolveVitConfig } from '@vjepa/vit';
import { featureSourceConfig, loadEncoder } from './feature-source';
import type { InferOverrides } from './infer-encoder';

/** Options of {@link finetuneSource}: what `vjepa finetune` takes. The recipe's fields are those of `runFinetuning` (steps excepted: epochs here). */
export interface FinetuneSourceOptions extends Omit<FinetuneRecipe, 'warmupSteps'> {
  /** The encoder to start from: a `vjepa train` output folder or checkpoint directory, an official pretraining `.pth*`, or `random` (untrained). */
  checkpoint: string;
  /** With a `.pth*` checkpoint: what its tensors cannot say. */
  inferred?: InferOverrides;
  /** With `random`: the encoder's configuration, as the flags of `vjepa train`. */
  modelFlags?: TrainFlags;
  /** Which encoder of a checkpoint (default `target`). */
  encoder?: 'target' | 'online';
  /** Training and validation clips: `synthetic[:NAME]`, a CSV index or a folder. */
  train: string;
  val: string;
  /** The label to predict (default `shape` for synthetic data, else `label`). */
  label?: string;
  /** Clips of a synthetic train / val set (default 1024 / 512). */
  trainSize?: number;
  valSize?: number;
  /** Spatial views of the validation clips, softmax averaged (default 1). */
  views?: number;
  /** Fine-tune on a seeded, class-balanced subset: this many training clips per class. Default: every clip. */
  labelsPerClass?: number;
  /** The head: `attentive` (default, the official probe) or `linear` (mean token). */
  head?: 'attentive' | 'linear';
  /** Passes over the training clips (default 20). */
  epochs?: number;
  /** Optimizer steps in all instead of `epochs` passes: the same compute whatever the number of labels. */
  steps?: number;
  /** Linear warm-up in epochs (default 2, at most `epochs`; with `steps`, at most a tenth of them by default). */
  warmupEpochs?: number;
  /** Clips per step (default 16). */
  batchSize?: number;
  /** Random resized crop and horizontal flip on the training clips (labels mirrored); default false (the test transform). */
  augment?: boolean;
  /** Seed of the head, the data order, the subset and the drop path (default 0). */
  seed?: number;
  /** Output folder: `checkpoints/`, `metrics.jsonl` (default `runs/finetune-ENCODER-LABEL-N-seedS`). */
  out?: string;
  /** Continue the run in `out`. */
  resume?: boolean;
  /** A checkpoint every this many steps (default 100) and at the end. */
  checkpointEvery?: number;
  backend?: BackendRequest;
  /** Stops cleanly (a checkpoint written) when aborted. */
  signal?: AbortSignal;
  /** Receives every line (default `console.log`). */
  log?: (line: string) => void;
  /** Told about every step (default: a line to `log` for the first, every 10th and the last). */
  onProgress?: (event: FinetuneProgress) => void;
}

/** The result of `vjepa finetune`, printed as one JSON line. */
export interface FinetuneResult {
  task: string;
  /** Validation top-1 of the fine-tuned encoder and head, in [0, 1]. */
  top1: number;
  classes: number;
  /** Training clips used (N per class with `labelsPerClass`). */
  train: number;
  val: number;
  /** N, or `all`. */
  labelsPerClass: number | 'all';
  head: 'attentive' | 'linear';
  /** `random` or the encoder read (`target`, `online`). */
  encoder: 'random' | 'target' | 'online';
  checkpoint: string;
  /** Passes over the training clips (`steps` / steps per epoch with `steps`). */
  epochs: number;
  steps: number;
  seed: number;
  /** The fine-tuning run's folder (its checkpoints hold `encoder` and `head`). */
  out: string;
  /** True when it stopped early (a signal); `top1` is then that of the weights so far. */
  interrupted: boolean;
}

const FINETUNE_SOURCE_KEYS = optionKeys<FinetuneSourceOptions>({
  checkpoint: true, inferred: true, modelFlags: true, encoder: true, train: true, val: true, label: true, trainSize: true, valSize: true, views: true,
  labelsPerClass: true, head: true, epochs: true, steps: true, warmupEpochs: true, batchSize: true, augment: true, seed: true, out: true, resume: true,
  checkpointEvery: true, backend: true, signal: true, log: true, onProgress: true, lr: true, startLr: true, finalLr: true, weightDecay: true,
  finalWeightDecay: true, layerDecay: true, dropPath: true, labelSmoothing: true, clipGrad: true,
});

/** Refuses to resume a run in `out` made with other settings (or none there), naming each that differs. */
function checkSameRun(out: string, meta: Record<string, unknown>): void {
  const saved = readRunState(out)?.state.finetune as Record<string, unknown> | undefined;
  if (!saved) fail('--resume', `a vjepa finetune run in ${out}`, 'none', 'Drop --resume to start one');
  const differ = Object.keys(meta).filter((key) => JSON.stringify(saved[key]) !== JSON.stringify(meta[key]));
  if (differ.length > 0) {
    fail('--resume', `the settings of the run in ${out}`, differ.map((key) => `${key} ${JSON.stringify(meta[key])} (the run has ${JSON.stringify(saved[key])})`).join(', '));
  }
}

function positiveInteger(argument: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) fail(argument, 'a positive integer', value);
  return value as number;
}

/**
 * `vjepa finetune`: the encoder of `checkpoint` (or a random one) unfrozen under an attentive or linear
 * head and trained end to end on the training clips (all, or `labelsPerClass` per class) with the
 * recipe of `runFinetuning` (layer-wise lr decay, warm-up + cosine, drop path, label smoothing), its
 * checkpoints and resume; then evaluated on every validation clip (views averaged). Logs top-1, the
 * confusion matrix and one JSON line ({@link FinetuneResult}), and returns it.
 */
export async function finetuneSource(options: FinetuneSourceOptions): Promise<FinetuneResult> {
  checkKeys('options', options, FINETUNE_SOURCE_KEYS);
  const log = options.log ?? console.log;
  const { checkpoint, lr, startLr, finalLr, weightDecay, finalWeightDecay, layerDecay, dropPath, labelSmoothing, clipGrad } = options;
  if (checkpoint === 'pixels') fail('checkpoint', "an encoder to fine-tune: a run, a .pth.tar or 'random' (pixels have none)", checkpoint);
  const which = options.encoder ?? 'target';
  const head = options.head ?? 'attentive';
  if (head !== 'attentive' && head !== 'linear') fail('head', 'attentive or linear', head);
  const epochs = positiveInteger('epochs', options.epochs ?? 20);
  if (options.steps !== undefined) positiveInteger('steps', options.steps);
  const batchSize = positiveInteger('batchSize', options.batchSize ?? 16);
  const warmupEpochs = options.warmupEpochs ?? Math.min(2, epochs);
  if (typeof warmupEpochs !== 'number' || !(warmupEpochs >= 0 && warmupEpochs <= epochs)) fail('warmupEpochs', `a number in [0, ${epochs}] (epochs)`, warmupEpochs);
  if (options.labelsPerClass !== undefined) positiveInteger('labelsPerClass', options.labelsPerClass);
  const seed = options.seed ?? 0;
  const label = options.label ?? (options.train.startsWith('synthetic') ? 'shape' : 'label');
  const config = featureSourceConfig(checkpoint, { which, inferred: options.inferred, modelFlags: options.modelFlags });
  const random = checkpoint === 'random';
  const encoderName = random ? 'random' : which;
  const out = resolve(options.out ?? join('runs', `finetune-${encoderName}-${label}-${options.labelsPerClass ?? 'all'}-seed${seed}`));
  const choice = await selectBackend(options.backend ?? 'auto');
  log(`backend ${choice.backend}`);
  const { data } = config;
  const { train, val } = await openProbeData({
    train: options.train, val: options.val, frames: data.frames, frameStep: data.frameStep, crop: data.crop, views: options.views, seed,
    trainSize: options.trainSize, valSize: options.valSize, batchSize,
    ...(options.labelsPerClass === undefined ? {} : { labelsPerClass: { label, count: options.labelsPerClass } }),
  });
  const trainLabels = await sourceLabels(train.sources[0], label);
  const classes = Math.max(...trainLabels, ...(await sourceLabels(val.sources[0], label))) + 1;
  const stepsPerEpoch = Math.ceil(train.size / batchSize);
  const steps = options.steps ?? epochs * stepsPerEpoch;
  const warmupSteps = Math.min(steps, Math.trunc(options.steps !== undefined && options.warmupEpochs === undefined ? steps / 10 : warmupEpochs * stepsPerEpoch));
  const meta = { checkpoint, encoder: encoderName, head, classes, label, labelsPerClass: options.labelsPerClass ?? 'all', steps, batchSize, seed };
  if (options.resume) checkSameRun(out, meta);
  const vit = resolveVitConfig(config.model.encoder);
  const encoder = loadEncoder(config, random ? undefined : checkpoint, which);
  const classifier: Probe =
    head === 'attentive' ? new AttentiveProbe({ dim: vit.dim, heads: vit.heads, classes, seed }) : new LinearProbe({ dim: vit.dim, classes, seed });
  const transform = options.augment ? pretrainingTransform({ cropSize: data.crop }) : evalTransform({ cropSize: data.crop });
  const loader = new ClipLoader(train.sources[0], { batchSize, transform, seed, shuffle: true, dropLast: false, onWarning: (message) => log(`warning: ${message}`) });
  try {
    log(`encoder: ${random ? `an untrained ViT-${config.model.size} (seed ${config.seed})` : `the ${which} encoder of ${checkpoint}`}, unfrozen under ${head === 'attentive' ? 'an' : 'a'} ${head} head`);
    const length = options.steps === undefined ? `${epochs} epochs × ${stepsPerEpoch} steps` : `${steps} steps (${(steps / stepsPerEpoch).toFixed(1)} epochs)`;
    log(`task '${label}': ${classes} classes, ${train.size} train clips (${train.description}), ${val.size} val clips; ${length} of ${batchSize}, warm-up ${warmupSteps}`);
    const every = (e: FinetuneProgress) => e.step === 0 || (e.step + 1) % 10 === 0 || e.step + 1 === e.totalSteps;
    const summary = await runFinetuning({
      encoder, head: classifier, source: loaderBatchSource(loader), label, steps, seed, outDir: out, resume: options.resume,
      warmupSteps, checkpointEvery: options.checkpointEvery, config, signal: options.signal,
      meta,
      onProgress: options.onProgress ?? ((e) => (every(e) ? log(describeFinetuneStep(e)) : undefined)),
      onWarning: (message) => log(`warning: ${message}`),
      ...Object.fromEntries(Object.entries({ lr, startLr, finalLr, weightDecay, finalWeightDecay, layerDecay, dropPath, labelSmoothing, clipGrad }).filter(([, v]) => v !== undefined)),
    });
    if (summary.checkpointDir) log(`checkpoint: ${summary.checkpointDir}`);
    const features = await extractProbeFeatures({ apply: (video) => encoder.apply(video) }, val, [label]);
    let evaluation;
    try {
      evaluation = evaluateProbe(classifier, features.features, features.labels[label]);
    } finally {
      tf.dispose(features.features);
    }
    log(`fine-tuned top-1 on val: ${(100 * evaluation.top1).toFixed(2)} %`);
    log(formatConfusionMatrix(evaluation.confusion));
    const result: FinetuneResult = {
      task: label, top1: evaluation.top1, classes, train: train.size, val: val.size, labelsPerClass: options.labelsPerClass ?? 'all', head, encoder: encoderName,
      checkpoint, epochs: options.steps === undefined ? epochs : Number((steps / stepsPerEpoch).toFixed(2)), steps, seed, out, interrupted: summary.interrupted,
    };
    log(JSON.stringify(result));
    return result;
  } finally {
    loader.close();
    classifier.dispose();
    encoder.dispose();
  }
}
