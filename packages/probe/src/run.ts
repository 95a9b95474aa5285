import { dirname, join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, downloadForSyncReads, fail, optionKeys, readAll, writeSafetensors, type HostTensor, type SafeTensorInput } from '@vjepa/core';
import { AttentiveProbe } from './attentive';
import { checkInteger } from './checks';
import { extractProbeFeatures, type LabelledClips, type ProbeFeatures } from './clip-features';
import { formatConfusionMatrix } from './confusion';
import { evaluateProbeReads } from './evaluate';
import type { FeatureEncoder } from './features';
import { evaluateKnnReads } from './knn';
import { LinearProbe } from './linear';
import { chooseLearningRateReads } from './lr-grid';
import type { Probe } from './probe';
import { trainProbeReads } from './train';
import { trainWhitenedProbeReads, WHITENING_KINDS, type WhiteningKind } from './whiten';

/** An official attentive-probe checkpoint's `classifier`, to evaluate instead of training a probe. */
export interface OfficialClassifier {
  /** The file it came from, for messages and the summary. */
  file: string;
  /** Its tensors under the official keys (`pooler.*`, `linear.*`; a `module.` prefix is stripped). */
  weights: ReadonlyMap<string, HostTensor>;
}

/** Options of {@link runProbe}. */
export interface RunProbeOptions {
  /** The frozen features of a clip batch (`layerFeatures(encoder, layers)`, or raw tubelet pixels). */
  features: FeatureEncoder;
  /** The training clips (one view); `openProbeData` of `@vjepa/data` gives both sets. */
  train: LabelledClips;
  /** The validation clips (their views are averaged at evaluation). */
  val: LabelledClips;
  /** The labels to predict, one probe each on the same features (e.g. `shape`, `direction`). */
  labels: string[];
  /** Attention heads of an attentive probe: the encoder's, when they divide the feature width (else 1). */
  heads: number;
  /** The encoder's name in the summary and the file names (`target`, `online`, `random`, `pixels`). */
  encoderName: string;
  /** Where the encoder came from, for the summary. */
  checkpoint: string;
  /** The encoder outputs the features are, for the summary (e.g. `2,4,final`; absent: the final norm). */
  layers?: string;
  /** `attentive` (default, the official probe), `linear`, or `knn` (no training: weighted k-NN votes of mean-pooled features, DINO's k-NN eval). */
  probe?: 'attentive' | 'linear' | 'knn';
  /** With `knn`: neighbours that vote (default 20). */
  knnK?: number;
  /** With `knn`: temperature of the votes' weights exp(cosine / T) (default 0.07). */
  knnTemperature?: number;
  /** Probe training epochs (default 20). */
  epochs?: number;
  /** Probe batch size (default 64). */
  batchSize?: number;
  /** Learning rate, cosine to 0 (default 1e-3). */
  lr?: number;
  /** Learning rates to choose from per probe on a held-out 20 % of the training clips (never validation); overrides `lr`. */
  lrGrid?: number[];
  /** Feature whitening fitted on the training features and saved with the probe, one probe per kind (default `none`). */
  whiten?: WhiteningKind[];
  /** With `pca`: keep this many leading principal axes (the probe then reads that many channels). */
  whitenComponents?: number;
  /** Seed of the probes (default 0). */
  seed?: number;
  /** Evaluate this official classifier instead of training probes. */
  classifier?: OfficialClassifier;
  /** The probe's weights file when one probe runs; with several, `probe-ENCODER-LABEL-KIND[-WHITEN].safetensors` in its folder. */
  out?: string;
  /** The folder of those files when `out` is absent (default the current folder). */
  dir?: string;
  /** Receives every line (default `console.log`). */
  log?: (line: string) => void;
  /**
   * Receives progress lines while the features are extracted (every tenth of the clips) and while each
   * probe trains (its epochs and mean loss), e.g. for a terminal's stderr (default: none).
   */
  progress?: (line: string) => void;
}

/** The result of one probe, printed as a JSON line when it finishes. */
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
  /** The encoder outputs probed, when not the final norm alone. */
  layers?: string;
  /** The probe's learning rate (chosen from `lrGrid` when given; absent for an evaluated classifier). */
  lr?: number;
  /** The file the probe's weights (and its whitening) were written to; for `knn`, its memory bank. */
  weights: string;
  /** The k-NN read-out's neighbours and temperature, for `probe: 'knn'`. */
  knn?: { k: number; temperature: number };
  encoder: string;
  checkpoint: string;
}

const RUN_PROBE_KEYS = optionKeys<RunProbeOptions>({
  knnK: true, knnTemperature: true,
  features: true, train: true, val: true, labels: true, heads: true, encoderName: true, checkpoint: true, layers: true, probe: true, epochs: true,
  batchSize: true, lr: true, lrGrid: true, whiten: true, whitenComponents: true, seed: true, classifier: true, out: true, dir: true, log: true,
  progress: true,
});

/** Progress of a feature extraction: a line at each tenth of `total` (each 10 batches' worth when unknown). */
function extractionProgress(what: string, progress: ((line: string) => void) | undefined): ((done: number, total: number | undefined) => void) | undefined {
  if (!progress) return undefined;
  let said = 0;
  return (done, total) => {
    const step = total === undefined ? 0 : Math.floor((10 * done) / total);
    if (total !== undefined && step > said) {
      said = step;
      progress(`features of the ${what} clips: ${done}/${total} (${Math.round((100 * done) / total)} %)`);
    } else if (total === undefined) progress(`features of the ${what} clips: ${done}`);
  };
}

/** One probe's settings, resolved. */
type ProbeTask = RunProbeOptions & { probe: 'attentive' | 'linear' | 'knn'; seed: number; log: (line: string) => void; whitening: WhiteningKind; several: boolean };

/**
 * Trains an attentive (or linear) probe per label and whitening on the frozen features of `train`,
 * evaluates it on `val` (views averaged), logs top-1 and the confusion matrix, writes the probe's weights
 * (official keys, and the whitening) and logs one JSON summary line per probe; returns the summaries in
 * order (label by label, whitening by whitening). With `classifier`, that official probe is evaluated
 * instead. Every option is checked before the features are computed.
 */
export async function runProbe(options: RunProbeOptions): Promise<ProbeSummary[]> {
  checkKeys('options', options, RUN_PROBE_KEYS);
  const { labels } = options;
  if (!Array.isArray(labels) || labels.length === 0 || labels.some((label) => typeof label !== 'string' || label === '')) fail('labels', 'a non-empty list of label names', labels);
  const probe = options.probe ?? 'attentive';
  if (probe !== 'attentive' && probe !== 'linear' && probe !== 'knn') fail('probe', 'attentive, linear or knn', probe);
  if (probe === 'knn') {
    if (options.classifier) fail('probe', 'attentive with a classifier (it is an attentive probe)', probe);
    if (options.lrGrid?.length) fail('lrGrid', 'none with the knn probe (it trains nothing)', options.lrGrid);
    if (options.whiten?.some((kind) => kind !== 'none')) fail('whiten', 'none with the knn probe (it reads cosine similarities of raw features)', options.whiten);
    if (options.knnK !== undefined) checkInteger('knnK', options.knnK, 1);
  } else if (options.knnK !== undefined || options.knnTemperature !== undefined) fail('knnK / knnTemperature', "probe 'knn'", probe);
  checkInteger('heads', options.heads, 1);
  const whitenings = options.whiten?.length ? options.whiten : (['none'] as WhiteningKind[]);
  for (const kind of whitenings) if (!WHITENING_KINDS.includes(kind)) fail('whiten', WHITENING_KINDS.join(' | '), kind);
  if (options.classifier && whitenings.some((kind) => kind !== 'none')) fail('whiten', 'none with a classifier (the official probe reads raw features)', options.whiten);
  const components = options.whitenComponents;
  if (components !== undefined) {
    checkInteger('whitenComponents', components, 1);
    if (whitenings.some((kind) => kind !== 'pca')) fail('whitenComponents', "whiten 'pca' only (it keeps principal axes)", whitenings.join(','));
  }
  const log = options.log ?? console.log;
  const seed = options.seed ?? 0;
  const datasets: ProbeFeatures[] = [];
  try {
    const train = await extractProbeFeatures(options.features, options.train, labels, extractionProgress('training', options.progress));
    datasets.push(train);
    const val = await extractProbeFeatures(options.features, options.val, labels, extractionProgress('validation', options.progress));
    datasets.push(val);
    const several = labels.length > 1 || whitenings.length > 1;
    const summaries: ProbeSummary[] = [];
    for (const label of labels) {
      for (const whitening of whitenings) summaries.push(await probeTask(label, train, val, { ...options, probe, seed, log, whitening, several }));
    }
    return summaries;
  } finally {
    for (const d of datasets) tf.dispose(d.features);
  }
}

function probeTensors(probe: Probe): Record<string, SafeTensorInput> {
  const out: Record<string, SafeTensorInput> = {};
  for (const [key, variable] of probe.stateDict()) out[key] = { dtype: 'F32', shape: variable.shape, data: variable.dataSync() as Float32Array };
  return out;
}

/** Trains and evaluates one probe on one label of shared features, writes its weights, logs the summary line. */
async function probeTask(label: string, train: ProbeFeatures, val: ProbeFeatures, options: ProbeTask): Promise<ProbeSummary> {
  const { log } = options;
  const trainLabels = train.labels[label];
  const valLabels = val.labels[label];
  const classes = Math.max(...trainLabels, ...valLabels) + 1;
  const whiten = options.whitening;
  log(
    `task '${label}': ${classes} classes, ${trainLabels.length} train and ${valLabels.length} val clips, ${options.val.segments} segment(s), ${options.val.views} view(s), whitening ${whiten}`,
  );
  if (options.classifier) return evaluateClassifier(label, train, val, options);
  if (options.probe === 'knn') return knnTask(label, train, val, options);
  const width = train.features[0].shape[2]; // D · layers, or t·p·p·C raw pixels
  const components = whiten === 'pca' ? options.whitenComponents : undefined;
  if (components !== undefined && components > width) fail('whitenComponents', `at most the feature width ${width}`, components);
  const dim = components ?? width; // what the probe reads
  const heads = dim % options.heads === 0 ? options.heads : 1;
  const makeProbe = (): Probe =>
    options.probe === 'attentive' ? new AttentiveProbe({ dim, heads, classes, seed: options.seed }) : new LinearProbe({ dim, classes, seed: options.seed });
  const inner = makeProbe();
  let probe: Probe = inner;
  try {
    const epochs = options.epochs ?? 20;
    const every = Math.max(1, Math.round(epochs / 20));
    const onEpoch = options.progress
      ? (epoch: number, loss: number) => {
          if ((epoch + 1) % every === 0 || epoch + 1 === epochs) options.progress!(`probe '${label}' (${whiten}): epoch ${epoch + 1}/${epochs}, loss ${loss.toFixed(4)}`);
        }
      : undefined;
    const settings = { labels: trainLabels, epochs, batchSize: options.batchSize ?? 64, seed: options.seed };
    let lr = options.lr ?? 1e-3;
    if (options.lrGrid?.length) {
      const choice = await readAll(chooseLearningRateReads({ ...settings, makeProbe, features: train.features[0], grid: options.lrGrid, whiten, ...(components === undefined ? {} : { components }) }));
      lr = choice.lr;
      log(`lr ${lr} from ${choice.scores.map((s) => `${s.lr}: ${(100 * s.top1).toFixed(1)} %`).join(', ')} (held-out ${choice.holdout} of the training clips)`);
    }
    const training = { ...settings, probe: inner, features: train.features[0], lr, ...(onEpoch ? { onEpoch } : {}) };
    let trained;
    if (whiten === 'none') trained = await readAll(trainProbeReads(training));
    else {
      // fitted on the training features only; the probe then carries the transform to evaluation and to its file
      const whitened = await readAll(trainWhitenedProbeReads({ ...training, whiten, ...(components === undefined ? {} : { components }) }));
      probe = whitened.probe;
      trained = whitened.result;
    }
    log(`probe training loss: ${trained.losses[0].toFixed(4)} → ${trained.losses[trained.losses.length - 1].toFixed(4)}`);
    const evaluation = await readAll(evaluateProbeReads(probe, val.features, valLabels));
    log(`top-1 on val: ${(100 * evaluation.top1).toFixed(2)} %`);
    log(formatConfusionMatrix(evaluation.confusion));
    const out = probeFile(options, label, whiten === 'none' ? '' : `-${whiten}`);
    mkdirSync(dirname(out), { recursive: true });
    await downloadForSyncReads([...probe.stateDict()].map(([, variable]) => variable));
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
      ...(options.layers ? { layers: options.layers } : {}),
      ...(components === undefined ? {} : { whitenComponents: components }),
    };
    log(JSON.stringify(summary));
    return summary;
  } finally {
    probe.dispose();
  }
}

/** The file of a probe's result: `out` for one probe, else `probe-ENCODER-LABEL-KIND[-WHITEN].safetensors` in its folder. */
function probeFile(options: ProbeTask, label: string, suffix = ''): string {
  const name = `probe-${options.encoderName}-${label}-${options.probe}${suffix}.safetensors`;
  return resolve(options.out && !options.several ? options.out : join(options.out ? dirname(options.out) : (options.dir ?? '.'), name));
}

/**
 * The k-NN read-out of one label: no training; the validation clips vote with their k nearest training
 * clips. Its "weights" file is the memory bank it reads: the mean-pooled training features and their labels.
 */
async function knnTask(label: string, train: ProbeFeatures, val: ProbeFeatures, options: ProbeTask): Promise<ProbeSummary> {
  const { log } = options;
  const trainLabels = train.labels[label];
  const valLabels = val.labels[label];
  const classes = Math.max(...trainLabels, ...valLabels) + 1;
  const k = options.knnK ?? 20;
  const temperature = options.knnTemperature ?? 0.07;
  const evaluation = await readAll(evaluateKnnReads(train.features[0], trainLabels, val.features, valLabels, { classes, k, temperature }));
  log(`k-NN (k ${k}, T ${temperature}, cosine of mean-pooled features) top-1 on val: ${(100 * evaluation.top1).toFixed(2)} %`);
  log(formatConfusionMatrix(evaluation.confusion));
  const out = probeFile(options, label);
  mkdirSync(dirname(out), { recursive: true });
  const pooled = tf.tidy(() => tf.mean(train.features[0], 1)); // [M, D]
  const bank = { dtype: 'F32' as const, shape: pooled.shape, data: (await pooled.data()) as Float32Array };
  pooled.dispose();
  await writeSafetensors(out, { features: bank, labels: { dtype: 'I32', shape: [trainLabels.length], data: Int32Array.from(trainLabels) } }, {
    task: label, classes: String(classes), probe: 'knn', k: String(k), temperature: String(temperature),
  });
  log(`k-NN memory bank: ${out}`);
  const summary: ProbeSummary = {
    top1: evaluation.top1,
    classes,
    train: trainLabels.length,
    val: valLabels.length,
    task: label,
    probe: 'knn',
    whiten: 'none',
    weights: out,
    encoder: options.encoderName,
    checkpoint: options.checkpoint,
    knn: { k, temperature },
    ...(options.layers ? { layers: options.layers } : {}),
  };
  log(JSON.stringify(summary));
  return summary;
}

/** Evaluates an official attentive-probe classifier on the validation features, training nothing. */
async function evaluateClassifier(label: string, train: ProbeFeatures, val: ProbeFeatures, options: ProbeTask): Promise<ProbeSummary> {
  const { log } = options;
  const { file, weights } = options.classifier!;
  const dim = train.features[0].shape[2];
  const head = weights.get('linear.weight');
  if (!head || head.shape.length !== 2 || head.shape[1] !== dim) fail(`${file}: classifier linear.weight`, `a [classes, ${dim}] head for this encoder`, head?.shape ?? 'none');
  let depth = 1;
  while (weights.has(`pooler.blocks.${depth - 1}.norm1.weight`)) depth++;
  const classes = head.shape[0];
  const valLabels = val.labels[label];
  const top = Math.max(...valLabels);
  if (top >= classes) fail(`classifier ${file}`, `a classifier covering the ${top + 1} classes of '${label}'`, `${classes} classes`);
  const probe = new AttentiveProbe({ dim, heads: options.heads, classes, depth, seed: options.seed });
  try {
    probe.loadStateDict(new Map(weights), { source: `${file} (classifier)` });
    const evaluation = await readAll(evaluateProbeReads(probe, val.features, valLabels));
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
