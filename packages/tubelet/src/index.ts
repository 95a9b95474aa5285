export { PatchEmbed, TubeletConv, patchify, type PatchEmbedConfig } from './patch-embed';
export { sincos1d, sincosAxisDims, sincosPosEmbed3d, type SincosPosEmbed3dOptions } from './pos-embed';
export {
  interpolatePosEmbed,
  interpolatedSize,
  linearResizeTaps,
  resizeTrilinear,
  type InterpolatePosEmbedOptions,
  type LinearResizeTaps,
  type ResizeTrilinearOptions,
  type ResizeTrilinearResult,
} from './interpolate';
export { tokenCoords, tokenCount, tokenGrid, tokenIndex, type TokenCoords, type TokenGrid, type TokenGridOptions } from './grid';
export {
  ROPE_LAYOUTS,
  ROPE_THETA,
  RopeTableCache,
  applyRope,
  checkRopeHeads,
  ropeSections,
  ropeTables,
  ropeTensors,
  type RopeGrid,
  type RopeLayout,
  type RopeSections,
  type RopeTableOptions,
  type RopeTensors,
} from './rope';
