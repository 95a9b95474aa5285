import { failFile } from './errors';
import { TorchTensor } from './tensor';

/** A file's object split into tensors under `/`-joined names and the JSON-able values around them. */
export interface FlatTorch {
  /** Every tensor by its path (`encoder/module.backbone.pos_embed`, `opt/state/0/exp_avg`), in file order. */
  tensors: Map<string, TorchTensor>;
  /**
   * The non-tensor values by path: a container without tensors stays whole (`opt/param_groups` is one
   * list); dicts become objects, tuples arrays, BigInt a decimal string when beyond 2^53, bytes `{bytes: hex}`.
   */
  values: Record<string, unknown>;
}

const MAX_DEPTH = 100;

function isContainer(value: unknown): value is Map<unknown, unknown> | unknown[] {
  return value instanceof Map || Array.isArray(value);
}

function entries(value: Map<unknown, unknown> | unknown[]): [string, unknown][] {
  return value instanceof Map ? [...value].map(([k, v]) => [keyName(k), v]) : value.map((v, i) => [String(i), v]);
}

function keyName(key: unknown): string {
  return Array.isArray(key) ? key.map(keyName).join(',') : String(key);
}

/**
 * The JSON form of a value without tensors: Maps become objects (keys as strings), tuples and sets arrays,
 * BigInt a number when safe else a string, non-finite floats strings (`"inf"`, `"nan"`), bytes `{bytes: hex}`.
 *
 * @param value - an unpickled value.
 * @throws TorchFormatError on a cycle or nesting deeper than 100.
 */
export function toJsonValue(value: unknown, depth = 0, open = new Set<object>()): unknown {
  if (depth > MAX_DEPTH) failFile('value', `nesting at most ${MAX_DEPTH} deep`, depth);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  if (value instanceof TorchTensor) return { tensor: value.dtype, shape: [...value.shape] };
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') };
  if (value === null || typeof value !== 'object') return value;
  if (open.has(value)) failFile('value', 'a tree (no value containing itself)', 'a cycle');
  open.add(value);
  let out: unknown;
  if (value instanceof Set) out = [...value].map((v) => toJsonValue(v, depth + 1, open));
  else if (Array.isArray(value)) out = value.map((v) => toJsonValue(v, depth + 1, open));
  else if (value instanceof Map) {
    const object: Record<string, unknown> = {};
    for (const [k, v] of value) Object.defineProperty(object, keyName(k), { value: toJsonValue(v, depth + 1, open), enumerable: true, writable: true, configurable: true });
    out = object;
  } else out = String(value);
  open.delete(value);
  return out;
}

/**
 * Splits an unpickled object into its tensors (names joined with `/`) and its other values.
 *
 * @param root - `TorchFile.root`.
 * @throws TorchFormatError on a cycle or nesting deeper than 100.
 * @example
 * const { tensors, values } = flattenTorch(openTorchFile('ckpt.pth.tar').root);
 * tensors.get('opt/state/0/exp_avg'); values.epoch; // 3
 */
export function flattenTorch(root: unknown): FlatTorch {
  const tensors = new Map<string, TorchTensor>();
  const values: Record<string, unknown> = {};
  const holdsTensor = new Map<object, boolean>();
  const hasTensor = (value: unknown, depth: number, open: Set<object>): boolean => {
    if (value instanceof TorchTensor) return true;
    if (!isContainer(value)) return false;
    const known = holdsTensor.get(value);
    if (known !== undefined) return known;
    if (depth > MAX_DEPTH) failFile('value', `nesting at most ${MAX_DEPTH} deep`, depth);
    if (open.has(value)) failFile('value', 'a tree (no value containing itself)', 'a cycle');
    open.add(value);
    const result = entries(value).some(([, v]) => hasTensor(v, depth + 1, open));
    open.delete(value);
    holdsTensor.set(value, result);
    return result;
  };
  const ancestors = new Set<object>();
  const walk = (value: unknown, path: string, depth: number) => {
    if (value instanceof TorchTensor) tensors.set(path, value);
    else if (isContainer(value) && hasTensor(value, depth, new Set())) {
      if (ancestors.has(value)) failFile(`value at '${path}'`, 'a tree (no value containing itself)', 'a cycle');
      ancestors.add(value);
      for (const [key, child] of entries(value)) walk(child, path ? `${path}/${key}` : key, depth + 1);
      ancestors.delete(value);
    } else Object.defineProperty(values, path, { value: toJsonValue(value), enumerable: true, writable: true, configurable: true });
  };
  walk(root, '', 0);
  return { tensors, values };
}
