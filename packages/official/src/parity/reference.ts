import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import {
  fail,
  int64ToInt32,
  readSafetensorsSync,
  selectGroup,
  toChannelsLast,
  type IndexBatch,
  type SafeTensor,
  type VideoBatch,
} from '@vjepa/core';
import { VisionTransformer } from '@vjepa/vit';
import { hostStateDict, withTorchFile } from '../torch-files';
import { Predictor } from '@vjepa/predictor';

/** The JSON config that sits beside a reference `.safetensors` file (keys of the official scripts). */
export interface ReferenceConfig {
  crop: number;
  patch: number;
  frames: number;
  tubelet: number;
  dim: number;
  depth: number;
  heads: number;
  pred_dim: number;
  pred_depth: number;
  pred_heads?: number;
  uniform_power: boolean;
  batch?: number;
  classes?: number;
  [key: string]: unknown;
}

/** A reference file: its tensors by `group/key` and its config. */
export interface Reference {
  file: string;
  config: ReferenceConfig;
  tensors: Map<string, SafeTensor>;
}

const REQUIRED = ['crop', 'patch', 'frames', 'tubelet', 'dim', 'depth', 'heads', 'pred_dim', 'pred_depth'] as const;

/** Official checkpoints whose weights replace those of the reference file. */
export interface ReferenceWeights {
  /** A pretraining `.pth.tar`: its `encoder`, `predictor`, `target_encoder` replace `encoder/*`, `predictor/*`, `target_encoder/*`. */
  weights?: string;
  /** An attentive-probe `.pth.tar` / `.pt`: its `classifier` (V-JEPA 2: `classifiers[0]`) replaces `probe/*`. */
  probeWeights?: string;
}

/** Replaces every tensor of `group/*` with the state dict `key` of a `.pth*` file (prefixes stripped). */
function replaceGroups(tensors: Map<string, SafeTensor>, path: string, groups: [key: string, group: string][]): void {
  withTorchFile(path, (_file, root) => {
    for (const [key, group] of groups) {
      // V-JEPA 2 probe files hold a list `classifiers` (the official eval reads its first entry).
      const listed = key === 'classifier' && !root.has(key) ? root.get('classifiers') : undefined;
      const dict = Array.isArray(listed) ? listed[0] : root.get(key);
      if (!(dict instanceof Map)) fail(`${path}`, `a '${key}' state dict`, [...root.keys()].map(String));
      for (const name of [...tensors.keys()]) if (name.startsWith(`${group}/`)) tensors.delete(name);
      for (const [name, t] of hostStateDict(dict, `${path}: ${key}`)) tensors.set(`${group}/${name}`, { dtype: 'F32', shape: t.shape, data: t.data as Float32Array });
    }
  });
}

/**
 * Reads `FILE.safetensors` and the `FILE.json` config beside it (either path may be given), checking the config before use; with
 * `weights`, the model weights come from official `.pth.tar` checkpoints instead of the reference's groups.
 */
export function loadReference(file: string, weights: ReferenceWeights = {}): Reference {
  if (!existsSync(file)) fail('FILE', 'an existing reference .safetensors file (or its .json config)', file);
  const base = file.replace(/\.(safetensors|json)$/, '');
  const configFile = `${base}.json`;
  const tensorFile = `${base}.safetensors`;
  if (!existsSync(configFile)) fail('config', `a JSON config beside the tensors at ${configFile}`, 'no such file');
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as ReferenceConfig;
  for (const key of REQUIRED) {
    if (!Number.isInteger(config[key]) || (config[key] as number) < 1) fail(`${configFile}: ${key}`, 'a positive integer', config[key]);
  }
  if (!existsSync(tensorFile)) fail('FILE', `the reference tensors beside the config at ${tensorFile}`, 'no such file');
  const { tensors } = readSafetensorsSync(tensorFile);
  if (!tensors.has('input/video_bcthw')) fail(`${tensorFile}`, "a tensor named 'input/video_bcthw'", [...tensors.keys()].slice(0, 5));
  if (weights.weights) replaceGroups(tensors, weights.weights, [['encoder', 'encoder'], ['predictor', 'predictor'], ['target_encoder', 'target_encoder']]);
  if (weights.probeWeights) replaceGroups(tensors, weights.probeWeights, [['classifier', 'probe']]);
  return { file, config, tensors };
}

/** Encoder geometry of a reference config. */
export function encoderConfig(config: ReferenceConfig) {
  return {
    dim: config.dim,
    depth: config.depth,
    heads: config.heads,
    patch: config.patch,
    tubelet: config.tubelet,
    frames: config.frames,
    imageSize: config.crop,
    uniformPower: config.uniform_power ?? true,
  };
}

/** Number of mask generators in a reference file (`masks/enc0`, `masks/enc1`, …). */
export function generatorCount(reference: Reference): number {
  let count = 0;
  while (reference.tensors.has(`masks/enc${count}`)) count++;
  return count;
}

/** The models of a reference file, built from its config and loaded with its weights. */
export function buildModels(reference: Reference) {
  const { config, tensors, file } = reference;
  const encoder = new VisionTransformer(encoderConfig(config));
  encoder.loadStateDict(selectGroup(tensors, 'encoder'), { source: `${file} (encoder/*)` });
  const targetEncoder = new VisionTransformer(encoderConfig(config));
  targetEncoder.loadStateDict(selectGroup(tensors, 'target_encoder'), { source: `${file} (target_encoder/*)` });
  const predictor = new Predictor({
    encoderDim: config.dim,
    dim: config.pred_dim,
    depth: config.pred_depth,
    heads: config.pred_heads ?? config.heads,
    numMaskTokens: Math.max(1, countMaskTokens(tensors)),
    uniformPower: config.uniform_power ?? true,
    frames: config.frames,
    imageSize: config.crop,
    patch: config.patch,
    tubelet: config.tubelet,
  });
  predictor.loadStateDict(selectGroup(tensors, 'predictor'), { source: `${file} (predictor/*)` });
  return { encoder, targetEncoder, predictor };
}

function countMaskTokens(tensors: Map<string, SafeTensor>): number {
  let count = 0;
  while (tensors.has(`predictor/mask_tokens.${count}`)) count++;
  return count;
}

/** The clip of a reference file, converted to `[B, T, H, W, C]`. */
export function referenceVideo(reference: Reference): VideoBatch {
  const clip = reference.tensors.get('input/video_bcthw')!;
  return tf.tidy(() => toChannelsLast(tf.tensor5d(clip.data as Float32Array, clip.shape as [number, number, number, number, number])));
}

/** An int64 index tensor of the file as an `IndexBatch`. */
export function referenceIndices(reference: Reference, name: string): IndexBatch {
  const t = reference.tensors.get(name);
  if (!t || t.shape.length !== 2) fail(name, 'a [B, K] index tensor in the reference file', t?.shape ?? 'absent');
  const data = t.data instanceof BigInt64Array ? int64ToInt32(t.data, name) : Int32Array.from(t.data as ArrayLike<number>);
  return { data, shape: t.shape as [number, number] };
}
