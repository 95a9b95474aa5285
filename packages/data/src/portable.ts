/**
 * The exports of `@vjepa/data` that run anywhere: both entries (`index.ts` for Node, `browser.ts` for
 * the `browser` export condition) re-export this file and add only what is theirs.
 *
 * @packageDocumentation
 */
export { UnreadableClipError, type Clip, type ClipSource, type SyntheticItem } from './types';
export {
  allFrames,
  linspace,
  pretrainingSampler,
  sampleClipIndices,
  sampleEvalClips,
  samplePretrainingClip,
  type ClipSamplingOptions,
  type FrameSampler,
} from './sampling';
export { centreCrop, centreRatioCrop, sampleResizedCrop, type CropBox, type ResizedCropOptions } from './crop';
/** Python 3 `round` (half to even), which the official crop uses on the box sides; one implementation, in `@vjepa/base`. */
export { roundHalfEven } from '@vjepa/core';
export { resampleFrames, resizeBilinear, type ResampleSpec } from './resize';
export {
  IMAGENET_MEAN,
  IMAGENET_STD,
  evalTransform,
  multiViewTransform,
  normalizeTransform,
  pretrainingTransform,
  type ClipTransform,
  type EvalTransformOptions,
  type NormalizeOptions,
  type PretrainingTransformOptions,
  type TransformRecord,
} from './transforms';
export { memorySource, type MemoryVideo } from './memory';
export { classBalancedIndices, labelsPerClassSource, sourceLabels, subsetSource, type LabelsPerClass } from './label-subset';
// Moving MNIST renders here too, but its digits load only in Node (`#mnist-digits`).
export { MNIST_TRAIN_FRACTION, mnistImage, mnistSplitRange, renderMovingMnistItem, type SyntheticSplit } from './synthetic-mnist';
export {
  MNIST_SIDE,
  SYNTHETIC_DIRECTIONS,
  SYNTHETIC_SHAPES,
  SYNTHETIC_VARIANTS,
  syntheticVariant,
  type SyntheticSizeOverrides,
  type SyntheticVariant,
} from './synthetic-variants';
export {
  mirrorDirection,
  renderSyntheticItem,
  syntheticLabels,
  syntheticSource,
  type SyntheticSourceOptions,
} from './synthetic';
export {
  renderVoePair,
  VOE_EVENTS,
  VOE_SETS,
  voePairSource,
  voeSpec,
  type VoeEvent,
  type VoePair,
  type VoePairOptions,
  type VoePairSource,
  type VoeScene,
} from './synthetic-voe';
export { type ObjectPath } from './synthetic-render';
export { ClipLoader } from './loader';
export type { LoaderBatch, ClipLoaderMetrics, ClipLoaderOptions, ClipLoaderState, UnreadablePolicy } from './loader-types';
export { loaderBatchSource, toVideoBatch } from './batch';
