import { CheckpointError, fail, verbatim } from '@vjepa/core';
import { checkReadOptions, describeStates, orderStates, type Vjepa2Checkpoint, type Vjepa2ReadOptions } from './checkpoint';
import { hfNameForMessages, hfToOfficial, HF_CLASSIFIER_PREFIX } from './hf-keys';
import type { HfVjepa2Config } from './infer';
import { parseLazySafetensors, type LazySafetensors } from './lazy-safetensors';
import { concatRows, sliceRows, type LazyStateDict, type LazyTensor } from './lazy-tensor';
import type { Vjepa2Group } from './official-keys';
import { looksLike, refuse } from './recognise';

/** The weights file of a folder saved whole. */
export const HF_WEIGHTS = 'model.safetensors';
/** The index of a sharded folder. */
export const HF_INDEX = 'model.safetensors.index.json';
/** The config of a folder. */
export const HF_CONFIG = 'config.json';

const ARCHITECTURES = ['VJEPA2Model', 'VJEPA2ForVideoClassification'];

/**
 * The files of a Hugging Face folder, wherever they are: a directory (`openHfVjepa2`), or files in memory
 * (`openHfVjepa2Files`, what a browser has of a dropped folder).
 */
export interface HfFolder {
  /** The folder, in messages. */
  readonly name: string;
  /** A file of it, in messages. */
  path(file: string): string;
  /** Whether it holds `file`. */
  has(file: string): boolean;
  /** The UTF-8 text of `file`. */
  text(file: string): string;
  /** `file` opened as a lazy safetensors file. */
  safetensors(file: string): LazySafetensors;
}

function readJson(folder: HfFolder, file: string, what: string): Record<string, unknown> {
  const path = folder.path(file);
  let value: unknown;
  try {
    value = JSON.parse(folder.text(file));
  } catch (error) {
    fail(path, `${what} (JSON)`, verbatim(`unreadable JSON: ${(error as Error).message}`), undefined, CheckpointError);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(path, `${what} (a JSON object)`, value, undefined, CheckpointError);
  return value as Record<string, unknown>;
}

function onlyWeights(file: LazySafetensors, path: string): void {
  const other = file.entries.find((e) => !file.tensors.has(e.name));
  if (other) fail(`${path}: tensor ${JSON.stringify(other.name)} dtype`, 'F32, F16 or BF16 weights', other.dtype, undefined, CheckpointError);
}

/** The tensors of a folder by name, from `model.safetensors` or the shards an index names (each checked against it). */
function openWeights(folder: HfFolder): { tensors: Map<string, LazyTensor>; files: LazySafetensors[] } {
  const index = folder.path(HF_INDEX);
  const files: LazySafetensors[] = [];
  try {
    if (folder.has(HF_WEIGHTS)) {
      const file = folder.safetensors(HF_WEIGHTS);
      files.push(file);
      onlyWeights(file, folder.path(HF_WEIGHTS));
      return { tensors: file.tensors, files };
    }
    if (!folder.has(HF_INDEX)) {
      const bin = folder.has('pytorch_model.bin') ? ' (pytorch_model.bin is not read: convert it to safetensors)' : '';
      fail(folder.name, `${HF_WEIGHTS} or ${HF_INDEX}`, verbatim(`neither${bin}`), undefined, CheckpointError);
    }
    const map = readJson(folder, HF_INDEX, 'a safetensors index {metadata, weight_map}').weight_map;
    if (map === null || typeof map !== 'object' || Array.isArray(map)) fail(`${index}: weight_map`, 'an object of tensor name → shard file', map, undefined, CheckpointError);
    const byShard = new Map<string, string[]>();
    for (const [name, shard] of Object.entries(map as Record<string, unknown>)) {
      if (typeof shard !== 'string' || /[\\/]/.test(shard)) fail(`${index}: weight_map[${JSON.stringify(name)}]`, 'a shard file name in the folder', shard, undefined, CheckpointError);
      byShard.set(shard, [...(byShard.get(shard) ?? []), name]);
    }
    const tensors = new Map<string, LazyTensor>();
    for (const [shard, names] of byShard) {
      const path = folder.path(shard);
      if (!folder.has(shard)) fail(`${index}: shard ${shard}`, `a file ${path} (it holds ${names.length} tensors)`, verbatim('a missing file'), undefined, CheckpointError);
      const file = folder.safetensors(shard);
      files.push(file);
      onlyWeights(file, path);
      for (const name of names) {
        const tensor = file.tensors.get(name);
        if (!tensor) fail(`${path}: tensor ${JSON.stringify(name)}`, `a tensor (${HF_INDEX} places it in this shard)`, verbatim('none'), undefined, CheckpointError);
        tensors.set(name, tensor);
      }
      const extra = [...file.tensors.keys()].filter((n) => map[n as keyof typeof map] !== shard);
      if (extra.length > 0) fail(`${path}`, `only the tensors ${HF_INDEX} places in it`, verbatim(`also ${extra.slice(0, 5).join(', ')}`), undefined, CheckpointError);
    }
    return { tensors, files };
  } catch (error) {
    for (const file of files) file.close();
    throw error;
  }
}

/** The class names of `id2label`, in index order. */
function labelsOf(config: Record<string, unknown>, source: string): string[] | null {
  const map = config.id2label;
  if (map === undefined) return null;
  if (map === null || typeof map !== 'object' || Array.isArray(map)) fail(`${source}: config.json id2label`, 'an object of index → label', map, undefined, CheckpointError);
  const entries = Object.entries(map as Record<string, unknown>);
  const labels = new Array<string>(entries.length);
  for (const [index, label] of entries) {
    const i = Number(index);
    if (!Number.isSafeInteger(i) || i < 0 || i >= entries.length || typeof label !== 'string' || labels[i] !== undefined) {
      fail(`${source}: config.json id2label[${JSON.stringify(index)}]`, `a label under each index 0…${entries.length - 1}`, label, undefined, CheckpointError);
    }
    labels[i] = label;
  }
  return labels;
}

/** The official state dicts of Hugging Face tensors: q/k/v concatenated back into qkv, the stacked mask tokens split. */
function toOfficial(tensors: Map<string, LazyTensor>, classifier: boolean, source: string): Record<Vjepa2Group, LazyStateDict> {
  const parts = new Map<string, { group: Vjepa2Group; key: string; tensors: (LazyTensor | undefined)[] }>();
  const out: Record<Vjepa2Group, LazyStateDict> = { encoder: new Map(), predictor: new Map(), probe: new Map() };
  const unexpected: string[] = [];
  for (const [name, tensor] of tensors) {
    const from = hfToOfficial(name, classifier);
    if (!from) unexpected.push(name);
    else if (from.kind === 'mask-tokens') {
      const [count, one, another, dim] = tensor.shape;
      if (tensor.shape.length !== 4 || one !== 1 || another !== 1) fail(`${source}: ${name} shape`, '[numMaskTokens, 1, 1, P]', [...tensor.shape], undefined, CheckpointError);
      for (let k = 0; k < count; k++) out.predictor.set(`mask_tokens.${k}`, sliceRows(tensor, k, k + 1, [1, 1, dim]));
    } else {
      const id = `${from.group}:${from.key}`;
      const entry = parts.get(id) ?? { group: from.group, key: from.key, tensors: new Array<LazyTensor | undefined>(from.parts).fill(undefined) };
      entry.tensors[from.part] = tensor;
      parts.set(id, entry);
    }
  }
  if (unexpected.length > 0) {
    const what = looksLike(new Map([...tensors].map(([n, t]) => [n, t.shape])));
    const hint = classifier ? '' : unexpected.some((n) => n.startsWith(HF_CLASSIFIER_PREFIX)) ? ' (vjepa2.… names belong to a VJEPA2ForVideoClassification: its config.json says otherwise)' : '';
    fail(source, `only the tensors of a Hugging Face V-JEPA 2 model${hint}`, verbatim(`unexpected ${unexpected.slice(0, 8).join(', ')}${unexpected.length > 8 ? ` … (${unexpected.length} in all)` : ''}`), what ?? undefined, CheckpointError);
  }
  const missing: string[] = [];
  for (const { group, key, tensors: chunks } of parts.values()) {
    if (chunks.some((t) => t === undefined)) {
      const names = hfNameForMessages(group, key, classifier).split(' + ');
      missing.push(...names.filter((_, i) => chunks[i] === undefined));
      continue;
    }
    out[group].set(key, chunks.length === 1 ? chunks[0]! : concatRows(chunks as LazyTensor[], `${source}: ${key}`));
  }
  if (missing.length > 0) fail(source, 'every chunk of each split tensor', verbatim(`missing ${missing.join(', ')}`), undefined, CheckpointError);
  return out;
}

/**
 * Opens a Hugging Face `VJEPA2Model` or `VJEPA2ForVideoClassification` folder: `config.json` and
 * `model.safetensors`, or shards named by `model.safetensors.index.json`. The state dicts come back under
 * the official key names (q/k/v concatenated into qkv, the stacked mask tokens split, `vjepa2.` dropped,
 * `pooler.…` and `classifier.…` mapped to the official probe), the labels from `id2label`. Tensors stay
 * where they are until read.
 *
 * @param folder - the folder's files (see `openHfVjepa2` for a directory, {@link openHfVjepa2Files} for files in memory).
 * @param options - what the config leaves open; `encoder` must be `encoder`.
 * @throws CheckpointError for a bad folder, another model type, a missing shard, missing or unexpected keys.
 */
export function openHfFolder(folder: HfFolder, options: Vjepa2ReadOptions = {}): Vjepa2Checkpoint {
  checkReadOptions(options);
  if (options.encoder === 'target_encoder') fail('options.encoder', "'encoder' (a Hugging Face folder holds the online encoder only)", options.encoder);
  const dir = folder.name;
  if (!folder.has(HF_CONFIG)) fail(dir, `a ${HF_CONFIG} beside the weights`, verbatim('none'), undefined, CheckpointError);
  const config = readJson(folder, HF_CONFIG, 'a transformers config');
  const architectures = Array.isArray(config.architectures) ? (config.architectures as unknown[]).map(String) : [];
  if (config.model_type !== 'vjepa2') refuse(dir, `a Hugging Face model of type ${JSON.stringify(config.model_type)}${architectures.length ? ` (${architectures.join(', ')})` : ''}`);
  const architecture = architectures.find((a) => ARCHITECTURES.includes(a));
  if (!architecture) fail(`${folder.path(HF_CONFIG)}: architectures`, ARCHITECTURES.join(' or '), architectures, undefined, CheckpointError);
  const classifier = architecture === 'VJEPA2ForVideoClassification';
  const { tensors, files } = openWeights(folder);
  const close = () => files.forEach((f) => f.close());
  try {
    const groups = toOfficial(tensors, classifier, dir);
    const states = {
      encoder: groups.encoder.size > 0 ? groups.encoder : null,
      predictor: groups.predictor.size > 0 ? groups.predictor : null,
      probe: groups.probe.size > 0 ? groups.probe : null,
    };
    if (!states.encoder) fail(dir, 'the encoder tensors (encoder.…)', verbatim('none'), undefined, CheckpointError);
    if (classifier && !states.probe) fail(dir, 'the pooler and classifier of a VJEPA2ForVideoClassification', verbatim('none'), undefined, CheckpointError);
    const labels = classifier ? labelsOf(config, dir) : null;
    const arch = describeStates(states, { source: dir, config: config as HfVjepa2Config, labels }, options, (group, key) => hfNameForMessages(group, key, classifier));
    if (labels && arch.probe && typeof arch.probe.classes === 'number' && labels.length !== arch.probe.classes) {
      fail(`${dir}: config.json id2label`, `${arch.probe.classes} labels (the classifier's rows)`, labels.length, undefined, CheckpointError);
    }
    return { format: classifier ? 'hf-classifier' : 'hf-model', source: dir, arch, ...orderStates(states, arch), encoderKey: 'encoder', config: config as HfVjepa2Config, close };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * {@link openHfFolder} over files in memory — what a browser has of a dropped folder: `config.json`,
 * `model.safetensors` or the index and its shards, by file name (a path's folders are ignored). Tensors
 * are views of the bytes until read.
 *
 * @param files - file name → bytes.
 * @param options - see {@link openHfFolder}.
 * @param name - the folder's name in messages.
 * @example
 * const files = new Map(await Promise.all(dropped.map(async (f) => [f.name, new Uint8Array(await f.arrayBuffer())] as const)));
 * const { arch, encoder, probe, labels } = openHfVjepa2Files(files, {}, 'dropped folder');
 */
export function openHfVjepa2Files(files: ReadonlyMap<string, Uint8Array>, options: Vjepa2ReadOptions = {}, name = '<files>'): Vjepa2Checkpoint {
  if (!(files instanceof Map)) fail('files', 'a Map of file name → bytes', files);
  const byName = new Map<string, Uint8Array>();
  for (const [path, bytes] of files) {
    if (!(bytes instanceof Uint8Array)) fail(`files[${JSON.stringify(path)}]`, 'a Uint8Array', bytes);
    byName.set(path.split(/[\\/]/).pop()!, bytes);
  }
  const folder: HfFolder = {
    name,
    path: (file) => `${name}/${file}`,
    has: (file) => byName.has(file),
    text: (file) => new TextDecoder().decode(byName.get(file)),
    safetensors: (file) => parseLazySafetensors(byName.get(file)!, `${name}/${file}`),
  };
  return openHfFolder(folder, options);
}
