/**
 * The rows "what the predictor sees": a run's encoder and predictor with a decoder of `vjepa decode train`
 * (the three `.safetensors` files of their checkpoint directories, dropped or picked together). For one
 * mask of the clip: the context the encoder sees, the masked region as it is, and the decoder's pixels of
 * the predictor's features there — the decoder never sees the visible pixels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseSafetensors, type HostTensor } from '@vjepa/core';
import { IMAGENET_MEAN, IMAGENET_STD } from '@vjepa/data';
import { PixelDecoder, denormalize, frameRaster, meanAbsError, meanColourPrediction, clipTokens, pasteTokens, predictedFeatures, type HostClip, type Raster } from '@vjepa/decoder';
import { LONG_RANGE_MASK, MaskCollator, type MaskGeneratorConfig } from '@vjepa/masking';
import { Predictor } from '@vjepa/predictor';
import type { VisionTransformer } from '@vjepa/vit';
import { CELL } from './draw';
import { encoderFromTensors } from './encoder';
import { FRAMES } from './settings';

/** The three files, by the names a run's and a decoder's checkpoint directories give them. */
export const DECODER_SET_FILES = ['encoder.safetensors', 'predictor.safetensors', 'decoder.safetensors'] as const;

/** A frozen encoder and predictor and the decoder trained on them. */
export interface DecoderSet {
  encoder: VisionTransformer;
  predictor: Predictor;
  decoder: PixelDecoder;
  /** One line saying what was loaded. */
  description: string;
  dispose(): void;
}

/** Whether a drop is a decoder set (it has `decoder.safetensors`). */
export function isDecoderSet(files: readonly File[]): boolean {
  return files.some((file) => file.name === 'decoder.safetensors');
}

type Tensors = ReadonlyMap<string, HostTensor>;

function count(tensors: Tensors, key: (i: number) => string): number {
  let n = 0;
  while (tensors.has(key(n))) n++;
  return n;
}

function shape(tensors: Tensors, key: string, file: string): number[] {
  const tensor = tensors.get(key);
  if (!tensor) throw new Error(`${file}: expected a tensor "${key}", received keys ${[...tensors.keys()].slice(0, 4).join(', ')}…`);
  return tensor.shape;
}

/**
 * The set from its three files: the encoder's config from its shapes (as a dropped encoder), the
 * predictor's and the decoder's from theirs, with the encoder's geometry; the decoder's heads from the page's
 * `?decoder-heads=N` (default 3, `vjepa decode train`'s).
 */
export async function decoderSetFromFiles(files: readonly File[], decoderHeads: string | null): Promise<DecoderSet> {
  const read = async (name: string) => {
    const file = files.find((f) => f.name === name);
    if (!file) throw new Error(`decoder set: expected the files ${DECODER_SET_FILES.join(', ')} together, received ${files.map((f) => f.name).join(', ')}`);
    return parseSafetensors(new Uint8Array(await file.arrayBuffer()), name);
  };
  const [enc, pred, dec] = [await read('encoder.safetensors'), await read('predictor.safetensors'), await read('decoder.safetensors')];
  const { encoder } = encoderFromTensors(enc.tensors, enc.metadata, 'encoder.safetensors');
  const e = encoder.config;
  if (e.frames !== FRAMES) {
    encoder.dispose();
    throw new Error(`encoder.safetensors: expected an encoder of ${FRAMES}-frame clips, received ${e.frames} frames`);
  }
  const geometry = { frames: e.frames, imageSize: e.imageSize, patch: e.patch, tubelet: e.tubelet };
  const built: { predictor?: Predictor; decoder?: PixelDecoder } = {};
  try {
    const [predDim] = shape(pred.tensors, 'predictor_embed.weight', 'predictor.safetensors');
    built.predictor = new Predictor({
      encoderDim: e.dim,
      dim: predDim,
      heads: e.heads,
      depth: count(pred.tensors, (i) => `predictor_blocks.${i}.norm1.weight`),
      numMaskTokens: count(pred.tensors, (i) => `mask_tokens.${i}`),
      mlpRatio: shape(pred.tensors, 'predictor_blocks.0.mlp.fc1.weight', 'predictor.safetensors')[0] / predDim,
      outputDim: shape(pred.tensors, 'predictor_proj.weight', 'predictor.safetensors')[0],
      uniformPower: e.uniformPower,
      ...geometry,
    });
    built.predictor.loadStateDict(new Map(pred.tensors));
    const [dim, inputDim] = shape(dec.tensors, 'decoder_embed.weight', 'decoder.safetensors');
    built.decoder = new PixelDecoder({
      inputDim,
      dim,
      heads: Number(decoderHeads ?? 3),
      depth: count(dec.tensors, (i) => `decoder_blocks.${i}.norm1.weight`),
      mlpRatio: shape(dec.tensors, 'decoder_blocks.0.mlp.fc1.weight', 'decoder.safetensors')[0] / dim,
      uniformPower: e.uniformPower,
      channels: e.channels,
      ...geometry,
    });
    built.decoder.loadStateDict(new Map(dec.tensors));
  } catch (error) {
    encoder.dispose();
    built.predictor?.dispose();
    built.decoder?.dispose();
    throw error;
  }
  const { predictor, decoder } = built as Required<typeof built>;
  return {
    encoder,
    predictor,
    decoder,
    description: `ViT ${e.dim} wide, ${e.depth} deep on ${e.frames} × ${e.imageSize} px; predictor ${predictor.config.dim}/${predictor.config.depth}; decoder ${decoder.config.dim}/${decoder.config.depth}`,
    dispose: () => {
      encoder.dispose();
      predictor.dispose();
      decoder.dispose();
    },
  };
}

/** The mask the rows use: `?decode-mask=future` (the main job's) or the long-range multiblock of pretraining (default). */
export function decodeMaskConfig(name: string | null): { name: string; config: MaskGeneratorConfig } {
  return name === 'future' ? { name: 'future', config: { type: 'future' } } : { name: 'long-range multiblock', config: LONG_RANGE_MASK };
}

/** One mask's view: per tubelet step the context, the masked region, the decoding; and the errors there. */
export interface PredictorView {
  steps: { context: Raster; masked: Raster; decoding: Raster }[];
  /** Mean absolute error (colours in [0, 1]) of the decoding on the masked tokens, and of the clip's mean colour. */
  maskedL1: number;
  meanColourL1: number;
  targetTokens: number;
  tokenCount: number;
}

/** Runs the set on `video` `[16, S, S, 3]` (S the encoder's image size, normalised) with one mask drawn from `seed`. */
export function whatThePredictorSees(set: DecoderSet, video: Float32Array, seed: number, mask: MaskGeneratorConfig): PredictorView {
  const e = set.encoder.config;
  const collator = new MaskCollator({ seed, generators: [mask], grid: { frames: e.frames, crop: e.imageSize, patch: e.patch, tubelet: e.tubelet } });
  const [pair] = collator.sample(1);
  const normalised = tf.tidy(() => {
    const clip = tf.tensor5d(video, [1, e.frames, e.imageSize, e.imageSize, e.channels]); // [1, T, S, S, C]
    return set.decoder.apply(predictedFeatures(set, clip, pair, 0), pair.target).dataSync() as Float32Array; // [1, K, t·p·p·C]
  });
  const geometry = { frames: e.frames, height: e.imageSize, width: e.imageSize, channels: e.channels, tubelet: e.tubelet, patch: e.patch };
  const clip: HostClip = { geometry, data: denormalize(video, IMAGENET_MEAN, IMAGENET_STD) };
  const decoded = denormalize(normalised, IMAGENET_MEAN, IMAGENET_STD);
  const truth = clipTokens(clip, pair.target.data);
  const contextIds = pair.context.data;
  const blank: HostClip = { geometry, data: new Float32Array(clip.data.length).fill(0.5) };
  const contextClip = pasteTokens(blank, contextIds, clipTokens(clip, contextIds));
  const maskedClip = pasteTokens(blank, pair.target.data, truth);
  const decodingClip = pasteTokens(blank, pair.target.data, decoded);
  const steps = Array.from({ length: e.frames / e.tubelet }, (_, j) => ({
    context: frameRaster(contextClip, j * e.tubelet),
    masked: frameRaster(maskedClip, j * e.tubelet),
    decoding: frameRaster(decodingClip, j * e.tubelet),
  }));
  return {
    steps,
    maskedL1: meanAbsError(decoded, truth),
    meanColourL1: meanAbsError(meanColourPrediction(clip, pair.target.data.length), truth),
    targetTokens: pair.target.data.length,
    tokenCount: (e.frames / e.tubelet) * (e.imageSize / e.patch) ** 2,
  };
}

/** A raster on a canvas the size of a page cell. */
export function rasterCanvas(raster: Raster): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = raster.width;
  canvas.height = raster.height;
  canvas.style.width = `${CELL}px`;
  canvas.style.height = `${CELL}px`;
  const image = new ImageData(raster.width, raster.height);
  for (let p = 0; p < raster.width * raster.height; p++) {
    image.data.set(raster.rgb.subarray(p * 3, p * 3 + 3), p * 4);
    image.data[p * 4 + 3] = 255;
  }
  canvas.getContext('2d')!.putImageData(image, 0, 0);
  return canvas;
}

/** What {@link predictorRows} gives the page: its rows, and its numbers for a headless check. */
export interface PredictorRowsResult {
  rows: HTMLElement[];
  view?: { set: string; mask: string; maskedL1: number; meanColourL1: number; targetTokens: number; tokenCount: number };
}

/** The page's row and figure builders (main.ts). */
interface RowBuilders {
  row(title: string, detail: string, cells: HTMLElement[], className?: string): HTMLElement;
  figure(canvas: HTMLCanvasElement, caption: string): HTMLElement;
}

/** The three rows for the clip `video` (at the set's image size) and a mask drawn from `seed` (`?decode-mask`). */
export function predictorRows(set: DecoderSet, video: Float32Array, seed: number, maskName: string | null, { row, figure }: RowBuilders): PredictorRowsResult {
  const mask = decodeMaskConfig(maskName);
  const view = whatThePredictorSees(set, video, seed, mask.config);
  const cells = (pick: 'context' | 'masked' | 'decoding') => view.steps.map((s, step) => figure(rasterCanvas(s[pick]), `step ${step}`));
  const share = `${view.targetTokens} of ${view.tokenCount} tokens hidden (${mask.name} mask, seed ${seed})`;
  return {
    rows: [
      row('what the predictor sees: context', `${set.description}; ${share}`, cells('context'), 'predictor'),
      row('… the masked region', 'the hidden tokens as they are (grey: visible)', cells('masked'), 'predictor'),
      row('… its decoding', `the decoder's pixels from the predicted features alone: L1 ${view.maskedL1.toFixed(3)} (the clip's mean colour: ${view.meanColourL1.toFixed(3)})`, cells('decoding'), 'predictor'),
    ],
    view: { set: set.description, mask: mask.name, maskedL1: view.maskedL1, meanColourL1: view.meanColourL1, targetTokens: view.targetTokens, tokenCount: view.tokenCount },
  };
}
