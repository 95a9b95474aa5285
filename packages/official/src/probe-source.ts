import { checkKeys, checkOutputPath, fail, optionKeys, selectBackend, type BackendRequest } from '@vjepa/core';
import { openProbeData } from '@vjepa/data';
import { runProbe, type EncoderLayer, type ProbeSummary, type RunProbeOptions } from '@vjepa/probe';
import type { TrainFlags } from '@vjepa/trainer';
import { featureSourceConfig, openFeatureSource } from './feature-source';
import type { InferOverrides } from './infer-encoder';
import { readOfficialClassifier } from './torch-files';

/**
 * Options of {@link probeSource}: what `vjepa probe` takes. The probe's own settings (`probe`, `epochs`, `batchSize`, `lr`,
 * `lrGrid`, `whiten`, `whitenComponents`, `seed`, `out`, `log`) are those of `runProbe`.
 */
export interface ProbeSourceOptions
  extends Pick<RunProbeOptions, 'probe' | 'epochs' | 'batchSize' | 'lr' | 'lrGrid' | 'whiten' | 'whitenComponents' | 'seed' | 'out' | 'log' | 'progress'> {
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
  /** Training and validation clips: `synthetic[:NAME]`, a CSV index or a folder (see `openProbeData`). */
  train: string;
  val: string;
  /** Which labels to predict, one probe each on the same features (default `shape` for synthetic data, else `label`). */
  labels?: string[];
  encoder?: 'target' | 'online';
  /** Which encoder outputs the probe reads, concatenated: block numbers 1…depth and/or `final` (the default). */
  layers?: EncoderLayer[];
  /** Clips of a synthetic train / val set (default 1024 / 512). */
  trainSize?: number;
  valSize?: number;
  /** Temporal segments per video and spatial views at evaluation (default 1 each). */
  segments?: number;
  views?: number;
  backend?: BackendRequest;
  /** With `probe: 'knn'`: neighbours that vote and the votes' temperature (those of `runProbe`). */
  knnK?: RunProbeOptions['knnK'];
  knnTemperature?: RunProbeOptions['knnTemperature'];
  /** Train on a seeded (`seed`), class-balanced subset: this many training clips of every class of the first label. */
  labelsPerClass?: number;
}

const PROBE_SOURCE_KEYS = optionKeys<ProbeSourceOptions>({
  labelsPerClass: true, knnK: true, knnTemperature: true,
  checkpoint: true, inferred: true, probeCheckpoint: true, modelFlags: true, train: true, val: true, labels: true, encoder: true, layers: true, trainSize: true,
  valSize: true, segments: true, views: true, probe: true, epochs: true, batchSize: true, lr: true, lrGrid: true, whiten: true, whitenComponents: true,
  seed: true, out: true, backend: true, log: true, progress: true,
});

/**
 * Probes frozen features (what `vjepa probe` runs): resolves `checkpoint` into an encoder (or the raw pixels), opens the probe data
 * (`openProbeData` of `@vjepa/data`) and runs `runProbe` of `@vjepa/probe`: a probe per label and
 * whitening on the frozen features, top-1, the confusion matrix, the probe weights (beside the checkpoint,
 * or under `runs/` for `random` and `pixels`) and one JSON summary line each.
 */
export async function probeSource(options: ProbeSourceOptions): Promise<ProbeSummary[]> {
  checkKeys('options', options, PROBE_SOURCE_KEYS);
  const log = options.log ?? console.log;
  const { checkpoint } = options;
  const which = options.encoder ?? 'target';
  if (options.out !== undefined) checkOutputPath('--out', options.out, 'file');
  const config = featureSourceConfig(checkpoint, { which, inferred: options.inferred, modelFlags: options.modelFlags });
  if (checkpoint === 'pixels' && options.layers?.length) fail('layers', 'no layers for pixels (there is no encoder)', options.layers);
  const classifier = options.probeCheckpoint ? { file: options.probeCheckpoint, weights: readOfficialClassifier(options.probeCheckpoint) } : undefined;
  const choice = await selectBackend(options.backend ?? 'auto');
  log(`backend ${choice.backend}`);
  const source = openFeatureSource(checkpoint, config, { which, layers: options.layers });
  try {
    log(`encoder: ${source.description}`);
    const layers = options.layers?.length ? options.layers : ['final'];
    if (layers.length > 1 || layers[0] !== 'final') log(`features: ${layers.map((layer) => (layer === 'final' ? 'final norm' : `block ${layer}`)).join(' + ')}`);
    const { data } = config;
    const labels = options.labels?.length ? options.labels : [options.train.startsWith('synthetic') ? 'shape' : 'label'];
    const { train, val } = await openProbeData({
      ...(options.labelsPerClass === undefined ? {} : { labelsPerClass: { label: labels[0], count: options.labelsPerClass } }),
      train: options.train,
      val: options.val,
      frames: data.frames,
      frameStep: data.frameStep,
      crop: data.crop,
      segments: options.segments,
      views: options.views,
      seed: options.seed,
      trainSize: options.trainSize,
      valSize: options.valSize,
    });
    return await runProbe({
      features: source.features,
      train,
      val,
      labels,
      heads: source.heads,
      encoderName: source.name,
      checkpoint,
      ...(options.layers?.length ? { layers: options.layers.join(',') } : {}),
      probe: options.probe,
      epochs: options.epochs,
      batchSize: options.batchSize,
      lr: options.lr,
      lrGrid: options.lrGrid,
      whiten: options.whiten,
      whitenComponents: options.whitenComponents,
      ...(options.knnK === undefined ? {} : { knnK: options.knnK }),
      ...(options.knnTemperature === undefined ? {} : { knnTemperature: options.knnTemperature }),
      seed: options.seed,
      classifier,
      out: options.out,
      dir: source.name === 'pixels' || source.name === 'random' ? 'runs' : checkpoint,
      log,
      ...(options.progress ? { progress: options.progress } : {}),
    });
  } finally {
    source.dispose();
  }
}

