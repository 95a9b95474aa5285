/**
 * The exports of `@vjepa/decoder` that run anywhere: both entries (`index.ts` for Node, `browser.ts` for
 * the `browser` export condition) re-export this file and add only what is theirs.
 *
 * @packageDocumentation
 */
export { DECODER_DEFAULTS, resolveDecoderConfig, tokenPixels, type DecoderConfig, type ResolvedDecoderConfig } from './config';
export { createPositions, POSITION_SCHEMES, SincosPositions, type PositionScheme, type TokenPositions } from './positions';
export { PixelDecoder, type DecoderInitOptions } from './decoder';
export { pixelLoss, tokenPixelTargets, type PixelLossKind } from './loss';
export { DecoderTrainStep, predictedFeatures, type DecoderStepMetrics, type DecoderStepOptions, type FrozenEncoder, type FrozenModels } from './step';
export { clipGrid, clipTokens, denormalize, pasteTokens, valuesPerToken, type ClipGeometry, type HostClip } from './pixels';
export { meanAbsError, meanColourPrediction, nearestVisiblePrediction } from './baselines';
export { decodingSheet, frameRaster, layoutSheet, type DecodingSheetOptions, type Raster, type SheetLayoutOptions, type SheetSample } from './sheet';
