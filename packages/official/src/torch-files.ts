import { existsSync, statSync } from 'node:fs';
import { fail, type HostTensor } from '@vjepa/core';
import { openTorchFile, PyFloat, readPretrainedStateDict, stripOfficialPrefixes, TorchTensor, type TorchFile } from '@vjepa/torch-format';

/** Whether `path` names a PyTorch file by its extension (`.pth`, `.pt`, `.pth.tar`, `.ckpt`). */
export function isTorchPath(path: string): boolean {
  return /\.(pth|pt|pth\.tar|ckpt|tar)$/i.test(path) && existsSync(path) && statSync(path).isFile();
}

/** A number of an unpickled file (an int, or a float kept as `PyFloat`), else null. */
export function numberOrNull(value: unknown): number | null {
  if (typeof value === 'number') return value;
  return value instanceof PyFloat ? value.value : null;
}

/** A state dict read from a PyTorch file: float32 host tensors (F16/BF16 widened) by key. */
export type HostStateDict = Map<string, HostTensor>;

function asDict(value: unknown, where: string): Map<unknown, unknown> {
  if (!(value instanceof Map)) fail(where, 'a dict (state dict)', value);
  return value;
}

/** A state dict of a file, prefixes stripped, every tensor widened to float32 (as tfjs needs). */
export function hostStateDict(dict: Map<unknown, unknown>, where: string): HostStateDict {
  const out: HostStateDict = new Map();
  for (const [key, tensor] of dict) {
    if (typeof key !== 'string' || !(tensor instanceof TorchTensor)) fail(`${where}[${String(key)}]`, 'a tensor under a string key', tensor);
    out.set(stripOfficialPrefixes(key), { shape: [...tensor.shape], data: tensor.readFloat32() });
  }
  return out;
}

/** Opens a `.pth*` file, runs `use` on it and closes it. */
export function withTorchFile<T>(path: string, use: (file: TorchFile, root: Map<unknown, unknown>) => T): T {
  const file = openTorchFile(path);
  try {
    return use(file, asDict(file.root, `${path}: the saved object`));
  } finally {
    file.close();
  }
}

/**
 * The encoder of an official pretraining checkpoint, by the official rule of `load_pretrained`:
 * `target_encoder` (else `encoder`) for `which = 'target'`, `encoder` for `'online'`; `module.` and
 * `backbone.` stripped; widened to float32.
 *
 * @param path - the `.pth.tar` file.
 * @param which - which encoder (default `target`).
 * @returns the state dict and the key of the file it came from.
 */
export function readOfficialEncoder(path: string, which: 'target' | 'online' = 'target'): { state: HostStateDict; key: string } {
  return readPretrainedStateDict(path, which === 'target' ? ['target_encoder', 'encoder'] : ['encoder']);
}

/** The attentive classifier of an official probe checkpoint (`classifier`, `module.` stripped), float32. */
export function readOfficialClassifier(path: string): HostStateDict {
  return readPretrainedStateDict(path, ['classifier']).state;
}
