import { join, resolve } from 'node:path';
import { checkKeys, fail, optionKeys, selectBackend, type BackendRequest } from '@vjepa/core';
import { loaderBatchSource, type ClipLoaderState } from '@vjepa/data';
import { MaskCollator, type MaskCollatorState } from '@vjepa/masking';
import { formatEta, loadCheckpoint, readRunState, saveCheckpoint, type RunConfig } from '@vjepa/trainer';
import type { DecoderConfig } from './config';
import { PixelDecoder } from './decoder';
import type { PixelLossKind } from './loss';
import { frozenRunConfig, loadFrozenRun, openRunClips } from './run';
import { DecoderTrainStep } from './step';

/** Options of {@link trainDecoder}. */
export interface DecoderTrainOptions {
  /** The `vjepa train` run (output folder or checkpoint directory) whose encoder and predictor are frozen. */
  checkpoint: string;
  /** Clips to train on (default the run's own `--data`). */
  data?: string;
  /** Steps in all (a resumed run goes on to this many). */
  steps: number;
  /** Output folder: `checkpoints/` with `decoder.safetensors`. */
  out: string;
  /** Go on from the newest intact checkpoint under `out`. */
  resume?: boolean;
  /** Clips a batch (default the run's). */
  batchSize?: number;
  /** AdamW learning rate (default 1e-3). */
  lr?: number;
  /** `l1` (default) or `l2`. */
  loss?: PixelLossKind;
  /** Decoder width, depth, heads (the geometry and input width follow the run). */
  decoder?: Pick<DecoderConfig, 'dim' | 'depth' | 'heads' | 'mlpRatio'>;
  /** Write a checkpoint every this many steps (default 50) and after the last. */
  checkpointEvery?: number;
  /** Checkpoints to keep (default 3). */
  keep?: number;
  /** Seed of the decoder's init, the loader and the masks (default the run's seed). */
  seed?: number;
  backend?: BackendRequest;
  /** Where the lines go: backend, data, model, progress, checkpoints (default `console.log`). */
  log?: (line: string) => void;
}

const TRAIN_OPTION_KEYS = optionKeys<DecoderTrainOptions>({
  checkpoint: true, data: true, steps: true, out: true, resume: true, batchSize: true, lr: true, loss: true, decoder: true,
  checkpointEvery: true, keep: true, seed: true, backend: true, log: true,
});

/** What a decoder checkpoint's `state.json` holds besides the step: enough to resume and to show. */
export interface DecoderCheckpointState {
  /** The decoder's configuration. */
  config: DecoderConfig;
  /** The run it decodes (as given), its target and the training settings. */
  run: string;
  data: string;
  batchSize: number;
  lr: number;
  loss: PixelLossKind;
  seed: number;
  loader: ClipLoaderState;
  masks: MaskCollatorState;
}

/** The decoder of a run: its config from the run's encoder and geometry. */
export function decoderConfigForRun(config: RunConfig, sizes: DecoderTrainOptions['decoder'] = {}): DecoderConfig {
  const e = config.model.encoder;
  return { inputDim: e.dim, ...sizes, frames: e.frames, imageSize: e.imageSize, patch: e.patch, tubelet: e.tubelet, channels: e.channels, uniformPower: e.uniformPower };
}

/** The decoder state saved under `dir` (an output folder or checkpoint directory), or null when there is none. */
export function savedDecoderState(dir: string): (DecoderCheckpointState & { step: number }) | null {
  const read = readRunState(dir);
  const decoder = read?.state.decoder as DecoderCheckpointState | undefined;
  return read && decoder ? { ...decoder, step: read.state.step } : null;
}

/** A finished (or resumed and finished) decoder training. */
export interface DecoderTrainSummary {
  /** The step the run started from (0, or the resumed checkpoint's). */
  startStep: number;
  /** Loss of each step run. */
  losses: number[];
  /** The last checkpoint written. */
  checkpointDir: string;
}

/**
 * `vjepa decode train`: freezes the encoder and predictor of a run, and trains a {@link PixelDecoder} to
 * give the pixels of the masked tokens from the predicted features alone, with the run's masks, on the
 * run's data (or `data`). Checkpoints (atomic, checksummed: trainer's `saveCheckpoint`) go to
 * `out/checkpoints`; `resume` goes on from the newest intact one, with the same batches and masks.
 */
export async function trainDecoder(options: DecoderTrainOptions): Promise<DecoderTrainSummary> {
  checkKeys('options', options, TRAIN_OPTION_KEYS);
  const log = options.log ?? console.log;
  if (!Number.isInteger(options.steps) || options.steps < 1) fail('--steps', 'an integer ≥ 1', options.steps);
  const every = options.checkpointEvery ?? 50;
  if (!Number.isInteger(every) || every < 1) fail('--checkpoint-every', 'an integer ≥ 1', every);
  const root = join(options.out, 'checkpoints');
  const saved = savedDecoderState(options.out);
  if (options.resume && !saved) fail('--resume', `a decoder checkpoint under ${options.out}`, 'none', 'Train first, or drop --resume');
  if (!options.resume && saved) fail('--out', 'a folder without a decoder checkpoint', options.out, 'Add --resume to go on, or choose another --out');
  const config = frozenRunConfig(options.checkpoint, 'features');
  const seed = saved?.seed ?? options.seed ?? config.seed;
  const decoderConfig = saved?.config ?? decoderConfigForRun(config, options.decoder);
  const settings = { data: saved?.data ?? options.data ?? config.data.spec, batchSize: saved?.batchSize ?? options.batchSize ?? config.data.batchSize, lr: saved?.lr ?? options.lr ?? 1e-3, loss: saved?.loss ?? options.loss ?? 'l1' };
  const e = config.model.encoder;
  const masks = new MaskCollator({ grid: { frames: e.frames, crop: e.imageSize, patch: e.patch, tubelet: e.tubelet }, generators: config.mask, seed });

  const choice = await selectBackend(options.backend ?? 'auto');
  log(`backend: ${choice.backend} (${choice.reason})`);
  const loader = await openRunClips(settings.data, config, { mode: 'train', batchSize: settings.batchSize, seed, onWarning: (m) => log(`warning: ${m}`) });
  const source = loaderBatchSource(loader);
  log(`data: ${loader.source.description ?? settings.data}`);
  const run = loadFrozenRun(options.checkpoint, config);
  const decoder = new PixelDecoder(decoderConfig, { seed });
  const step = new DecoderTrainStep(decoder, { lr: settings.lr, loss: settings.loss });
  try {
    let startStep = 0;
    if (saved) {
      const loaded = loadCheckpoint(root, { decoder }, { onWarning: (m) => log(`warning: ${m}`) });
      if (loaded.optimizer) step.loadState(loaded.optimizer);
      source.setState(saved.loader);
      masks.setState(saved.masks);
      startStep = loaded.state.step;
      log(`resumed from ${loaded.dir} at step ${startStep}`);
    }
    const d = decoder.config;
    log(
      `decoder: ${d.depth} blocks of width ${d.dim} (${d.heads} heads, ${d.positions} positions) on the frozen ViT-${config.model.size} and predictor of ${options.checkpoint}, ` +
        `${settings.loss} loss, lr ${settings.lr}, batch ${settings.batchSize}, ${options.steps} steps`,
    );
    const losses: number[] = [];
    let checkpointDir = '';
    const save = (done: number) => {
      const state: DecoderCheckpointState = { config: decoderConfig, run: options.checkpoint, seed, ...settings, loader: source.getState() as ClipLoaderState, masks: masks.getState() };
      checkpointDir = saveCheckpoint(root, { decoder }, { step: done, decoder: state }, step.state(), { keep: options.keep });
    };
    const started = Date.now();
    for (let s = startStep; s < options.steps; s++) {
      const { video } = await source.next();
      try {
        const { loss } = step.run(run.models, video, masks.sample(video.shape[0]));
        losses.push(loss);
        const done = s + 1;
        if (done === startStep + 1 || done % 10 === 0 || done === options.steps) {
          const perStep = (Date.now() - started) / 1000 / (done - startStep);
          log(`decode step ${done}/${options.steps} | loss ${loss.toFixed(4)} | ${(video.shape[0] / perStep).toFixed(2)} clips/s | ETA ${formatEta(perStep * (options.steps - done))}`);
        }
        if (done % every === 0 || done === options.steps) save(done);
      } finally {
        video.dispose();
      }
    }
    if (!checkpointDir) save(startStep);
    log(`checkpoint: ${resolve(checkpointDir)}`);
    return { startStep, losses, checkpointDir };
  } finally {
    step.dispose();
    decoder.dispose();
    run.dispose();
    loader.close();
  }
}
