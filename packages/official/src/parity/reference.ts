import { existsSync, readFileSync } from 'node:fs';
import { fail, readSafetensorsSync, type SafeTensor } from '@vjepa/core';
import { hostStateDict, withTorchFile } from '../torch-files';
import { checkReferenceConfig, type Reference, type ReferenceConfig } from './reference-models';

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
  if (weights.weights) replaceGroups(tensors, weights.weights, [['encoder', 'encoder'], ['predictor', 'predictor'], ['target_encoder', 'target_encoder']]);
  if (weights.probeWeights) replaceGroups(tensors, weights.probeWeights, [['classifier', 'probe']]);
  return { file, config, tensors };
}

