import type { Command } from 'commander';
import { checkKeys, fail, optionKeys, selectBackend, type BackendRequest } from '@vjepa/core';
import { openProbeData } from '@vjepa/data';
import { layerFeatures, runProbe, WHITENING_KINDS, type EncoderLayer, type FeatureEncoder, type ProbeSummary, type RunProbeOptions } from '@vjepa/probe';
import { patchify } from '@vjepa/tubelet';
import { resolveVitConfig } from '@vjepa/vit';
import { resolveRunConfig, type TrainFlags } from '@vjepa/trainer';
import { readOfficialClassifier, type InferOverrides } from '@vjepa/official';
import { checkpointConfig, encoderFor } from '../encoder';
import { backendOption, encoderOption, headsOption, integer, listOf, name, oneOf, option, positiveNumber, type ValueKind } from '../options';

/**
 * Options of `vjepa probe`: its flags, parsed. The probe's own settings (`probe`, `epochs`, `batchSize`, `lr`,
 * `lrGrid`, `whiten`, `whitenComponents`, `seed`, `out`, `log`) are those of `runProbe`.
 */
export interface ProbeCommandOptions
  extends Pick<RunProbeOptions, 'probe' | 'epochs' | 'batchSize' | 'lr' | 'lrGrid' | 'whiten' | 'whitenComponents' | 'seed' | 'out' | 'log'> {
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
}

const PROBE_COMMAND_KEYS = optionKeys<ProbeCommandOptions>({
  checkpoint: true, inferred: true, probeCheckpoint: true, modelFlags: true, train: true, val: true, labels: true, encoder: true, layers: true, trainSize: true,
  valSize: true, segments: true, views: true, probe: true, epochs: true, batchSize: true, lr: true, lrGrid: true, whiten: true, whitenComponents: true,
  seed: true, out: true, backend: true, log: true,
});

/**
 * `vjepa probe`: resolves `--checkpoint` into an encoder (or the raw pixels), opens the probe data
 * (`openProbeData` of `@vjepa/data`) and runs `runProbe` of `@vjepa/probe`: a probe per label and
 * whitening on the frozen features, top-1, the confusion matrix, the probe weights (beside the checkpoint,
 * or under `runs/` for `random` and `pixels`) and one JSON summary line each.
 */
export async function runProbeCommand(options: ProbeCommandOptions): Promise<ProbeSummary[]> {
  checkKeys('options', options, PROBE_COMMAND_KEYS);
  const log = options.log ?? console.log;
  const { checkpoint } = options;
  // `pixels`: no encoder at all — the raw tubelet pixels go straight into the same probe (a baseline)
  const pixels = checkpoint === 'pixels';
  const random = checkpoint === 'random' || pixels;
  const which = options.encoder ?? 'target';
  const accepted = "a vjepa train output folder, a checkpoint directory, a .pth.tar file, 'random' or 'pixels'";
  const config = random ? resolveRunConfig(options.modelFlags ?? {}) : checkpointConfig(checkpoint, which, options.inferred, accepted);
  if (pixels && options.layers?.length) fail('--layers', 'no layers with --checkpoint pixels (there is no encoder)', options.layers);
  const classifier = options.probeCheckpoint ? { file: options.probeCheckpoint, weights: readOfficialClassifier(options.probeCheckpoint) } : undefined;
  const choice = await selectBackend(options.backend ?? 'auto');
  log(`backend ${choice.backend}`);
  const vit = resolveVitConfig(config.model.encoder);
  const encoder = pixels ? undefined : encoderFor(config, random ? undefined : checkpoint, which);
  try {
    const encoderName = pixels ? 'pixels' : random ? 'random' : which;
    log(
      `encoder: ${pixels ? `raw tubelet pixels (${vit.tubelet}×${vit.patch}×${vit.patch}×3 per token)` : random ? `an untrained ViT-${config.model.size} (seed ${config.seed})` : `the ${which} encoder of ${checkpoint}`}`,
    );
    const layers = options.layers?.length ? options.layers : (['final'] as EncoderLayer[]);
    const features: FeatureEncoder = encoder ? layerFeatures(encoder, layers) : { apply: (video) => patchify(video, vit.tubelet, vit.patch) };
    if (layers.length > 1 || layers[0] !== 'final') log(`features: ${layers.map((layer) => (layer === 'final' ? 'final norm' : `block ${layer}`)).join(' + ')}`);
    const { data } = config;
    const { train, val } = await openProbeData({
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
      features,
      train,
      val,
      labels: options.labels?.length ? options.labels : [options.train.startsWith('synthetic') ? 'shape' : 'label'],
      heads: vit.heads,
      encoderName,
      checkpoint,
      ...(options.layers?.length ? { layers: options.layers.join(',') } : {}),
      probe: options.probe,
      epochs: options.epochs,
      batchSize: options.batchSize,
      lr: options.lr,
      lrGrid: options.lrGrid,
      whiten: options.whiten,
      whitenComponents: options.whitenComponents,
      seed: options.seed,
      classifier,
      out: options.out,
      dir: random ? 'runs' : checkpoint,
      log,
    });
  } finally {
    encoder?.dispose();
  }
}

/** A `--layers` entry: a block number or `final`. */
const layer: ValueKind<EncoderLayer> = {
  expected: "a block number ≥ 1 or 'final'",
  many: "block numbers ≥ 1 and/or 'final'",
  read: (text) => (text.trim() === 'final' ? 'final' : integer(1).read(text)),
};

/** The flags of `vjepa probe`, as commander parses them. */
interface ProbeFlags extends Omit<ProbeCommandOptions, 'inferred' | 'modelFlags' | 'labels' | 'log'> {
  heads?: number;
  label?: string[];
  model?: string;
  depth?: string;
  crop?: string;
  frames?: string;
}

/** `vjepa probe`: train (or evaluate) a probe on frozen features. */
export function register(program: Command): void {
  program
    .command('probe')
    .description('train an attentive (or linear) probe on frozen features and report top-1 and the confusion matrix')
    .requiredOption('--checkpoint <dir>', "a vjepa train output folder or checkpoint directory, an official pretraining .pth.tar, 'random' for an untrained encoder, or 'pixels' for raw tubelet pixels (no encoder)")
    .option('--probe-checkpoint <file>', 'an official attentive-probe .pth.tar (classifier): evaluate with it instead of training a probe')
    .addOption(headsOption())
    .option('--train <spec>', "training clips: 'synthetic[:NAME]' or an official CSV (path label)", 'synthetic')
    .option('--val <spec>', 'validation clips, same forms', 'synthetic')
    .addOption(option('--label <names>', "label(s) to predict, comma-separated, one probe each on the same features: 'shape', 'direction' for synthetic data (default shape), 'label' for CSVs", listOf(name)))
    .addOption(option('--segments <n>', 'temporal segments per video, their tokens concatenated', integer(1), 1))
    .addOption(option('--views <n>', 'spatial views at evaluation, softmax averaged', integer(1), 1))
    .addOption(option('--epochs <n>', 'probe training epochs', integer(1), 20))
    .addOption(option('--batch-size <n>', 'probe batch size', integer(1), 64))
    .addOption(option('--lr <x>', 'probe learning rate (cosine to 0)', positiveNumber, 0.001))
    .addOption(option('--lr-grid <list>', 'learning rates to choose from per probe, scored on a held-out 20 % of the training clips (never validation), e.g. 1e-3,3e-3,1e-2', listOf(positiveNumber)))
    .addOption(option('--probe <kind>', 'attentive | linear', oneOf(['attentive', 'linear'] as const), 'attentive'))
    .addOption(
      option(
        '--whiten <kinds>',
        "feature whitening fitted on the training clips and saved with the probe: pca | std | none, or several comma-separated (one probe each, e.g. 'none,pca')",
        listOf(oneOf(WHITENING_KINDS)),
        ['none'],
      ),
    )
    .addOption(option('--whiten-components <k>', 'with --whiten pca: keep the k leading principal axes (the probe reads k channels; e.g. 192 for --checkpoint pixels)', integer(1)))
    .addOption(option('--layers <list>', "encoder outputs to probe, concatenated: block numbers 1…depth and/or 'final' (the final norm, default), e.g. '2,4,final'", listOf(layer)))
    .addOption(encoderOption())
    .addOption(option('--train-size <n>', 'clips of a synthetic training set', integer(1), 1024))
    .addOption(option('--val-size <n>', 'clips of a synthetic validation set', integer(1), 512))
    .addOption(option('--seed <n>', 'seed of the probe and of the synthetic probe data', integer(0), 0))
    .option('--out <file>', 'where to write the probe weights (default: beside the checkpoint)')
    .option('--model <size>', "with --checkpoint random: the encoder size, as in 'vjepa train'")
    .option('--depth <n>', 'with --checkpoint random: encoder depth')
    .option('--crop <px>', 'with --checkpoint random: clip side')
    .option('--frames <n>', 'with --checkpoint random: frames per clip')
    .addOption(backendOption())
    .action(async (o: ProbeFlags) => {
      const { heads, label, model, depth, crop, frames, ...rest } = o;
      await runProbeCommand({ ...rest, inferred: { heads }, labels: label, modelFlags: { model, depth, crop, frames, seed: String(o.seed) } });
    });
}
