import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { checkKeys, fail, float32ToBfloat16, float32ToFloat16, optionKeys, writeFileAtomicSync, type HostTensor } from '@vjepa/core';
import { writeSafetensorsStreaming, type StreamedTensor } from '../safetensors-stream';
import type { Vjepa2Arch } from './arch';
import { officialToHf } from './hf-keys';
import { lazyFromHost, WEIGHT_DTYPE_BYTES, type LazyStateDict, type LazyTensor, type WeightDtype } from './lazy-tensor';
import { checkState, encoderKeys, predictorKeys, probeKeys, type KeyShapes, type Vjepa2Group } from './official-keys';
import { HF_CONFIG, HF_INDEX, HF_WEIGHTS } from './hf-folder';

/** A state dict to write: lazy tensors (of an open file, or generated) or float32 host tensors, by official key. */
export type WritableState = ReadonlyMap<string, LazyTensor | HostTensor>;

/** What {@link writeVjepa2HuggingFace} writes: the architecture and the official-key state dicts. */
export interface Vjepa2HfInput {
  /** The architecture (from a reader, or made by hand); `encoder` is required. */
  arch: Vjepa2Arch;
  /** The encoder state dict. */
  encoder: WritableState;
  /** The predictor (a `VJEPA2Model` always has one; without it the config names the released predictor and the file lacks its tensors). */
  predictor?: WritableState | null;
  /** The probe: given, the folder is a `VJEPA2ForVideoClassification`. */
  probe?: WritableState | null;
  /** Class names for `id2label` (default `arch.labels`, else `class_0` …). */
  labels?: readonly string[] | null;
}

/** Options of {@link writeVjepa2HuggingFace}. */
export interface Vjepa2HfWriteOptions {
  /** The stored dtype (default: the tensors' own when they share one, else F32). */
  dtype?: WeightDtype;
  /** Shard the weights into `model-0000k-of-0000n.safetensors` of at most this many bytes each, with `model.safetensors.index.json` (default: one `model.safetensors`). */
  maxShardBytes?: number;
}

const WRITE_OPTION_KEYS = optionKeys<Vjepa2HfWriteOptions>({ dtype: true, maxShardBytes: true });

/** What was written. */
export interface Vjepa2HfWritten {
  /** The files, in the folder. */
  files: string[];
  /** Tensors written. */
  tensors: number;
  /** Bytes of tensor data. */
  bytes: number;
  /** The stored dtype. */
  dtype: WeightDtype;
}

const TORCH_DTYPE_NAMES: Record<WeightDtype, string> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

/** A number as Python's `repr` of a float writes it (`4.0`, `1e-06`, `0.02`), for a config.json like transformers'. */
export function pythonFloat(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : x < 0 ? '-Infinity' : 'NaN';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = x.toExponential().split('e');
  const e = Number(exp);
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = x < 0 ? '-' : '';
  if (e < -4 || e >= 16) return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, '0');
  const fraction = digits.slice(e + 1);
  return `${sign}${whole}.${fraction || '0'}`;
}

const FLOAT_MARK = '\u0000float:';

/** JSON with `indent` 2 where the values wrapped by `float()` are written as Python floats. */
function pythonJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(new RegExp(`"${FLOAT_MARK.replace('\u0000', '\\\\u0000')}([^"]*)"`, 'g'), (_, text: string) => text);
}

function float(x: number): string {
  return `${FLOAT_MARK}${pythonFloat(x)}`;
}

/**
 * The `config.json` of a Hugging Face V-JEPA 2 folder for an architecture, with the fields and their
 * order as transformers' `VJEPA2Config` writes them (the fixtures' files byte for byte).
 */
export function hfConfigJson(arch: Vjepa2Arch, dtype: WeightDtype, classifier: boolean, labels: readonly string[] | null): string {
  const e = arch.encoder;
  if (!e) fail('arch.encoder', 'an encoder architecture', e);
  const p = arch.predictor ?? { dim: 384, heads: 12, depth: 12, numMaskTokens: 10, mlpHidden: 1536 };
  const config: Record<string, unknown> = {
    architectures: [classifier ? 'VJEPA2ForVideoClassification' : 'VJEPA2Model'],
    model_type: 'vjepa2',
    patch_size: e.patch,
    crop_size: e.imageSize,
    image_size: e.imageSize,
    frames_per_clip: e.frames,
    tubelet_size: e.tubelet,
    hidden_size: e.dim,
    in_chans: e.channels,
    num_attention_heads: e.heads,
    num_hidden_layers: e.depth,
    drop_path_rate: float(0),
    mlp_ratio: float(e.mlpHidden / e.dim),
    layer_norm_eps: float(e.normEps),
    qkv_bias: e.qkvBias,
    attention_probs_dropout_prob: float(0),
    hidden_act: 'gelu',
    initializer_range: float(0.02),
    attention_dropout: float(0),
    num_pooler_layers: arch.probe ? arch.probe.depth - 1 : 3,
    pred_hidden_size: p.dim,
    pred_num_attention_heads: p.heads,
    pred_num_hidden_layers: p.depth,
    pred_num_mask_tokens: p.numMaskTokens,
    pred_zero_init_mask_tokens: true,
    pred_mlp_ratio: float(p.mlpHidden / p.dim),
    torch_dtype: TORCH_DTYPE_NAMES[dtype],
  };
  if (classifier) {
    const names = labels ?? Array.from({ length: typeof arch.probe!.classes === 'number' ? arch.probe!.classes : 0 }, (_, i) => `class_${i}`);
    config.id2label = Object.fromEntries(names.map((name, i) => [String(i), name]));
    config.label2id = Object.fromEntries(names.map((name, i) => [name, i]));
  }
  return pythonJson(config);
}

function asLazy(state: WritableState, group: string): LazyStateDict {
  const out: LazyStateDict = new Map();
  for (const [key, tensor] of state) out.set(key, 'readBytes' in tensor ? tensor : lazyFromHost(tensor, `${group}[${key}]`));
  return out;
}

/** The bytes of `tensor` stored as `dtype` (converted through float32 when it is stored otherwise). */
function bytesAs(tensor: LazyTensor, dtype: WeightDtype): Uint8Array {
  if (tensor.dtype === dtype) return tensor.readBytes();
  const values = tensor.read();
  const out = dtype === 'F32' ? values : dtype === 'F16' ? float32ToFloat16(values) : float32ToBfloat16(values);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** One Hugging Face tensor: its name, shape and how to make its bytes. */
interface HfTensor {
  name: string;
  shape: number[];
  bytes(): Uint8Array;
}

/** The Hugging Face tensors of one official state dict: qkv split in equal row chunks, mask tokens stacked. */
function hfTensors(group: Vjepa2Group, state: LazyStateDict, keys: KeyShapes, classifier: boolean, dtype: WeightDtype): HfTensor[] {
  const out: HfTensor[] = [];
  const tokens: LazyTensor[] = [];
  let tokenName = '';
  // The source of the last split tensor, kept so that its chunks (not adjacent in name order) read it once.
  let cached: { key: string; bytes: Uint8Array } | null = null;
  const sourceBytes = (key: string, tensor: LazyTensor) => {
    if (cached?.key !== key) cached = { key, bytes: bytesAs(tensor, dtype) };
    return cached.bytes;
  };
  for (const [key] of keys) {
    const tensor = state.get(key)!;
    const target = officialToHf(group, key, classifier);
    if (!target) fail(`${group}[${key}]`, 'a key of the Hugging Face layout', key);
    if (target.kind === 'mask-token') {
      tokens[target.index] = tensor;
      tokenName = target.name;
      continue;
    }
    const n = target.names.length;
    const rows = tensor.shape[0] / n;
    target.names.forEach((name, i) => {
      const shape = [rows, ...tensor.shape.slice(1)];
      if (n === 1) out.push({ name, shape, bytes: () => bytesAs(tensor, dtype) });
      else {
        out.push({
          name,
          shape,
          bytes: () => {
            const all = sourceBytes(key, tensor);
            return all.subarray((i * all.length) / n, ((i + 1) * all.length) / n);
          },
        });
      }
    });
  }
  if (tokens.length > 0) {
    const [, , dim] = tokens[0].shape;
    out.push({
      name: tokenName,
      shape: [tokens.length, 1, 1, dim],
      bytes: () => {
        const parts = tokens.map((t) => bytesAs(t, dtype));
        const all = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
        parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
        return all;
      },
    });
  }
  return out;
}

function sharded(tensors: HfTensor[], dtype: WeightDtype, maxShardBytes: number | undefined): HfTensor[][] {
  if (maxShardBytes === undefined) return [tensors];
  const shards: HfTensor[][] = [[]];
  let size = 0;
  for (const t of tensors) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * WEIGHT_DTYPE_BYTES[dtype];
    if (size > 0 && size + bytes > maxShardBytes) {
      shards.push([]);
      size = 0;
    }
    shards[shards.length - 1].push(t);
    size += bytes;
  }
  return shards;
}

function shardName(k: number, n: number): string {
  return `model-${String(k + 1).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.safetensors`;
}

/**
 * Writes a Hugging Face V-JEPA 2 folder from official-key state dicts and their architecture:
 * `config.json` and `model.safetensors` (or shards with `model.safetensors.index.json`), with exactly the
 * key names and shapes of transformers' `VJEPA2Model` — or `VJEPA2ForVideoClassification` when a probe is
 * given (`vjepa2.` prefix, `pooler.…`, `classifier.…`, `id2label`). Tensors are read and written one at a
 * time (a multi-GB model never sits in memory whole); each file goes to a temporary name and is renamed.
 * Weights files of the other layout left in the folder are removed.
 *
 * @param dir - the folder (created if needed).
 * @param input - the architecture and the state dicts (each checked against it first: nothing is written for a missing or unexpected key).
 * @param options - dtype and sharding.
 * @example
 * const ckpt = openVjepa2('vitl.pt');
 * writeVjepa2HuggingFace('vjepa2-vitl', { arch: ckpt.arch, encoder: ckpt.encoder!, predictor: ckpt.predictor });
 * ckpt.close();
 */
export function writeVjepa2HuggingFace(dir: string, input: Vjepa2HfInput, options: Vjepa2HfWriteOptions = {}): Vjepa2HfWritten {
  checkKeys('options', options, WRITE_OPTION_KEYS);
  if (options.dtype !== undefined && !(options.dtype in WEIGHT_DTYPE_BYTES)) fail('options.dtype', 'F32, F16 or BF16', options.dtype);
  if (options.maxShardBytes !== undefined && !(Number.isSafeInteger(options.maxShardBytes) && options.maxShardBytes > 0)) fail('options.maxShardBytes', 'a positive integer', options.maxShardBytes);
  const { arch } = input;
  if (!arch?.encoder || !input.encoder) fail('input.encoder', 'an encoder state dict and its architecture', input.encoder);
  const groups: [Vjepa2Group, LazyStateDict, KeyShapes][] = [['encoder', asLazy(input.encoder, 'encoder'), encoderKeys(arch.encoder)]];
  if (input.predictor) {
    if (!arch.predictor) fail('input.arch.predictor', 'the architecture of the given predictor', arch.predictor);
    groups.push(['predictor', asLazy(input.predictor, 'predictor'), predictorKeys(arch.predictor)]);
  }
  const classifier = Boolean(input.probe);
  if (input.probe) {
    if (!arch.probe) fail('input.arch.probe', 'the architecture of the given probe', arch.probe);
    if (typeof arch.probe.classes !== 'number') fail('input.arch.probe.classes', 'one classifier (transformers has no port of the EK-100 verb/noun/action probe)', arch.probe.classes);
    const labels = input.labels ?? arch.labels;
    if (labels && labels.length !== arch.probe.classes) fail(input.labels ? 'input.labels' : 'input.arch.labels', `${arch.probe.classes} names (the probe's classes)`, labels.length);
    groups.push(['probe', asLazy(input.probe, 'probe'), probeKeys(arch.probe)]);
  }
  for (const [group, state, keys] of groups) checkState(state, keys, `input.${group}`);
  const dtypes = new Set(groups.flatMap(([, state]) => [...state.values()].map((t) => t.dtype)));
  const dtype = options.dtype ?? (dtypes.size === 1 ? [...dtypes][0] : 'F32');
  const tensors = groups.flatMap(([group, state, keys]) => hfTensors(group, state, keys, classifier, dtype)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const shards = sharded(tensors, dtype, options.maxShardBytes);
  mkdirSync(dir, { recursive: true });
  const files = shards.length === 1 ? [HF_WEIGHTS] : shards.map((_, k) => shardName(k, shards.length));
  let bytes = 0;
  const weightMap: Record<string, string> = {};
  shards.forEach((shard, k) => {
    const streamed: StreamedTensor[] = shard.map((t) => ({ name: t.name, dtype, shape: t.shape, bytes: t.bytes }));
    writeSafetensorsStreaming(join(dir, files[k]), streamed, { format: 'pt' }, { metadata: 'last' });
    for (const t of shard) {
      weightMap[t.name] = files[k];
      bytes += t.shape.reduce((a, b) => a * b, 1) * WEIGHT_DTYPE_BYTES[dtype];
    }
  });
  if (shards.length > 1) {
    const sortedMap = Object.fromEntries(Object.keys(weightMap).sort().map((name) => [name, weightMap[name]]));
    writeFileAtomicSync(join(dir, HF_INDEX), `${JSON.stringify({ metadata: { total_size: bytes }, weight_map: sortedMap }, null, 2)}\n`);
    files.push(HF_INDEX);
  }
  writeFileAtomicSync(join(dir, HF_CONFIG), hfConfigJson(arch, dtype, classifier, input.labels ?? arch.labels ?? null));
  files.push(HF_CONFIG);
  for (const stale of readdirSync(dir)) {
    const weights = stale === HF_WEIGHTS || stale === HF_INDEX || /^model-\d{5}-of-\d{5}\.safetensors$/.test(stale);
    if (weights && !files.includes(stale) && existsSync(join(dir, stale))) rmSync(join(dir, stale));
  }
  return { files, tensors: tensors.length, bytes, dtype };
}
