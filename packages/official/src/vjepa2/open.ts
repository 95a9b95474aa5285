import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CheckpointError, fail, verbatim, type HostTensor } from '@vjepa/core';
import type { Vjepa2Arch } from './arch';
import { describeStates, type Vjepa2Checkpoint, type Vjepa2Format, type Vjepa2ReadOptions } from './checkpoint';
import type { Vjepa2Hints } from './infer';
import { readAll } from './lazy-tensor';
import { openLazySafetensors } from './lazy-safetensors-file';
import { HF_CONFIG } from './hf-folder';
import { openHfVjepa2 } from './read-hf';
import { openOfficialVjepa2 } from './read-official';
import { looksLike, refuse } from './recognise';

/**
 * Opens any V-JEPA 2 checkpoint, lazily: an official `.pt` (pretraining or probe), or a Hugging Face
 * `VJEPA2Model` / `VJEPA2ForVideoClassification` folder (or its `model.safetensors` with a `config.json`
 * beside it). State dicts come back under the official key names; tensors are read one at a time when
 * asked (`tensor.read()`), so peak memory stays near what the caller keeps. Close it when done.
 *
 * @param path - the file or folder.
 * @param options - which encoder of a pretraining file (`encoder`, default, or `target_encoder`), and
 *   heads / image size / frames where neither the file nor the released sizes say.
 * @throws CheckpointError (exit 1) for a truncated or malformed file, a pickle naming a disallowed
 *   global (nothing is executed), a missing shard, missing or unexpected keys, another architecture
 *   (saying what it looks like); UsageError (exit 2) for bad options or a head count only the caller knows.
 * @example
 * const ckpt = openVjepa2('vitl.pt', { encoder: 'target_encoder' });
 * try {
 *   console.log(ckpt.arch.encoder);            // { dim: 1024, depth: 24, heads: 16, … }
 *   const qkv = ckpt.encoder!.get('blocks.0.attn.qkv.weight')!.read();  // Float32Array [3072 × 1024]
 * } finally {
 *   ckpt.close();
 * }
 */
export function openVjepa2(path: string, options: Vjepa2ReadOptions = {}): Vjepa2Checkpoint {
  if (typeof path !== 'string' || path === '') fail('path', 'a file or folder', path);
  if (!existsSync(path)) fail('path', 'an existing file or folder', path);
  if (statSync(path).isDirectory()) return openHfVjepa2(path, options);
  if (/\.(safetensors|json)$/i.test(path)) {
    if (existsSync(join(dirname(path), HF_CONFIG))) return openHfVjepa2(dirname(path), options);
    if (/\.json$/i.test(path)) fail(path, `a ${HF_CONFIG} of a Hugging Face folder or a .pt`, verbatim('a JSON file without a config.json beside it'), undefined, CheckpointError);
    const file = openLazySafetensors(path);
    const shapes = new Map(file.entries.map((e) => [e.name, e.shape]));
    file.close();
    refuse(path, `a safetensors file without a ${HF_CONFIG}: ${looksLike(shapes) ?? 'official key names, which this reader takes from .pt files only'}`);
  }
  return openOfficialVjepa2(path, options);
}

/** A V-JEPA 2 checkpoint read whole into float32 host tensors (official key names). */
export interface Vjepa2Weights {
  /** What was read. */
  format: Vjepa2Format;
  /** The file or folder. */
  source: string;
  /** The architecture. */
  arch: Vjepa2Arch;
  /** The encoder state dict, null when the file has none. */
  encoder: Map<string, HostTensor & { data: Float32Array }> | null;
  /** The predictor state dict, null when absent. */
  predictor: Map<string, HostTensor & { data: Float32Array }> | null;
  /** The probe state dict, null when absent. */
  probe: Map<string, HostTensor & { data: Float32Array }> | null;
  /** Class names (Hugging Face `id2label`), null when none. */
  labels: string[] | null;
}

/**
 * {@link openVjepa2}, every tensor read (one at a time, widened to float32) and the file closed: the
 * state dicts are ready for `Module.loadStateDict`. Peak memory: the float32 weights plus one tensor.
 *
 * @param path - the file or folder.
 * @param options - see {@link openVjepa2}.
 * @example
 * const { arch, encoder, probe, labels } = readVjepa2('vjepa2-vitl-fpc16-256-ssv2/');
 */
export function readVjepa2(path: string, options: Vjepa2ReadOptions = {}): Vjepa2Weights {
  const checkpoint = openVjepa2(path, options);
  try {
    const { format, source, arch } = checkpoint;
    const read = (state: Vjepa2Checkpoint['encoder']) => (state ? readAll(state) : null);
    return { format, source, arch, encoder: read(checkpoint.encoder), predictor: read(checkpoint.predictor), probe: read(checkpoint.probe), labels: arch.labels };
  } finally {
    checkpoint.close();
  }
}

/**
 * An encoder checkpoint and a probe checkpoint as one classifier (what `--checkpoint X.pt
 * --probe-checkpoint Y.pt` means): the architecture described again from both, so that the probe's
 * protocol gives the image size and frames the encoder file does not record, and the widths checked to
 * agree. Closing the result closes both.
 *
 * @param model - an opened checkpoint with an encoder (official pretraining `.pt`, Hugging Face folder).
 * @param probe - an opened checkpoint with a probe (official probe `.pt`, Hugging Face classifier).
 * @param options - the hints given to both (heads, image size, frames).
 * @throws CheckpointError when the probe's width is not the encoder's.
 */
export function combineVjepa2(model: Vjepa2Checkpoint, probe: Vjepa2Checkpoint, options: Vjepa2Hints = {}): Vjepa2Checkpoint {
  if (!model.encoder) fail('model', 'a checkpoint with an encoder', model.format);
  if (!probe.probe) fail('probe', 'a checkpoint with an attentive probe', probe.format);
  const source = `${model.source} + ${probe.source}`;
  const states = { encoder: model.encoder, predictor: model.predictor, probe: probe.probe };
  const arch = describeStates(states, { source, config: model.config, labels: probe.arch.labels ?? model.arch.labels }, options);
  arch.assumed.push(...model.arch.assumed.filter((note) => !/^(image size|16 frames)/.test(note)));
  return {
    ...states,
    format: model.format,
    source,
    arch,
    encoderKey: model.encoderKey,
    config: model.config,
    close: () => {
      model.close();
      probe.close();
    },
  };
}
