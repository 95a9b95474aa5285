import { Block, LayerNorm, type Module } from '@vjepa/core';
import { PatchEmbed } from '@vjepa/tubelet';

/** The widths both encoders' trunks are built from. */
export interface TrunkConfig {
  dim: number;
  depth: number;
  heads: number;
  mlpRatio: number;
  qkvBias: boolean;
  normEps: number;
  channels: number;
  patch: number;
  tubelet: number;
}

/** Registers a sub-module on its owner under an official key (the owner's `addModule`). */
export type AddModule = <M extends Module>(name: string, module: M) => M;

/**
 * What the V-JEPA 1 and 2 encoders share: `patch_embed`, `blocks.{i}` and the final `norm`, registered in
 * that order through `add`.
 */
export function encoderTrunk(c: TrunkConfig, add: AddModule): { patchEmbed: PatchEmbed; blocks: Block[]; norm: LayerNorm } {
  const patchEmbed = add('patch_embed', new PatchEmbed({ dim: c.dim, channels: c.channels, patch: c.patch, tubelet: c.tubelet }));
  const blocks = Array.from({ length: c.depth }, (_, i) =>
    add(`blocks.${i}`, new Block(c.dim, c.heads, { mlpRatio: c.mlpRatio, qkvBias: c.qkvBias, normEps: c.normEps })),
  );
  const norm = add('norm', new LayerNorm(c.dim, c.normEps));
  return { patchEmbed, blocks, norm };
}
