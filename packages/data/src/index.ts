/**
 * `@vjepa/data`: video decoding through ffmpeg, the official V-JEPA frame sampling and augmentations,
 * batching with prefetch and resume, and embedded synthetic video datasets.
 *
 * @packageDocumentation
 */
export { UnreadableClipError, type Clip, type ClipSource } from './types';
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
export { centreCrop, centreRatioCrop, roundHalfEven, sampleResizedCrop, type CropBox, type ResizedCropOptions } from './crop';
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
export {
  FfmpegFailedError,
  ffmpegFeatures,
  findNpmFfmpeg,
  findOnPath,
  resolveFfmpeg,
  runFfmpeg,
  type FfmpegBinary,
  type FfmpegChoice,
  type FfmpegFeatures,
  type RunOptions,
  type RunResult,
} from './ffmpeg';
export { parseStreamHeader, probeVideo, type FfmpegRunOptions, type ProbeMethod, type ProbeOptions, type VideoInfo } from './probe';
export { decodeFrames, decodeVideo, selectExpression, TruncatedVideoError, type DecodedFrames, type DecodeOptions } from './decode';
export { writeVideo, type WriteVideoOptions } from './encode';
export { videoFileSource, type DecodeSize, type VideoEntry, type VideoFileOptions } from './video-files';
export { csvSource, folderSource, listVideoFolder, parseVideoCsv, VIDEO_EXTENSIONS } from './file-lists';
export { memorySource, type MemoryVideo } from './memory';
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
  type SyntheticItem,
  type SyntheticSourceOptions,
} from './synthetic';
export { openClipSource, type OpenSourceOptions } from './open';
export { ClipLoader } from './loader';
export type { LoaderBatch, ClipLoaderMetrics, ClipLoaderOptions, ClipLoaderState } from './loader-types';
export { loaderBatchSource, toVideoBatch } from './batch';
