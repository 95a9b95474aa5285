import { CheckpointError, fail } from '@vjepa/core';
import type { Vjepa2EncoderArch, Vjepa2PredictorArch, Vjepa2ProbeArch } from './arch';
import type { LazyStateDict } from './lazy-tensor';

/** The state dicts of a V-JEPA 2 checkpoint: `encoder`, `predictor`, `probe`. */
export type Vjepa2Group = 'encoder' | 'predictor' | 'probe';

/** An official key and the shape the architecture gives it. */
export type KeyShapes = [key: string, shape: number[]][];

function linear(prefix: string, out: number, inp: number, bias = true): KeyShapes {
  const keys: KeyShapes = [[`${prefix}.weight`, [out, inp]]];
  if (bias) keys.push([`${prefix}.bias`, [out]]);
  return keys;
}

function norm(prefix: string, dim: number): KeyShapes {
  return [
    [`${prefix}.weight`, [dim]],
    [`${prefix}.bias`, [dim]],
  ];
}

/** One pre-norm block `norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2`, as the official `Block`. */
function block(prefix: string, dim: number, hidden: number, qkvBias: boolean): KeyShapes {
  return [
    ...norm(`${prefix}.norm1`, dim),
    ...linear(`${prefix}.attn.qkv`, 3 * dim, dim, qkvBias),
    ...linear(`${prefix}.attn.proj`, dim, dim),
    ...norm(`${prefix}.norm2`, dim),
    ...linear(`${prefix}.mlp.fc1`, hidden, dim),
    ...linear(`${prefix}.mlp.fc2`, dim, hidden),
  ];
}

/** The keys of the official V-JEPA 2 encoder (`patch_embed`, `blocks.i`, `norm`) in the official order. */
export function encoderKeys(a: Vjepa2EncoderArch): KeyShapes {
  const keys: KeyShapes = [
    ['patch_embed.proj.weight', [a.dim, a.channels, a.tubelet, a.patch, a.patch]],
    ['patch_embed.proj.bias', [a.dim]],
  ];
  for (let i = 0; i < a.depth; i++) keys.push(...block(`blocks.${i}`, a.dim, a.mlpHidden, a.qkvBias));
  keys.push(...norm('norm', a.dim));
  return keys;
}

/** The keys of the official V-JEPA 2 predictor (`predictor_embed`, `mask_tokens.k`, `predictor_blocks.j`, `predictor_norm`, `predictor_proj`). */
export function predictorKeys(a: Vjepa2PredictorArch): KeyShapes {
  const keys: KeyShapes = [...linear('predictor_embed', a.dim, a.encoderDim)];
  for (let k = 0; k < a.numMaskTokens; k++) keys.push([`mask_tokens.${k}`, [1, 1, a.dim]]);
  for (let j = 0; j < a.depth; j++) keys.push(...block(`predictor_blocks.${j}`, a.dim, a.mlpHidden, a.qkvBias));
  keys.push(...norm('predictor_norm', a.dim), ...linear('predictor_proj', a.encoderDim, a.dim));
  return keys;
}

/** The classifier heads of a probe: `linear`, or EK-100's `verb_classifier`, `noun_classifier`, `action_classifier`. */
export const EK100_HEADS = ['verb', 'noun', 'action'] as const;

/** The keys of the official V-JEPA 2 `AttentiveClassifier` (`module.` stripped). */
export function probeKeys(a: Vjepa2ProbeArch): KeyShapes {
  const c = 'pooler.cross_attention_block';
  const keys: KeyShapes = [
    ['pooler.query_tokens', [1, a.queries, a.dim]],
    ...norm(`${c}.norm1`, a.dim),
    ...linear(`${c}.xattn.q`, a.dim, a.dim),
    ...linear(`${c}.xattn.kv`, 2 * a.dim, a.dim),
    ...norm(`${c}.norm2`, a.dim),
    ...linear(`${c}.mlp.fc1`, a.mlpHidden, a.dim),
    ...linear(`${c}.mlp.fc2`, a.dim, a.mlpHidden),
  ];
  for (let n = 0; n < a.depth - 1; n++) keys.push(...block(`pooler.blocks.${n}`, a.dim, a.mlpHidden, true));
  if (typeof a.classes === 'number') keys.push(...linear('linear', a.classes, a.dim));
  else for (const head of EK100_HEADS) keys.push(...linear(`${head}_classifier`, a.classes[head], a.dim));
  return keys;
}

function listed(keys: readonly string[]): string {
  const shown = keys.slice(0, 8).join(', ');
  return keys.length > 8 ? `${shown} … (${keys.length} in all)` : shown;
}

/**
 * Checks a state dict against the keys and shapes of its architecture: every key present, none
 * unexpected, every shape right.
 *
 * @param state - the state dict (official keys).
 * @param expected - from {@link encoderKeys}, {@link predictorKeys} or {@link probeKeys}.
 * @param where - `file: group`, for errors.
 * @param nameOf - how to name a key in messages (a Hugging Face reader gives its own names).
 * @throws CheckpointError naming the missing and unexpected keys, or the first wrong shape.
 */
export function checkState(state: LazyStateDict, expected: KeyShapes, where: string, nameOf: (key: string) => string = (k) => k): void {
  const wanted = new Map(expected);
  const missing = expected.map(([k]) => k).filter((k) => !state.has(k));
  const unexpected = [...state.keys()].filter((k) => !wanted.has(k));
  if (missing.length > 0 || unexpected.length > 0) {
    const parts = [];
    if (missing.length > 0) parts.push(`missing ${listed(missing.map(nameOf))}`);
    if (unexpected.length > 0) parts.push(`unexpected ${listed(unexpected.map(nameOf))}`);
    throw new CheckpointError(`${where}: expected the ${expected.length} keys of its architecture, ${parts.join('; ')}`);
  }
  for (const [key, shape] of expected) {
    const got = state.get(key)!.shape;
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
      fail(`${where}: ${nameOf(key)} shape`, `[${shape.join(', ')}]`, [...got], undefined, CheckpointError);
    }
  }
}
