import { fail } from '@vjepa/base';
import { failFile } from './errors';
import { openTorchFile, parseTorchFile, type TorchFile } from './load';
import { TorchTensor } from './tensor';

/** A float32 tensor ready for `Module.loadStateDict` (`{ shape, data }`), with the dtype the file stored. */
export interface Float32Tensor {
  /** The dtype in the file (F16/BF16 were widened). */
  storedDtype: TorchTensor['dtype'];
  shape: number[];
  data: Float32Array;
}

/** Drops the DDP `module.` and the wrapper `backbone.` prefixes, as the official `load_pretrained` does. */
export function stripOfficialPrefixes(key: string): string {
  return key.replace(/^module\./, '').replace(/^backbone\./, '');
}

/**
 * Reads one state dict of a checkpoint as float32 tensors keyed without the `module.`/`backbone.`
 * prefixes: what `Module.loadStateDict` takes. Only that state dict's tensors are read from disk.
 *
 * @param file - a `.pth`/`.pth.tar` file (zip or legacy format): its path (Node only), its bytes (a
 *   Uint8Array or an ArrayBuffer, named `<buffer>` in messages), or a {@link TorchFile} already opened
 *   (left open; a file given by path or bytes is closed before this returns).
 * @param keys - the entries to try in order; the first present is read (default: the official rule of
 *   `load_pretrained`, `target_encoder` then `encoder`).
 * @returns the entry used and the tensors.
 * @throws TorchFormatError when none of `keys` is a dict of tensors; UsageError for bad arguments.
 * @example
 * const { state } = readPretrainedStateDict('vitl16.pth.tar');  // target_encoder, prefixes stripped
 * encoder.loadStateDict(state);                                   // a @vjepa/vit VisionTransformer
 * // In a browser: readPretrainedStateDict(parseTorchFile(new Uint8Array(await file.arrayBuffer()), file.name))
 */
export function readPretrainedStateDict(
  file: string | Uint8Array | ArrayBuffer | TorchFile,
  keys: readonly string[] = ['target_encoder', 'encoder'],
): { key: string; state: Map<string, Float32Tensor> } {
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'string')) fail('keys', 'a non-empty list of entry names', keys);
  if (typeof file === 'string') return stateDictOf(openTorchFile(file), keys, true);
  if (file instanceof Uint8Array || file instanceof ArrayBuffer) return stateDictOf(parseTorchFile(file), keys, true);
  if (file === null || typeof file !== 'object' || typeof file.close !== 'function' || !('root' in file)) {
    fail('file', 'a path, the bytes of a file or an opened TorchFile', file);
  }
  return stateDictOf(file, keys, false);
}

function stateDictOf(file: TorchFile, keys: readonly string[], close: boolean): { key: string; state: Map<string, Float32Tensor> } {
  const path = file.source;
  try {
    const root = file.root;
    if (!(root instanceof Map)) failFile(`${path}: the saved object`, 'a dict', root);
    const key = keys.find((k) => root.has(k));
    if (key === undefined) failFile(`${path}`, `an entry ${keys.map((k) => `'${k}'`).join(' or ')}`, [...root.keys()].map(String));
    const dict = root.get(key);
    if (!(dict instanceof Map)) failFile(`${path}: ${key}`, 'a state dict', dict);
    const state = new Map<string, Float32Tensor>();
    for (const [name, tensor] of dict) {
      if (typeof name !== 'string' || !(tensor instanceof TorchTensor)) failFile(`${path}: ${key}[${String(name)}]`, 'a tensor under a string key', tensor);
      state.set(stripOfficialPrefixes(name), { storedDtype: tensor.dtype, shape: [...tensor.shape], data: tensor.readFloat32() });
    }
    return { key, state };
  } finally {
    if (close) file.close();
  }
}
