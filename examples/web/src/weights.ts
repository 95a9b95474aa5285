import { VIT_SIZES, type VisionTransformerConfig } from '@vjepa/vit';

/** A tensor as far as the config needs it. */
interface Shaped {
  shape: readonly number[];
}

/** Drops the wrappers official checkpoints put before the keys (`module.`, `backbone.`), as the ViT does. */
function bareKey(key: string): string {
  return key.replace(/^(module\.|backbone\.)+/, '');
}

/**
 * The ViT config a set of encoder weights was saved from: width, depth, patch, tubelet and MLP ratio come
 * from the shapes; the heads from the `heads` metadata entry when there is one, else from the official size
 * of that width; the clip length is assumed to be the official 16 frames, and the image size follows from the
 * number of positions (`pos_embed`), else 224.
 *
 * @throws Error naming the key or entry that is missing or does not fit.
 */
export function configFromWeights(tensors: ReadonlyMap<string, Shaped>, metadata: Record<string, string> = {}): VisionTransformerConfig {
  const byKey = new Map<string, Shaped>();
  for (const [key, value] of tensors) byKey.set(bareKey(key), value);
  const patchWeight = byKey.get('patch_embed.proj.weight');
  if (patchWeight === undefined || patchWeight.shape.length !== 5) {
    throw new Error(`weights: expected an encoder with "patch_embed.proj.weight" [D, 3, tubelet, patch, patch], received keys ${[...tensors.keys()].slice(0, 5).join(', ')}…`);
  }
  const [dim, channels, tubelet, patch] = patchWeight.shape;
  let depth = 0;
  while (byKey.has(`blocks.${depth}.attn.qkv.weight`)) depth++;
  if (depth === 0) throw new Error('weights: expected blocks.0.attn.qkv.weight, received none');
  const fc1 = byKey.get('blocks.0.mlp.fc1.weight');
  if (fc1 === undefined) throw new Error('weights: expected blocks.0.mlp.fc1.weight, received none');
  const official = Object.values(VIT_SIZES).find((size) => size.dim === dim);
  const heads = metadata.heads !== undefined ? Number(metadata.heads) : official?.heads;
  if (heads === undefined || !Number.isInteger(heads) || heads < 1 || dim % heads !== 0) {
    throw new Error(`weights: width ${dim} is no official size, so the number of heads must be in the file's metadata as "heads"; received ${metadata.heads}`);
  }
  const frames = 16;
  const positions = byKey.get('pos_embed')?.shape[1];
  const side = positions === undefined ? 224 / patch : Math.sqrt(positions / (frames / tubelet));
  if (!Number.isInteger(side)) throw new Error(`weights: pos_embed has ${positions} positions, which is no square grid over ${frames / tubelet} time steps`);
  return {
    dim,
    depth,
    heads,
    channels,
    tubelet,
    patch,
    frames,
    imageSize: side * patch,
    mlpRatio: fc1.shape[0] / dim,
    qkvBias: byKey.has('blocks.0.attn.qkv.bias'),
  };
}
