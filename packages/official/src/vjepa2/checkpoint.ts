import { checkKeys, fail, optionKeys } from '@vjepa/core';
import type { Vjepa2Arch } from './arch';
import { inferVjepa2Arch, type HfVjepa2Config, type Vjepa2Hints, type Vjepa2States } from './infer';
import type { LazyStateDict } from './lazy-tensor';
import { checkState, encoderKeys, predictorKeys, probeKeys, type Vjepa2Group } from './official-keys';

/** Options of `openVjepa2` / `readVjepa2`: which encoder, and what the tensors cannot say. */
export interface Vjepa2ReadOptions extends Vjepa2Hints {
  /**
   * Which encoder of an official pretraining `.pt`: `encoder` (default — what torch hub and the
   * transformers conversion take) or `target_encoder` (what the official eval configs take). A Hugging
   * Face folder holds only `encoder`.
   */
  encoder?: 'encoder' | 'target_encoder';
}

/** Every key of {@link Vjepa2ReadOptions}. */
export const VJEPA2_READ_OPTION_KEYS = optionKeys<Vjepa2ReadOptions>({
  encoder: true,
  heads: true,
  predictorHeads: true,
  probeHeads: true,
  imageSize: true,
  frames: true,
});

/** Throws a UsageError on an unknown option key or a bad value. */
export function checkReadOptions(options: Vjepa2ReadOptions): void {
  checkKeys('options', options, VJEPA2_READ_OPTION_KEYS);
  const { encoder, ...numbers } = options;
  if (encoder !== undefined && encoder !== 'encoder' && encoder !== 'target_encoder') fail('options.encoder', "'encoder' or 'target_encoder'", encoder);
  for (const [key, value] of Object.entries(numbers)) {
    if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) > 0)) fail(`options.${key}`, 'a positive integer', value);
  }
}

/** The kinds of V-JEPA 2 files read. */
export type Vjepa2Format = 'official-pretrain' | 'official-probe' | 'hf-model' | 'hf-classifier';

/**
 * An opened V-JEPA 2 checkpoint: its description and its state dicts under the OFFICIAL key names
 * (`patch_embed.proj.weight`, `blocks.i.attn.qkv.weight`, …, `mask_tokens.k`, `pooler.…`, `linear.…`),
 * whose tensors are read from disk one at a time when asked. Close it when done.
 */
export interface Vjepa2Checkpoint {
  /** What was read. */
  format: Vjepa2Format;
  /** The file or folder. */
  source: string;
  /** The architecture: enough to build the models. */
  arch: Vjepa2Arch;
  /** The encoder (`encoder` or `target_encoder` of an official file), null when the file has none. */
  encoder: LazyStateDict | null;
  /** The predictor, null when absent (a probe, a classifier without one, a V-JEPA 2-AC file). */
  predictor: LazyStateDict | null;
  /** The attentive probe, null when absent. */
  probe: LazyStateDict | null;
  /** Which entry of the file the encoder came from (`encoder`, `target_encoder`), null when none. */
  encoderKey: string | null;
  /** The `config.json` of a Hugging Face folder. */
  config?: HfVjepa2Config;
  /** Releases the file(s). */
  close(): void;
}

/**
 * The architecture of the state dicts, each checked against it (missing, unexpected keys, shapes).
 *
 * @param states - official keys.
 * @param context - the source, a Hugging Face config and labels.
 * @param hints - the caller's options.
 * @param nameOf - how to name a key in messages.
 */
export function describeStates(
  states: Vjepa2States,
  context: { source: string; config?: HfVjepa2Config; labels?: string[] | null },
  hints: Vjepa2Hints,
  nameOf: (group: Vjepa2Group, key: string) => string = (_, k) => k,
): Vjepa2Arch {
  const arch = inferVjepa2Arch(states, context, hints);
  if (states.encoder && arch.encoder) checkState(states.encoder, encoderKeys(arch.encoder), `${context.source}: encoder`, (k) => nameOf('encoder', k));
  if (states.predictor && arch.predictor) checkState(states.predictor, predictorKeys(arch.predictor), `${context.source}: predictor`, (k) => nameOf('predictor', k));
  if (states.probe && arch.probe) checkState(states.probe, probeKeys(arch.probe), `${context.source}: probe`, (k) => nameOf('probe', k));
  return arch;
}

/** A state dict re-ordered as the official module lists its keys (after {@link describeStates} checked it). */
export function inOfficialOrder(state: LazyStateDict | null, keys: readonly [string, number[]][] | null): LazyStateDict | null {
  if (!state || !keys) return state;
  return new Map(keys.map(([key]) => [key, state.get(key)!]));
}

/** {@link inOfficialOrder} for every group of a described checkpoint. */
export function orderStates(states: Vjepa2States, arch: Vjepa2Arch): Vjepa2States {
  return {
    encoder: inOfficialOrder(states.encoder, arch.encoder ? encoderKeys(arch.encoder) : null),
    predictor: inOfficialOrder(states.predictor, arch.predictor ? predictorKeys(arch.predictor) : null),
    probe: inOfficialOrder(states.probe, arch.probe ? probeKeys(arch.probe) : null),
  };
}
