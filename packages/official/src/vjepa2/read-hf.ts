import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Vjepa2Checkpoint, Vjepa2ReadOptions } from './checkpoint';
import { openHfFolder, type HfFolder } from './hf-folder';
import { openLazySafetensors } from './lazy-safetensors-file';

/** A directory as an {@link HfFolder}. */
export function directoryFolder(dir: string): HfFolder {
  return {
    name: dir,
    path: (file) => join(dir, file),
    has: (file) => existsSync(join(dir, file)),
    text: (file) => readFileSync(join(dir, file), 'utf8'),
    safetensors: (file) => openLazySafetensors(join(dir, file)),
  };
}

/**
 * Opens a Hugging Face `VJEPA2Model` or `VJEPA2ForVideoClassification` folder on disk (see
 * `openHfFolder`): tensors are read from disk one at a time when asked.
 *
 * @param dir - the folder (or a file of it: its `model.safetensors`, `config.json`).
 * @param options - what the config leaves open; `encoder` must be `encoder`.
 * @throws CheckpointError for a bad folder, another model type, a missing shard, missing or unexpected keys.
 */
export function openHfVjepa2(dir: string, options: Vjepa2ReadOptions = {}): Vjepa2Checkpoint {
  return openHfFolder(directoryFolder(statSync(dir).isDirectory() ? dir : dirname(dir)), options);
}
