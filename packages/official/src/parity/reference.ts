import { existsSync, readFileSync } from 'node:fs';
import { fail, readSafetensorsSync, type SafeTensor } from '@vjepa/core';
import { hostStateDict, withTorchFile } from '../torch-files';
import { checkReferenceConfig, type Reference, type ReferenceConfig } from './reference-models';
import { isVjepa2Config, type Vjepa2JsonConfig } from './vjepa2';
import { readVjepa2, type Vjepa2Weights } from '../vjepa2/open';

/** Official checkpoints whose weights replace those of the reference file. */
export interface ReferenceWeights {
  /**
   * A pretraining `.pth.tar`: its `encoder`, `predictor`, `target_encoder` replace `encoder/*`, `predictor/*`,
   * `target_encoder/*`. With a V-JEPA 2 fixture also a Hugging Face folder (read by `readVjepa2`): its
   * encoder and predictor replace theirs; `target_encoder/*` stays the fixture's (the folder has none).
   */
  weights?: string;
  /**
   * An attentive-probe `.pth.tar` / `.pt`: its `classifier` (V-JEPA 2: `classifiers[0]`) replaces `probe/*`;
   * with a V-JEPA 2 fixture also a Hugging Face classifier folder (its pooler and classifier).
   */
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

/** Replaces every tensor of `group/*` with a state dict of official keys. */
function replaceGroup(tensors: Map<string, SafeTensor>, group: string, state: Vjepa2Weights['encoder']): void {
  if (!state) return;
  for (const name of [...tensors.keys()]) if (name.startsWith(`${group}/`)) tensors.delete(name);
  for (const [name, t] of state) tensors.set(`${group}/${name}`, { dtype: 'F32', shape: t.shape, data: t.data });
}

/**
 * The V-JEPA 2 weights of official `.pt` files or Hugging Face folders, read by the V-JEPA 2 readers (which
 * check the architecture and every key) with what the fixture's config says of heads and geometry.
 */
function replaceVjepa2Groups(tensors: Map<string, SafeTensor>, config: Vjepa2JsonConfig, weights: ReferenceWeights): void {
  const hints = { heads: config.heads, predictorHeads: config.pred_heads ?? config.heads, probeHeads: config.probe_heads ?? 16, imageSize: config.crop, frames: config.frames };
  if (weights.weights) {
    const online = readVjepa2(weights.weights, hints);
    if (!online.encoder) fail('--weights', 'a V-JEPA 2 checkpoint with an encoder', online.format);
    replaceGroup(tensors, 'encoder', online.encoder);
    replaceGroup(tensors, 'predictor', online.predictor);
    if (online.format === 'official-pretrain') replaceGroup(tensors, 'target_encoder', readVjepa2(weights.weights, { ...hints, encoder: 'target_encoder' }).encoder);
  }
  if (weights.probeWeights) {
    const probe = readVjepa2(weights.probeWeights, hints);
    if (!probe.probe) fail('--probe-weights', 'a V-JEPA 2 probe .pt or Hugging Face classifier folder', probe.format);
    replaceGroup(tensors, 'probe', probe.probe);
  }
}

/**
 * Reads `FILE.safetensors` and the `FILE.json` config beside it (either path may be given), checking the config before use; with
 * `weights`, the model weights come from official `.pth.tar` checkpoints instead of the reference's groups.
 */
export function loadReference(file: string, weights: ReferenceWeights = {}): Reference {
  if (!existsSync(file)) {
    // With official weights, the reference is `--reference` (whose default is a path inside the repository).
    if (weights.weights) fail('--reference', 'an existing reference .safetensors file of the same weights', file, `Relative paths are read from the current folder ${process.cwd()}; give --reference FILE`);
    fail('FILE', 'an existing reference .safetensors file (or its .json config)', file);
  }
  const base = file.replace(/\.(safetensors|json)$/, '');
  const configFile = `${base}.json`;
  const tensorFile = `${base}.safetensors`;
  if (!existsSync(configFile)) fail('config', `a JSON config beside the tensors at ${configFile}`, 'no such file');
  const config = checkReferenceConfig(JSON.parse(readFileSync(configFile, 'utf8')) as ReferenceConfig, configFile);
  if (!existsSync(tensorFile)) fail('FILE', `the reference tensors beside the config at ${tensorFile}`, 'no such file');
  const { tensors } = readSafetensorsSync(tensorFile);
  if (!tensors.has('input/video_bcthw')) fail(`${tensorFile}`, "a tensor named 'input/video_bcthw'", [...tensors.keys()].slice(0, 5));
  if (isVjepa2Config(config)) {
    replaceVjepa2Groups(tensors, config as Vjepa2JsonConfig, weights);
    return { file, config, tensors };
  }
  if (weights.weights) replaceGroups(tensors, weights.weights, [['encoder', 'encoder'], ['predictor', 'predictor'], ['target_encoder', 'target_encoder']]);
  if (weights.probeWeights) replaceGroups(tensors, weights.probeWeights, [['classifier', 'probe']]);
  return { file, config, tensors };
}

