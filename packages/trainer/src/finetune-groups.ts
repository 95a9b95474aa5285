import { fail, type Module } from '@vjepa/core';
import { paramGroups, type ParamGroup } from '@vjepa/optim';

/**
 * The layer of an encoder parameter in the usual ViT layer-wise decay (BEiT, MAE `get_layer_id_for_vit`):
 * `pos_embed` and `patch_embed.*` are layer 0, `blocks.i.*` layer i + 1, everything else (the final
 * `norm`) layer depth + 1, the top, as the head.
 *
 * @param key - the official key inside the encoder (`blocks.3.attn.qkv.weight`).
 * @param depth - the encoder's number of blocks.
 */
export function vitLayerId(key: string, depth: number): number {
  if (key === 'pos_embed' || key.startsWith('patch_embed.')) return 0;
  const block = /^blocks\.(\d+)\./.exec(key);
  if (block) return Number(block[1]) + 1;
  return depth + 1;
}

/** AdamW groups with a learning-rate multiplier each, from {@link layerDecayGroups}. */
export interface LayerDecayGroups {
  /** Groups `encoder/layer-L/decay`, `encoder/layer-L/no-decay` (L = 0 … depth + 1), then `head/decay`, `head/no-decay`. */
  groups: ParamGroup[];
  /** The multiplier of each group's learning rate: `decay^(depth + 1 − L)`; 1 for the head. */
  lrScale: Map<string, number>;
}

/**
 * Layer-wise learning-rate decay for fine-tuning a ViT under a head: the head and the encoder's final
 * norm take the scheduled rate, block i takes `decay^(depth − i)` of it, the patch embedding
 * `decay^(depth + 1)` — the lowest. Weight decay follows the official rule (no decay on biases and 1-D
 * tensors, see `takesWeightDecay`). Empty groups are left out.
 *
 * @param encoder - the ViT (its `blocks` give the depth).
 * @param head - the classifier on its features.
 * @param decay - the factor per layer, in (0, 1] (1: no layer-wise decay).
 * @example
 * const { groups, lrScale } = layerDecayGroups(encoder, head, 0.75);
 * for (const g of optimizer.groups) g.lr = scheduledLr * lrScale.get(g.name)!;
 */
export function layerDecayGroups(encoder: Module & { readonly blocks: readonly unknown[] }, head: Module, decay: number): LayerDecayGroups {
  if (typeof decay !== 'number' || !(decay > 0 && decay <= 1)) fail('layerDecay', 'a number in (0, 1]', decay);
  const depth = encoder.blocks.length;
  const top = depth + 1;
  const base = paramGroups({ encoder, head });
  const groups: ParamGroup[] = [];
  const lrScale = new Map<string, number>();
  for (let layer = 0; layer <= top; layer++) {
    for (const kind of ['decay', 'no-decay'] as const) {
      const from = base.find((g) => g.name === `encoder/${kind}`)!;
      const params = new Map([...from.params].filter(([key]) => vitLayerId(key.slice('encoder/'.length), depth) === layer));
      if (params.size === 0) continue;
      const name = `encoder/layer-${layer}/${kind}`;
      groups.push({ name, module: 'encoder', applyWeightDecay: from.applyWeightDecay, params });
      lrScale.set(name, decay ** (top - layer));
    }
  }
  for (const group of base.filter((g) => g.module === 'head' && g.params.size > 0)) {
    groups.push(group);
    lrScale.set(group.name, 1);
  }
  return { groups, lrScale };
}
