import { CheckpointError, fail, verbatim } from '@vjepa/core';

/** The tensor names and shapes of a file, for saying what it is. */
export type NamedShapes = ReadonlyMap<string, readonly number[]>;

function shapeText(shapes: NamedShapes, name: string): string {
  return `[${(shapes.get(name) ?? []).join(', ')}]`;
}

/**
 * What a set of tensors looks like, in words, when it is not a V-JEPA 2 checkpoint this package reads:
 * a V-JEPA 1 encoder, predictor or probe, a V-JEPA 2-AC predictor, a Hugging Face V-JEPA 2 file without
 * its config, a grouped safetensors file, or anything else (its first names).
 *
 * @param shapes - the names (prefixes `module.`/`backbone.` stripped) and shapes.
 * @returns a phrase, or null when the names look like a V-JEPA 2 state dict.
 */
export function looksLike(shapes: NamedShapes): string | null {
  const names = [...shapes.keys()];
  const has = (name: string) => shapes.has(name);
  if (has('pos_embed')) return `a V-JEPA 1 encoder (pos_embed ${shapeText(shapes, 'pos_embed')}: a sin-cos position table; V-JEPA 2 uses RoPE and has none)`;
  if (has('predictor_pos_embed')) return `a V-JEPA 1 predictor (predictor_pos_embed ${shapeText(shapes, 'predictor_pos_embed')}; V-JEPA 2 uses RoPE)`;
  if (has('pooler.cross_attention_block.xattn.proj.weight')) {
    return 'a V-JEPA 1 attentive probe (cross-attention with an output projection xattn.proj; the V-JEPA 2 probe has none)';
  }
  if (has('action_encoder.weight') || has('state_encoder.weight')) return 'a V-JEPA 2-AC action-conditioned predictor (action_encoder, state_encoder), which this package does not run';
  if (names.some((n) => n.startsWith('vjepa2.') || n.startsWith('encoder.layer.') || n.startsWith('encoder.embeddings.'))) {
    return 'the weights of a Hugging Face V-JEPA 2 model without its config.json (give the folder holding both)';
  }
  if (names.length > 0 && names.every((n) => n.includes('/'))) {
    const groups = [...new Set(names.map((n) => n.slice(0, n.indexOf('/'))))];
    return `a file of grouped tensors (${groups.slice(0, 6).join('/, ')}/${groups.length > 6 ? ', …' : ''}), such as a fixture or a vjepa train checkpoint`;
  }
  if (has('patch_embed.proj.weight') || has('predictor_embed.weight') || has('pooler.query_tokens')) return null;
  if (names.length === 0) return 'no tensors';
  return `tensors of another model (${names.slice(0, 3).join(', ')}${names.length > 3 ? `, … ${names.length} in all` : ''})`;
}

/**
 * Refuses a file that is not a V-JEPA 2 checkpoint, saying what it looks like.
 *
 * @param source - the file.
 * @param what - from {@link looksLike}.
 * @throws CheckpointError always.
 */
export function refuse(source: string, what: string): never {
  fail(source, 'a V-JEPA 2 checkpoint (an official .pt of the encoder or the probe, or a Hugging Face VJEPA2Model / VJEPA2ForVideoClassification folder)', verbatim(what), undefined, CheckpointError);
}
