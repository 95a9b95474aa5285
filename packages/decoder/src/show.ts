import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, fail, optionKeys, selectBackend, type BackendRequest, type MaskPair } from '@vjepa/core';
import { IMAGENET_MEAN, IMAGENET_STD, toVideoBatch } from '@vjepa/data';
import { MaskCollator } from '@vjepa/masking';
import { loadCheckpoint, type RunConfig } from '@vjepa/trainer';
import { meanAbsError, meanColourPrediction, nearestVisiblePrediction } from './baselines';
import { PixelDecoder } from './decoder';
import { tokenPixelTargets } from './loss';
import { clipTokens, denormalize, type HostClip } from './pixels';
import { writePng } from './png';
import { frozenRunConfig, loadFrozenRun, openRunClips, type FrozenRun } from './run';
import { decodingSheet, type SheetSample } from './sheet';
import { predictedFeatures } from './step';
import { savedDecoderState } from './train';

/** Options of {@link showDecoder}. */
export interface DecoderShowOptions {
  /** The `vjepa train` run whose encoder and predictor the decoder was trained on. */
  checkpoint: string;
  /** The `vjepa decode train` output folder (or a checkpoint directory of it). */
  decoder: string;
  /** A video file, or a dataset spec (`synthetic:NAME`, a CSV, a folder): its first clip is shown. */
  video: string;
  /** Decodings, each from its own mask (default 4). */
  samples?: number;
  /** The PNG sheet to write. */
  out: string;
  /** A `--target pixels` run: its own prediction of the same masked tokens is a further baseline. */
  pixelCheckpoint?: string;
  /** Seed of the masks and of a synthetic set (default 0). */
  seed?: number;
  backend?: BackendRequest;
  log?: (line: string) => void;
}

const SHOW_OPTION_KEYS = optionKeys<DecoderShowOptions>({
  checkpoint: true, decoder: true, video: true, samples: true, out: true, pixelCheckpoint: true, seed: true, backend: true, log: true,
});

/**
 * The mean absolute error, in colours [0, 1], on the masked tokens: of the decoding (`masked_l1`) and of
 * the baselines — the clip's mean colour, the nearest visible pixels in time (see
 * `nearestVisiblePrediction`), and the `--target pixels` model's prediction (null without one). The pixel
 * model predicts each token's pixels normalised by their own mean and spread (its training target); they
 * are put back with the true tokens' mean and spread, as MAE's figures do, which favours it.
 */
export interface DecoderShowResult {
  masked_l1: number;
  baselines: { mean_colour: number; nearest_visible: number; pixel_model: number | null };
  /** Decodings averaged over. */
  samples: number;
  /** The PNG written. */
  sheet: string;
}

function sameGeometry(a: RunConfig, b: RunConfig): boolean {
  const [x, y] = [a.model.encoder, b.model.encoder];
  return x.frames === y.frames && x.imageSize === y.imageSize && x.patch === y.patch && x.tubelet === y.tubelet && x.channels === y.channels;
}

/** The pixel model's prediction of the target tokens, back in normalised clip values with the true tokens' mean and spread. */
function pixelModelTokens(pixels: FrozenRun, video: tf.Tensor5D, mask: MaskPair, truth: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const predicted = predictedFeatures(pixels.models, video, mask, 0); // [1, K, t·p·p·C], layer-normed
    const { mean, variance } = tf.moments(truth, -1, true); // [1, K, 1] each
    return tf.add(tf.mul(predicted, tf.sqrt(tf.add(variance, 1e-6))), mean) as tf.Tensor3D; // [1, K, t·p·p·C]
  });
}

/**
 * `vjepa decode show`: the picture sheet of a trained decoder on one clip — the clip, and for each of
 * `samples` masks drawn with the run's first mask generator the mask and the decoding of the predicted
 * features — written as PNG, and the errors on the masked tokens beside the baselines.
 */
export async function showDecoder(options: DecoderShowOptions): Promise<DecoderShowResult> {
  checkKeys('options', options, SHOW_OPTION_KEYS);
  const log = options.log ?? console.log;
  const samples = options.samples ?? 4;
  if (!Number.isInteger(samples) || samples < 1) fail('--samples', 'an integer ≥ 1', samples);
  const seed = options.seed ?? 0;
  const config = frozenRunConfig(options.checkpoint, 'features');
  const saved = savedDecoderState(options.decoder);
  if (!saved) fail('--decoder', 'a vjepa decode train output folder or checkpoint directory', options.decoder);
  const e = config.model.encoder;
  const c = saved.config;
  if (c.inputDim !== e.dim || c.frames !== e.frames || c.imageSize !== e.imageSize || c.patch !== e.patch || c.tubelet !== e.tubelet) {
    fail('--decoder', `a decoder of the run's width ${e.dim} and clips ${e.frames}×${e.imageSize}² (patch ${e.patch}, tubelet ${e.tubelet})`, `width ${c.inputDim}, clips ${c.frames}×${c.imageSize}² (${options.decoder})`);
  }
  const pixelConfig = options.pixelCheckpoint === undefined ? undefined : frozenRunConfig(options.pixelCheckpoint, 'pixels', '--pixel-checkpoint');
  if (pixelConfig && !sameGeometry(config, pixelConfig)) fail('--pixel-checkpoint', 'a run on clips of the same geometry', options.pixelCheckpoint);

  await selectBackend(options.backend ?? 'auto');
  const loader = await openRunClips(options.video, config, { mode: 'eval', batchSize: 1, seed: seed + 1 });
  const run = loadFrozenRun(options.checkpoint, config);
  const pixels = pixelConfig ? loadFrozenRun(options.pixelCheckpoint!, pixelConfig) : undefined;
  const decoder = new PixelDecoder(c);
  try {
    loadCheckpoint(options.decoder, { decoder });
    const video = toVideoBatch(await loader.next()); // [1, T, H, W, C]
    const geometry = { frames: e.frames, height: e.imageSize, width: e.imageSize, channels: e.channels, tubelet: e.tubelet, patch: e.patch };
    const clip: HostClip = { geometry, data: denormalize(video.dataSync() as Float32Array, IMAGENET_MEAN, IMAGENET_STD) };
    const masks = new MaskCollator({ grid: { frames: e.frames, crop: e.imageSize, patch: e.patch, tubelet: e.tubelet }, generators: [config.mask[0]], seed });
    const sheetSamples: SheetSample[] = [];
    const errors = { decoder: 0, meanColour: 0, nearest: 0, pixel: 0 };
    for (let k = 0; k < samples; k++) {
      const [mask] = masks.sample(1);
      const [decodedValues, pixelValues] = tf.tidy(() => {
        const decoded = decoder.apply(predictedFeatures(run.models, video, mask, 0), mask.target); // [1, K, t·p·p·C]
        const truth = tokenPixelTargets(video, mask.target, e.tubelet, e.patch); // [1, K, t·p·p·C]
        return [decoded.dataSync() as Float32Array, pixels ? (pixelModelTokens(pixels, video, mask, truth).dataSync() as Float32Array) : undefined];
      });
      const decoded = denormalize(decodedValues, IMAGENET_MEAN, IMAGENET_STD);
      const truth = clipTokens(clip, mask.target.data);
      errors.decoder += meanAbsError(decoded, truth) / samples;
      errors.meanColour += meanAbsError(meanColourPrediction(clip, mask.target.data.length), truth) / samples;
      errors.nearest += meanAbsError(nearestVisiblePrediction(clip, mask.context.data, mask.target.data), truth) / samples;
      if (pixelValues) errors.pixel += meanAbsError(denormalize(pixelValues, IMAGENET_MEAN, IMAGENET_STD), truth) / samples;
      sheetSamples.push({ targetIds: mask.target.data, decoded });
    }
    video.dispose();
    const sheet = resolve(options.out);
    writePng(decodingSheet(clip, sheetSamples), sheet);
    log(`sheet: ${sheet} (the clip, then ${samples} × mask and decoding; one column per tubelet step)`);
    return {
      masked_l1: errors.decoder,
      baselines: { mean_colour: errors.meanColour, nearest_visible: errors.nearest, pixel_model: pixels ? errors.pixel : null },
      samples,
      sheet,
    };
  } finally {
    decoder.dispose();
    run.dispose();
    pixels?.dispose();
    loader.close();
  }
}
