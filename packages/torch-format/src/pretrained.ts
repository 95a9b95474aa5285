import { fail } from './errors';
import { openTorchFile } from './load';
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
 * @param path - a `.pth`/`.pth.tar` file (zip or legacy format).
 * @param keys - the entries to try in order; the first present is read (default: the official rule of
 *   `load_pretrained`, `target_encoder` then `encoder`).
 * @returns the entry used and the tensors.
 * @throws TorchFormatError when none of `keys` is a dict of tensors.
 * @example
 * const { state } = readPretrainedStateDict('vitl16.pth.tar');  // target_encoder, prefixes stripped
 * encoder.loadStateDict(state);                                   // a @vjepa/vit VisionTransformer
 */
export function readPretrainedStateDict(path: string, keys: readonly string[] = ['target_encoder', 'encoder']): { key: string; state: Map<string, Float32Tensor> } {
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'string')) fail('keys', 'a non-empty list of entry names', keys);
  const file = openTorchFile(path);
  try {
    const root = file.root;
    if (!(root instanceof Map)) fail(`${path}: the saved object`, 'a dict', root);
    const key = keys.find((k) => root.has(k));
    if (key === undefined) fail(`${path}`, `an entry ${keys.map((k) => `'${k}'`).join(' or ')}`, [...root.keys()].map(String));
    const dict = root.get(key);
    if (!(dict instanceof Map)) fail(`${path}: ${key}`, 'a state dict', dict);
    const state = new Map<string, Float32Tensor>();
    for (const [name, tensor] of dict) {
      if (typeof name !== 'string' || !(tensor instanceof TorchTensor)) fail(`${path}: ${key}[${String(name)}]`, 'a tensor under a string key', tensor);
      state.set(stripOfficialPrefixes(name), { storedDtype: tensor.dtype, shape: [...tensor.shape], data: tensor.readFloat32() });
    }
    return { key, state };
  } finally {
    file.close();
  }
}
