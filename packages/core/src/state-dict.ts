import type * as tf from '@tensorflow/tfjs-core';
import type { HostTensor, StateDictInput } from './types';

/**
 * Removes every occurrence of the given substrings from each key, as the official evaluator does with
 * `module.` (DistributedDataParallel) and `backbone.` (the multi-mask wrappers): `module.backbone.norm.weight`
 * → `norm.weight`.
 */
export function stripKeyPrefixes<T extends tf.Tensor | HostTensor>(
  input: StateDictInput | Map<string, T>,
  prefixes: readonly string[] = ['module.', 'backbone.'],
): Map<string, T> {
  const entries = input instanceof Map ? [...input.entries()] : Object.entries(input);
  const out = new Map<string, T>();
  for (const [key, value] of entries) {
    const stripped = prefixes.reduce((k, prefix) => k.split(prefix).join(''), key);
    out.set(stripped, value as T);
  }
  return out;
}

/** The entries of `input` whose key starts with `group/`, with that prefix removed (fixture files group tensors this way). */
export function selectGroup<T>(input: Map<string, T>, group: string): Map<string, T> {
  const prefix = group.endsWith('/') ? group : `${group}/`;
  const out = new Map<string, T>();
  for (const [key, value] of input) if (key.startsWith(prefix)) out.set(key.slice(prefix.length), value);
  return out;
}
