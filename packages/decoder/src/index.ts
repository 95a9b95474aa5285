/**
 * `@vjepa/decoder`: the pixel decoder of V-JEPA's predicted features, the paper's qualitative
 * evaluation. A decoder trained on a frozen encoder and predictor reconstructs the masked tokens from
 * the predicted features alone; the sheet shows the clip, the masks and the decodings.
 *
 * @packageDocumentation
 */
export * from './portable';
export { encodePng, writePng } from './png';
export { frozenRunConfig, loadFrozenRun, openRunClips, type FrozenRun, type RunClipsOptions } from './run';
export { decoderConfigForRun, savedDecoderState, trainDecoder, type DecoderCheckpointState, type DecoderTrainOptions, type DecoderTrainSummary } from './train';
export { showDecoder, type DecoderShowOptions, type DecoderShowResult } from './show';
