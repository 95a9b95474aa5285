import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, VjepaError } from '@vjepa/core';
import { describeArch } from './arch';
import type { Vjepa2Checkpoint, Vjepa2ReadOptions } from './checkpoint';
import type { LazyStateDict } from './lazy-tensor';
import { openVjepa2 } from './open';
import { HF_CONFIG, HF_INDEX, HF_WEIGHTS } from './hf-folder';
import { openLazySafetensors } from './lazy-safetensors-file';

/** Heads stand-ins for a summary of a file whose head counts only the caller knows (printed as unknown). */
const PLACEHOLDER_HEADS: Vjepa2ReadOptions = { heads: 1, predictorHeads: 1, probeHeads: 1 };

function parameters(state: LazyStateDict | null): number | undefined {
  return state ? [...state.values()].reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0) : undefined;
}

const FORMATS: Record<Vjepa2Checkpoint['format'], string> = {
  'official-pretrain': 'official V-JEPA 2 pretraining checkpoint',
  'official-probe': 'official V-JEPA 2 attentive-probe checkpoint',
  'hf-model': 'Hugging Face VJEPA2Model',
  'hf-classifier': 'Hugging Face VJEPA2ForVideoClassification',
};

/**
 * What a file is as V-JEPA 2, in one line (kind, released size, widths, depths, heads, classes,
 * protocol, parameters), or null when it is no V-JEPA 2 file this package reads. Nothing but shapes is read.
 *
 * @param path - a `.pt`, a Hugging Face folder or its weights file.
 */
export function vjepa2Summary(path: string): string | null {
  let checkpoint: Vjepa2Checkpoint;
  let headsKnown = true;
  try {
    checkpoint = openVjepa2(path);
  } catch (error) {
    if (!(error instanceof UsageError)) return null;
    try {
      checkpoint = openVjepa2(path, PLACEHOLDER_HEADS);
      headsKnown = false;
    } catch (again) {
      if (again instanceof VjepaError) return null;
      throw again;
    }
  }
  try {
    const { arch } = checkpoint;
    let text = describeArch(arch, { encoder: parameters(checkpoint.encoder), predictor: parameters(checkpoint.predictor), probe: parameters(checkpoint.probe) });
    if (!headsKnown) text = text.replace(/\b1 head\b/g, 'heads not in the file');
    const from = checkpoint.encoderKey ? ` (encoder from '${checkpoint.encoderKey}')` : '';
    const notes = arch.assumed.length > 0 ? `; assumed: ${arch.assumed.join('; ')}` : '';
    return `${FORMATS[checkpoint.format]}${from}: ${text}${notes}`;
  } finally {
    checkpoint.close();
  }
}

/** Whether `path` is a folder with a `config.json` of `model_type` `vjepa2`. */
export function isHfVjepa2Folder(path: string): boolean {
  const config = join(path, HF_CONFIG);
  if (!statSync(path).isDirectory() || !existsSync(config)) return false;
  try {
    return (JSON.parse(readFileSync(config, 'utf8')) as { model_type?: unknown }).model_type === 'vjepa2';
  } catch {
    return false;
  }
}

/** The tensors (name, dtype, shape, over every shard) and the config of a Hugging Face V-JEPA 2 folder, for `vjepa inspect`. */
export function hfFolderListing(dir: string): { tensors: { name: string; dtype: string; shape: number[] }[]; values: Record<string, unknown> } {
  const files = existsSync(join(dir, HF_WEIGHTS))
    ? [HF_WEIGHTS]
    : existsSync(join(dir, HF_INDEX))
      ? [...new Set(Object.values((JSON.parse(readFileSync(join(dir, HF_INDEX), 'utf8')) as { weight_map: Record<string, string> }).weight_map))]
      : [];
  const tensors: { name: string; dtype: string; shape: number[] }[] = [];
  for (const file of files.filter((f) => existsSync(join(dir, f)))) {
    const opened = openLazySafetensors(join(dir, file));
    for (const e of opened.entries) tensors.push({ name: e.name, dtype: e.dtype, shape: e.shape });
    opened.close();
  }
  return { tensors, values: { config: JSON.parse(readFileSync(join(dir, HF_CONFIG), 'utf8')) as unknown, files } };
}
