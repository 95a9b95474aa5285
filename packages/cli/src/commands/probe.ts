import { dirname, join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, checkKeys, fail, selectBackend, writeSafetensors, type BackendRequest, type SafeTensorInput } from '@vjepa/core';
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
import { patchify } from '@vjepa/tubelet';
import {
  AttentiveProbe,
  LinearProbe,
  chooseLearningRate,
  concatSegments,
  evaluateProbe,
  formatConfusionMatrix,
  trainProbe,
  trainWhitenedProbe,
  WHITENING_KINDS,
  type Probe,
  type WhiteningKind,
} from '@vjepa/probe';
import { resolveRunConfig, type RunConfig, type TrainFlags } from '@vjepa/trainer';
import { checkpointRunConfig, loadEncoderWeights, readOfficialClassifier, type InferOverrides } from '@vjepa/official';

/** Options of `vjepa probe`. */
export interface ProbeOptions {
  /**
   * A `vjepa train` output folder or checkpoint directory, an official pretraining `.pth.tar`, `random` for
   * an untrained encoder, or `pixels` for the raw tubelet pixels `[N, t·p·p·C]` straight into the same probe
   * (the baseline every encoder must beat).
   */
  checkpoint: string;
  /** With a `.pth*` checkpoint: what its tensors cannot say (heads of a custom width, frames). */
  inferred?: InferOverrides;
  /** An official attentive-probe checkpoint (`classifier`): evaluate with it instead of training a probe. */
  probeCheckpoint?: string;
  /** With `random` or `pixels`: the encoder's configuration (its geometry for `pixels`), as the flags of `vjepa train`. */
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
  /**
   * Learning rates to choose from per probe, scored on a held-out 20 % of the training clips (never the
   * validation clips); the probe is then trained on all training clips with the best. Overrides `lr`.
   */
  lrGrid?: number[];
  /**
   * Feature whitening before the probe, fitted on the training features only and saved in the probe's
   * file (`whiten.mean`, `whiten.matrix`): one probe per kind listed, on the same features (default `none`).
   */
  whiten?: WhiteningKind[];
  /**
   * With `pca`: keep only this many leading principal axes (the probe then reads K channels). Needed for
   * `checkpoint: 'pixels'` (1,536 raw channels), whose full-width probe is too slow on a CPU.
   */
  whitenComponents?: number;
  /**
   * Which encoder outputs the probe reads, concatenated along the channels: block numbers 1…depth (the
   * residual stream after that block) and `final` (after the final norm, the default).
   */
  layers?: (number | 'final')[];
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
  /** The whitening in front of the probe (`none`, `std`, `pca`). */
  whiten: WhiteningKind;
  /** Principal axes the `pca` whitening kept, when fewer than all (`whitenComponents`). */
  whitenComponents?: number;
  /** The encoder outputs probed, when not the final norm alone (`--layers`). */
  layers?: string;
  /** The probe's learning rate (chosen from `--lr-grid` when given; absent for an evaluated `--probe-checkpoint`). */
  lr?: number;
  /** The file the probe's weights (and its whitening) were written to. */
  weights: string;
  encoder: string;
  checkpoint: string;
}

interface Dataset {
  features: tf.Tensor3D[]; // one [M, S·N, D] per view
  labels: Record<string, Int32Array>;
}

async function openSource(
  spec: string,
  config: RunConfig,
  seed: number,
  size: number | undefined,
  segment: number,
  segments: number,
  split: 'train' | 'val',
): Promise<ClipSource> {
  const { frames, frameStep } = config.data;
  return openClipSource(spec, {
    // `split` keeps Moving MNIST's validation digits out of the training clips (the seeds differ too)
    synthetic: { seed, numFrames: frames, size, split },
    sampler: (n) => sampleEvalClips(n, segments, null, { framesPerClip: frames, frameStep, randomClipSampling: false })[segment],
  });
}

/**
 * The encoder outputs named by `layers` for clips `[B, T, H, W, C]`, concatenated on the channels:
 * `[B, N, D · layers]`. One pass through the blocks, whatever the number of layers.
 */
export function encodeLayers(encoder: VisionTransformer, video: tf.Tensor5D, layers: readonly (number | 'final')[]): tf.Tensor3D {
  return tf.tidy(() => {
    if (layers.length === 1 && layers[0] === 'final') return encoder.apply(video); // [B, N, D]
    const deepest = Math.max(...layers.map((layer) => (layer === 'final' ? encoder.blocks.length : layer)));
    const outputs = new Map<number | 'final', tf.Tensor3D>();
    let x = encoder.embed(video); // [B, N, D]
    for (let k = 0; k < deepest; k++) {
      x = encoder.blocks[k].apply(x) as tf.Tensor3D; // [B, N, D]
      outputs.set(k + 1, x);
    }
    if (layers.includes('final')) outputs.set('final', encoder.norm.apply(x) as tf.Tensor3D);
    const picked = layers.map((layer) => outputs.get(layer)!);
    return picked.length === 1 ? picked[0] : (tf.concat(picked, 2) as tf.Tensor3D); // [B, N, D·L]
  });
}

/** Checks `--layers` against the encoder's depth. */
function checkLayers(layers: readonly (number | 'final')[], depth: number): void {
  if (layers.length === 0) fail('--layers', "block numbers 1…depth and/or 'final'", layers);
  for (const layer of layers) {
    if (layer !== 'final' && !(Number.isInteger(layer) && layer >= 1 && layer <= depth)) fail('--layers', `block numbers 1…${depth} and/or 'final'`, layer);
  }
  if (new Set(layers).size !== layers.length) fail('--layers', 'each layer once', layers);
}

/** Frozen features of every clip of `source` under one transform: `[M, N, D · layers]` and the labels. */
async function encodeAll(
  encode: (video: tf.Tensor5D) => tf.Tensor3D,
  source: ClipSource,
  transform: ClipTransform,
  labelNames: string[],
  batchSize: number,
) {
  const loader = new ClipLoader(source, { batchSize, transform, seed: 0, shuffle: false, dropLast: false });
  const chunks: Float32Array[] = [];
  const labels: Record<string, number[]> = Object.fromEntries(labelNames.map((name) => [name, []]));
  let count = 0;
  let tokens = 0;
  let width = 0;
  try {
    for await (const batch of loader.iterateEpoch()) {
      for (const name of labelNames) {
        const values = batch.labels[name];
        if (!values) fail('--label', `labels of ${source.description ?? 'the data'}: ${Object.keys(batch.labels).join(', ')}`, name);
        labels[name].push(...values);
      }
      const features = tf.tidy(() => encode(tf.tensor5d(batch.data, batch.shape))); // [B, N, D·L] (or raw tubelet pixels)
      tokens = features.shape[1];
      width = features.shape[2];
      count += features.shape[0];
      chunks.push(features.dataSync() as Float32Array);
      features.dispose();
    }
  } finally {
    loader.close();
  }
  const data = new Float32Array(count * tokens * width);
  chunks.reduce((offset, chunk) => (data.set(chunk, offset), offset + chunk.length), 0);
  const byName = Object.fromEntries(Object.entries(labels).map(([name, values]) => [name, Int32Array.from(values)]));
  return { features: tf.tensor3d(data, [count, tokens, width]), labels: byName };
}

async function buildDataset(
  encode: (video: tf.Tensor5D) => tf.Tensor3D,
  spec: string,
  config: RunConfig,
  options: { seed: number; size?: number; views: number; segments: number; labels: string[]; batchSize: number; split: 'train' | 'val' },
): Promise<Dataset> {
  const crop = config.data.crop;
  const perView: tf.Tensor3D[] = [];
  let labels: Record<string, Int32Array> = {};
  for (let view = 0; view < options.views; view++) {
    const transform = options.views === 1 ? evalTransform({ cropSize: crop }) : multiViewTransform(view, options.views, { cropSize: crop });
    const segments: tf.Tensor3D[] = [];
    for (let segment = 0; segment < options.segments; segment++) {
      const source = await openSource(spec, config, options.seed, options.size, segment, options.segments, options.split);
      const encoded = await encodeAll(encode, source, transform, options.labels, options.batchSize);
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
/** The keys of {@link ProbeOptions}, for the unknown-key check. */
const PROBE_OPTION_KEYS = [
  'checkpoint', 'inferred', 'probeCheckpoint', 'modelFlags', 'train', 'val', 'labels', 'encoder', 'probe', 'segments', 'views',
  'epochs', 'batchSize', 'lr', 'lrGrid', 'whiten', 'whitenComponents', 'layers', 'trainSize', 'valSize', 'seed', 'out', 'backend', 'log',
] as const;

export async function runProbe(options: ProbeOptions): Promise<ProbeSummary[]> {
  checkKeys('options', options, PROBE_OPTION_KEYS);
  const log = options.log ?? console.log;
  // `pixels`: no encoder at all — the raw tubelet pixels go straight into the same probe (a baseline)
  const pixels = options.checkpoint === 'pixels';
  const random = options.checkpoint === 'random' || pixels;
  const saved = random ? null : checkpointRunConfig(options.checkpoint, options.encoder ?? 'target', options.inferred);
  if (!random && !saved) fail('--checkpoint', "a vjepa train output folder, a checkpoint directory, a .pth.tar file, 'random' or 'pixels'", options.checkpoint);
  if (pixels && options.layers?.length) fail('--layers', 'no layers with --checkpoint pixels (there is no encoder)', options.layers);
  if (options.probeCheckpoint && options.whiten?.some((kind) => kind !== 'none')) fail('--whiten', "none with --probe-checkpoint (the official probe reads raw features)", options.whiten);
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
  const whitenings = options.whiten?.length ? options.whiten : (['none'] as WhiteningKind[]);
  for (const kind of whitenings) if (!WHITENING_KINDS.includes(kind)) fail('--whiten', WHITENING_KINDS.join(' | '), kind);
  const components = options.whitenComponents;
  if (components !== undefined) {
    if (!Number.isInteger(components) || components < 1) fail('--whiten-components', 'a positive integer', components);
    if (whitenings.some((kind) => kind !== 'pca')) fail('--whiten-components', "--whiten pca only (it keeps principal axes)", whitenings.join(','));
  }
  const choice = await selectBackend(options.backend ?? 'auto');
  log(`backend ${choice.backend}`);

  const encoder = new VisionTransformer(config.model.encoder, { rng: new RandomStream(config.seed), init: 'pretraining' });
  const datasets: Dataset[] = [];
  const summaries: ProbeSummary[] = [];
  try {
    if (!random) loadEncoderWeights(options.checkpoint, which, encoder);
    const source = pixels
      ? `raw tubelet pixels (${config.model.encoder.tubelet}×${config.model.encoder.patch}×${config.model.encoder.patch}×3 per token)`
      : random
        ? `an untrained ViT-${config.model.size} (seed ${config.seed})`
        : `the ${which} encoder of ${options.checkpoint}`;
    log(`encoder: ${source}`);
    const batchSize = 16;
    const layers = options.layers?.length ? options.layers : (['final'] as const);
    checkLayers(layers, encoder.config.depth);
    if (layers.length > 1 || layers[0] !== 'final') log(`features: ${layers.map((layer) => (layer === 'final' ? 'final norm' : `block ${layer}`)).join(' + ')}`);
    const common = { segments, labels: labelNames, batchSize };
    const { tubelet, patch } = encoder.config;
    const encode = pixels ? (video: tf.Tensor5D) => patchify(video, tubelet, patch) : (video: tf.Tensor5D) => encodeLayers(encoder, video, layers);
    const train = await buildDataset(encode, options.train, config, { ...common, seed: 1000 + seed, size: options.trainSize ?? (synthetic ? 1024 : undefined), views: 1, split: 'train' });
    datasets.push(train);
    const valSynthetic = options.val.startsWith('synthetic');
    const val = await buildDataset(encode, options.val, config, { ...common, seed: 2000 + seed, size: options.valSize ?? (valSynthetic ? 512 : undefined), views, split: 'val' });
    datasets.push(val);
    for (const label of labelNames) {
      for (const whiten of whitenings) {
        const several = labelNames.length > 1 || whitenings.length > 1;
        summaries.push(await probeTask(label, train, val, { ...options, probe: probeKind, seed, encoderName: pixels ? 'pixels' : random ? 'random' : which, model: encoder, log, whitening: whiten, several }));
      }
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
  options: ProbeOptions & {
    probe: 'attentive' | 'linear';
    seed: number;
    encoderName: string;
    model: VisionTransformer;
    log: (line: string) => void;
    whitening: WhiteningKind;
    several: boolean;
  },
): Promise<ProbeSummary> {
  const { log, model: encoder } = options;
  const trainLabels = train.labels[label];
  const valLabels = val.labels[label];
  const classes = Math.max(...trainLabels, ...valLabels) + 1;
  const whiten = options.whitening;
  log(
    `task '${label}': ${classes} classes, ${trainLabels.length} train and ${valLabels.length} val clips, ${options.segments ?? 1} segment(s), ${options.views ?? 1} view(s), whitening ${whiten}`,
  );
  if (options.probeCheckpoint) return evaluateOfficialProbe(label, train, val, options);
  const width = train.features[0].shape[2]; // D · layers, or t·p·p·C raw pixels
  const components = whiten === 'pca' ? options.whitenComponents : undefined;
  if (components !== undefined && components > width) fail('--whiten-components', `at most the feature width ${width}`, components);
  const dim = components ?? width; // what the probe reads
  const heads = dim % encoder.config.heads === 0 ? encoder.config.heads : 1;
  const makeProbe = (): Probe =>
    options.probe === 'attentive' ? new AttentiveProbe({ dim, heads, classes, seed: options.seed }) : new LinearProbe({ dim, classes, seed: options.seed });
  const inner = makeProbe();
  let probe: Probe = inner;
  try {
    const settings = { labels: trainLabels, epochs: options.epochs ?? 20, batchSize: options.batchSize ?? 64, seed: options.seed };
    let lr = options.lr ?? 1e-3;
    if (options.lrGrid?.length) {
      const choice = chooseLearningRate({ ...settings, makeProbe, features: train.features[0], grid: options.lrGrid, whiten, ...(components === undefined ? {} : { components }) });
      lr = choice.lr;
      log(`lr ${lr} from ${choice.scores.map((s) => `${s.lr}: ${(100 * s.top1).toFixed(1)} %`).join(', ')} (held-out ${choice.holdout} of the training clips)`);
    }
    const training = { ...settings, probe: inner, features: train.features[0], lr };
    let trained;
    if (whiten === 'none') trained = trainProbe(training);
    else {
      // fitted on the training features only; the probe then carries the transform to evaluation and to its file
      const whitened = trainWhitenedProbe({ ...training, whiten, ...(components === undefined ? {} : { components }) });
      probe = whitened.probe;
      trained = whitened.result;
    }
    log(`probe training loss: ${trained.losses[0].toFixed(4)} → ${trained.losses[trained.losses.length - 1].toFixed(4)}`);
    const evaluation = evaluateProbe(probe, val.features, valLabels);
    log(`top-1 on val: ${(100 * evaluation.top1).toFixed(2)} %`);
    log(formatConfusionMatrix(evaluation.confusion));
    const random = options.checkpoint === 'random' || options.checkpoint === 'pixels';
    const suffix = whiten === 'none' ? '' : `-${whiten}`;
    const out = resolve(
      options.out && !options.several
        ? options.out
        : join(options.out ? dirname(options.out) : random ? 'runs' : options.checkpoint, `probe-${options.encoderName}-${label}-${options.probe}${suffix}.safetensors`),
    );
    mkdirSync(dirname(out), { recursive: true });
    await writeSafetensors(out, probeTensors(probe), { task: label, classes: String(classes), probe: options.probe, whiten });
    log(`probe weights: ${out}`);
    const summary: ProbeSummary = {
      top1: evaluation.top1,
      classes,
      train: trainLabels.length,
      val: valLabels.length,
      task: label,
      probe: options.probe,
      whiten,
      lr,
      weights: out,
      encoder: options.encoderName,
      checkpoint: options.checkpoint,
      ...(options.layers?.length ? { layers: options.layers.join(',') } : {}),
      ...(components === undefined ? {} : { whitenComponents: components }),
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
      whiten: 'none',
      weights: file,
      encoder: options.encoderName,
      checkpoint: options.checkpoint,
    };
    log(JSON.stringify(summary));
    return summary;
  } finally {
    probe.dispose();
  }
}
