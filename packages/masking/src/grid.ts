import { MaskConfigError } from './errors';
import { optionKeys } from '@vjepa/base';
import type { ClipGeometry, GridSpec, TokenGrid } from './types';
import { requireInteger, requireKnownKeys, requireObject } from './validation';

/** Every key a grid spec may have: a clip geometry's or a token grid's. */
const GRID_KEYS = optionKeys<ClipGeometry & TokenGrid>({ frames: true, crop: true, patch: true, tubelet: true, depth: true, height: true, width: true });
/** Names other packages use for the same quantities (the ViT's `imageSize`, the data's `numFrames`). */
const GRID_ALIASES = { imageSize: 'crop', cropSize: 'crop', crop_size: 'crop', numFrames: 'frames', num_frames: 'frames', patchSize: 'patch', patch_size: 'patch', tubeletSize: 'tubelet', tubelet_size: 'tubelet' };

/** The default grid: 16 frames, 224 px crop, 16 px patches, tubelet 2 → 8 × 14 × 14 tokens. */
export const DEFAULT_CLIP_GEOMETRY = { frames: 16, crop: 224, patch: 16, tubelet: 2 } as const;

/**
 * Turns a {@link GridSpec} into a checked {@link TokenGrid}: T' = frames / tubelet and
 * H' = W' = crop / patch, which must divide exactly.
 */
export function resolveTokenGrid(spec: GridSpec = {}, argument = 'grid'): TokenGrid {
  const fields = requireKnownKeys(argument, requireObject(argument, spec), GRID_KEYS, GRID_ALIASES);
  const explicit = ['depth', 'height', 'width'].some((key) => fields[key] !== undefined);
  const derived = ['frames', 'crop', 'patch', 'tubelet'].some((key) => fields[key] !== undefined);
  if (explicit && derived) {
    throw new MaskConfigError(
      argument,
      'either { depth, height, width } or { frames, crop, patch, tubelet }, not both',
      spec,
    );
  }
  if (explicit) {
    return {
      depth: requireInteger(`${argument}.depth`, fields.depth, 1),
      height: requireInteger(`${argument}.height`, fields.height, 1),
      width: requireInteger(`${argument}.width`, fields.width, 1),
    };
  }
  const frames = requireInteger(`${argument}.frames`, fields.frames ?? DEFAULT_CLIP_GEOMETRY.frames, 1);
  const crop = requireInteger(`${argument}.crop`, fields.crop ?? DEFAULT_CLIP_GEOMETRY.crop, 1);
  const patch = requireInteger(`${argument}.patch`, fields.patch ?? DEFAULT_CLIP_GEOMETRY.patch, 1);
  const tubelet = requireInteger(`${argument}.tubelet`, fields.tubelet ?? DEFAULT_CLIP_GEOMETRY.tubelet, 1);
  if (crop % patch !== 0) {
    throw new MaskConfigError(`${argument}.crop`, `a multiple of patch (${patch})`, crop);
  }
  if (frames % tubelet !== 0) {
    throw new MaskConfigError(`${argument}.frames`, `a multiple of tubelet (${tubelet})`, frames);
  }
  return { depth: frames / tubelet, height: crop / patch, width: crop / patch };
}

/** N = T'·H'·W', the number of tokens of a grid. */
export function tokenCount(grid: TokenGrid): number {
  return grid.depth * grid.height * grid.width;
}
