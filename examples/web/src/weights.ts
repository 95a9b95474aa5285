import { sincosPosEmbed3d } from '@vjepa/tubelet';
import { VIT_SIZES, type VisionTransformerConfig } from '@vjepa/vit';

/** A tensor as far as the config needs it: its shape, and for `pos_embed` its values when known (float32). */
interface Shaped {
  shape: readonly number[];
  data?: unknown;
}

/** The official clip length: a table that fits it is read as 16 frames unless its values say otherwise. */
const OFFICIAL_FRAMES = 16;

/**
 * The token grids (time steps, side) with `steps · side² = positions`, the one of 16 frames first, then by
 * more time steps.
 */
function gridCandidates(positions: number, tubelet: number): { steps: number; side: number }[] {
  const grids: { steps: number; side: number }[] = [];
  for (let steps = positions; steps >= 1; steps--) {
    const side = Math.sqrt(positions / steps);
    if (positions % steps === 0 && Number.isInteger(side)) grids.push({ steps, side });
  }
  return grids.sort((a, b) => Number(b.steps * tubelet === OFFICIAL_FRAMES) - Number(a.steps * tubelet === OFFICIAL_FRAMES));
}

/** Whether `table` is the fixed sin-cos table of the grid (either axis split of the official code), to 1e-4. */
function isSincosTable(table: Float32Array, dim: number, steps: number, side: number): boolean {
  return [true, false].some((uniformPower) => {
    if (!uniformPower && dim % 8 !== 0) return false;
    const expected = sincosPosEmbed3d({ dim, gridDepth: steps, gridHeight: side, gridWidth: side, uniformPower });
    if (expected.length !== table.length) return false;
    for (let i = 0; i < expected.length; i++) if (!(Math.abs(expected[i] - table[i]) <= 1e-4)) return false;
    return true;
  });
}

/** Drops the wrappers official checkpoints put before the keys (`module.`, `backbone.`), as the ViT does. */
function bareKey(key: string): string {
  return key.replace(/^(module\.|backbone\.)+/, '');
}

/**
 * The ViT config a set of encoder weights was saved from: width, depth, patch, tubelet and MLP ratio come
 * from the shapes; the heads from the `heads` metadata entry when there is one, else from the official size
 * of that width (or the page's `?heads=N`, passed in as `metadata.heads`); the clip length and image size
 * from `pos_embed`: the official V-JEPA table is the fixed sin-cos table of the token grid, so when its values
 * are given, the grid whose table it is (16 frames tried first); otherwise 16 frames with the image size that
 * the number of positions gives, else 224.
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
    throw new Error(`weights: width ${dim} is no official size, so the number of heads must be in the file's metadata as "heads" (or in the page's address as ?heads=N); received ${metadata.heads}`);
  }
  const posEmbed = byKey.get('pos_embed');
  const positions = posEmbed?.shape[1];
  let frames = OFFICIAL_FRAMES;
  let side = positions === undefined ? 224 / patch : Math.sqrt(positions / (frames / tubelet));
  const table = posEmbed?.data;
  if (positions !== undefined && table instanceof Float32Array) {
    const grid = gridCandidates(positions, tubelet).find(({ steps, side: s }) => isSincosTable(table, dim, steps, s));
    if (grid !== undefined) {
      frames = grid.steps * tubelet;
      side = grid.side;
    }
  }
  if (!Number.isInteger(side)) {
    throw new Error(`weights: pos_embed has ${positions} positions, which is no square grid over ${frames / tubelet} time steps, and its values are no sin-cos table of another grid`);
  }
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
