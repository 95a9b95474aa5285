import { dirname, join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, fail, selectBackend, writeSafetensors, type BackendRequest, type SafeTensorInput } from '@vjepa/core';
import {
  ClipLoader,
  evalTransform,
  multiViewTransform,
  openClipSource,
  sampleEvalClips,
  type ClipSource,
  type ClipTransform,
} from '@vjepa/data';
import { VisionTransformer } from '@vjepa/vit';
import {
  AttentiveProbe,
  LinearProbe,
  concatSegments,
  evaluateProbe,
  formatConfusionMatrix,
  trainProbe,
  type Probe,
} from '@vjepa/probe';
import { resolveRunConfig, type RunConfig, type TrainFlags } from '../train/config';
import { checkpointRunConfig, loadEncoderWeights } from '../torch/encoder-source';
import { readOfficialClassifier, type InferOverrides } from '../torch/official';

/** Options of `vjepa probe`. */
export interface ProbeOptions {
  /** A `vjepa train` output folder or checkpoint directory, an official pretraining `.pth.tar`, or `random` for an untrained encoder. */
  checkpoint: string;
  /** With a `.pth*` checkpoint: what its tensors cannot say (heads of a custom width, frames). */
  inferred?: InferOverrides;
  /** An official attentive-probe checkpoint (`classifier`): evaluate with it instead of training a probe. */
  probeCheckpoint?: string;
  /** With `random`: the encoder's configuration, as the flags of `vjepa train`. */
  modelFlags?: TrainFlags;
  train: string;
  val: string;
  /** Which labels to predict, one probe each on the same features (default `shape` for synthetic data, else `label`). */
  labels?: string[];
  encoder?: 'target' | 'online';
  probe?: 'attentive' | 'linear';
  segments?: number;
  views?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** Clips of a synthetic train / val set (default 1024 / 512). */
  trainSize?: number;
  valSize?: number;
  seed?: number;
  out?: string;
  backend?: BackendRequest;
  log?: (line: string) => void;
}

/** The result line `vjepa probe` ends with. */
export interface ProbeSummary {
  top1: number;
  classes: number;
  train: number;
  val: number;
  task: string;
  probe: string;
  encoder: string;
  checkpoint: string;
}

interface Dataset {
  features: tf.Tensor3D[]; // one [M, S·N, D] per view
  labels: Record<string, Int32Array>;
}

async function openSource(spec: string, config: RunConfig, seed: number, size: number | undefined, segment: number, segments: number): Promise<ClipSource> {
  const { frames, frameStep } = config.data;
  return openClipSource(spec, {
    synthetic: { seed, numFrames: frames, size },
    sampler: (n) => sampleEvalClips(n, segments, null, { framesPerClip: frames, frameStep, randomClipSampling: false })[segment],
  });
}

/** Frozen features of every clip of `source` under one transform: `[M, N, D]` and the labels. */
async function encodeAll(encoder: VisionTransformer, source: ClipSource, transform: ClipTransform, labelNames: string[], batchSize: number) {
  const loader = new ClipLoader(source, { batchSize, transform, seed: 0, shuffle: false, dropLast: false });
  const chunks: Float32Array[] = [];
  const labels: Record<string, number[]> = Object.fromEntries(labelNames.map((name) => [name, []]));
  let count = 0;
  let tokens = 0;
  try {
    for await (const batch of loader.iterateEpoch()) {
      for (const name of labelNames) {
        const values = batch.labels[name];
        if (!values) fail('--label', `labels of ${source.description ?? 'the data'}: ${Object.keys(batch.labels).join(', ')}`, name);
        labels[name].push(...values);
      }
      const features = tf.tidy(() => encoder.apply(tf.tensor5d(batch.data, batch.shape))); // [B, N, D]
      tokens = features.shape[1];
      count += features.shape[0];
      chunks.push(features.dataSync() as Float32Array);
      features.dispose();
    }
  } finally {
    loader.close();
  }
  const dim = encoder.config.dim;
  const data = new Float32Array(count * tokens * dim);
  chunks.reduce((offset, chunk) => (data.set(chunk, offset), offset + chunk.length), 0);
  const byName = Object.fromEntries(Object.entries(labels).map(([name, values]) => [name, Int32Array.from(values)]));
  return { features: tf.tensor3d(data, [count, tokens, dim]), labels: byName };
}

async function buildDataset(
  encoder: VisionTransformer,
  spec: string,
  config: RunConfig,
  options: { seed: number; size?: number; views: number; segments: number; labels: string[]; batchSize: number },
): Promise<Dataset> {
  const crop = config.data.crop;
  const perView: tf.Tensor3D[] = [];
  let labels: Record<string, Int32Array> = {};
  for (let view = 0; view < options.views; view++) {
    const transform = options.views === 1 ? evalTransform({ cropSize: crop }) : multiViewTransform(view, options.views, { cropSize: crop });
    const segments: tf.Tensor3D[] = [];
    for (let segment = 0; segment < options.segments; segment++) {
      const source = await openSource(spec, config, options.seed, options.size, segment, options.segments);
      const encoded = await encodeAll(encoder, source, transform, options.labels, options.batchSize);
      segments.push(encoded.features);
      labels = encoded.labels;
    }
    perView.push(segments.length === 1 ? segments[0] : concatSegments(segments));
    if (segments.length > 1) tf.dispose(segments);
  }
  return { features: perView, labels };
}

function probeTensors(probe: Probe): Record<string, SafeTensorInput> {
  const out: Record<string, SafeTensorInput> = {};
  for (const [key, variable] of probe.stateDict()) out[key] = { dtype: 'F32', shape: variable.shape, data: variable.dataSync() as Float32Array };
  return out;
}

/**
 * `vjepa probe`: trains an attentive (or linear) probe on frozen features of a pretrained — or, with
 * `random`, an untrained — encoder, prints top-1 and the confusion matrix, writes the probe's weights
 * (official keys) and prints a JSON summary line per task; returns the summaries in task order.
 */
export async function runProbe(options: ProbeOptions): Promise<ProbeSummary[]> {
  const log = options.log ?? console.log;
  const random = options.checkpoint === 'random';
  const saved = random ? null : checkpointRunConfig(options.checkpoint, options.encoder ?? 'target', options.inferred);
  if (!random && !saved) fail('--checkpoint', "a vjepa train output folder, a checkpoint directory, a .pth.tar file, or 'random'", options.checkpoint);
  const config = saved ?? resolveRunConfig(options.modelFlags ?? {});
  const views = options.views ?? 1;
  const segments = options.segments ?? 1;
  const seed = options.seed ?? 0;
  const probeKind = options.probe ?? 'attentive';
  const which = options.encoder ?? 'target';
  const synthetic = options.train.startsWith('synthetic');
  const labelNames = options.labels?.length ? options.labels : [synthetic ? 'shape' : 'label'];
  for (const [name, value] of [['--views', views], ['--segments', segments]] as const) {
    if (!Number.isInteger(value) || value < 1) fail(name, 'a positive integer', value);
  }
  if (probeKind !== 'attentive' && probeKind !== 'linear') fail('--probe', 'attentive or linear', probeKind);
  const choice = await selectBackend(options.backend ?? 'auto');
  log(`backend ${choice.backend}`);

  const encoder = new VisionTransformer(config.model.encoder, { rng: new RandomStream(config.seed), init: 'pretraining' });
  const datasets: Dataset[] = [];
  const summaries: ProbeSummary[] = [];
  try {
    if (!random) loadEncoderWeights(options.checkpoint, which, encoder);
    const source = random ? `an untrained ViT-${config.model.size} (seed ${config.seed})` : `the ${which} encoder of ${options.checkpoint}`;
    log(`encoder: ${source}`);
    const batchSize = 16;
    const common = { segments, labels: labelNames, batchSize };
    const train = await buildDataset(encoder, options.train, config, { ...common, seed: 1000 + seed, size: options.trainSize ?? (synthetic ? 1024 : undefined), views: 1 });
    datasets.push(train);
    const valSynthetic = options.val.startsWith('synthetic');
    const val = await buildDataset(encoder, options.val, config, { ...common, seed: 2000 + seed, size: options.valSize ?? (valSynthetic ? 512 : undefined), views });
    datasets.push(val);
    for (const label of labelNames) {
      summaries.push(await probeTask(label, train, val, { ...options, probe: probeKind, seed, encoderName: random ? 'random' : which, model: encoder, log }));
    }
    return summaries;
  } finally {
    for (const d of datasets) tf.dispose(d.features);
    encoder.dispose();
  }
}

/** Trains and evaluates one probe on one label of shared features, writes its weights, logs the summary line. */
async function probeTask(
  label: string,
  train: Dataset,
  val: Dataset,
  options: ProbeOptions & { probe: 'attentive' | 'linear'; seed: number; encoderName: string; model: VisionTransformer; log: (line: string) => void },
): Promise<ProbeSummary> {
  const { log, model: encoder } = options;
  const trainLabels = train.labels[label];
  const valLabels = val.labels[label];
  const classes = Math.max(...trainLabels, ...valLabels) + 1;
  log(`task '${label}': ${classes} classes, ${trainLabels.length} train and ${valLabels.length} val clips, ${options.segments ?? 1} segment(s), ${options.views ?? 1} view(s)`);
  const dim = encoder.config.dim;
  if (options.probeCheckpoint) return evaluateOfficialProbe(label, train, val, options);
  const probe: Probe =
    options.probe === 'attentive'
      ? new AttentiveProbe({ dim, heads: encoder.config.heads, classes, seed: options.seed })
      : new LinearProbe({ dim, classes, seed: options.seed });
  try {
    const trained = trainProbe({
      probe,
      features: train.features[0],
      labels: trainLabels,
      epochs: options.epochs ?? 20,
      batchSize: options.batchSize ?? 64,
      lr: options.lr ?? 1e-3,
      seed: options.seed,
    });
    log(`probe training loss: ${trained.losses[0].toFixed(4)} → ${trained.losses[trained.losses.length - 1].toFixed(4)}`);
    const evaluation = evaluateProbe(probe, val.features, valLabels);
    log(`top-1 on val: ${(100 * evaluation.top1).toFixed(2)} %`);
    log(formatConfusionMatrix(evaluation.confusion));
    const random = options.checkpoint === 'random';
    const out = resolve(
      options.out && (options.labels?.length ?? 1) <= 1
        ? options.out
        : join(options.out ? dirname(options.out) : random ? 'runs' : options.checkpoint, `probe-${options.encoderName}-${label}-${options.probe}.safetensors`),
    );
    mkdirSync(dirname(out), { recursive: true });
    await writeSafetensors(out, probeTensors(probe), { task: label, classes: String(classes), probe: options.probe });
    log(`probe weights: ${out}`);
    const summary: ProbeSummary = {
      top1: evaluation.top1,
      classes,
      train: trainLabels.length,
      val: valLabels.length,
      task: label,
      probe: options.probe,
      encoder: options.encoderName,
      checkpoint: options.checkpoint,
    };
    log(JSON.stringify(summary));
    return summary;
  } finally {
    probe.dispose();
  }
}

/** Evaluates an official attentive-probe checkpoint (`classifier`) on the validation features, training nothing. */
function evaluateOfficialProbe(
  label: string,
  train: Dataset,
  val: Dataset,
  options: ProbeOptions & { encoderName: string; model: VisionTransformer; log: (line: string) => void },
): ProbeSummary {
  const { log, model: encoder } = options;
  const file = options.probeCheckpoint!;
  const weights = readOfficialClassifier(file);
  const head = weights.get('linear.weight');
  if (!head || head.shape.length !== 2 || head.shape[1] !== encoder.config.dim) {
    fail(`${file}: classifier linear.weight`, `a [classes, ${encoder.config.dim}] head for this encoder`, head?.shape ?? 'none');
  }
  let depth = 1;
  while (weights.has(`pooler.blocks.${depth - 1}.norm1.weight`)) depth++;
  const classes = head.shape[0];
  const valLabels = val.labels[label];
  const top = Math.max(...valLabels);
  if (top >= classes) fail(`--probe-checkpoint ${file}`, `a classifier covering the ${top + 1} classes of '${label}'`, `${classes} classes`);
  const probe = new AttentiveProbe({ dim: encoder.config.dim, heads: encoder.config.heads, classes, depth, seed: options.seed ?? 0 });
  try {
    probe.loadStateDict(weights, { source: `${file} (classifier)` });
    const evaluation = evaluateProbe(probe, val.features, valLabels);
    log(`top-1 on val with ${file}: ${(100 * evaluation.top1).toFixed(2)} %`);
    log(formatConfusionMatrix(evaluation.confusion));
    const summary: ProbeSummary = {
      top1: evaluation.top1,
      classes,
      train: train.labels[label].length,
      val: valLabels.length,
      task: label,
      probe: 'attentive',
      encoder: options.encoderName,
      checkpoint: options.checkpoint,
    };
    log(JSON.stringify(summary));
    return summary;
  } finally {
    probe.dispose();
  }
}
