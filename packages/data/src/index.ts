export * from './portable';
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
export { openClipSource, type OpenSourceOptions } from './open';
export { openEvalClips, openProbeData, type EvalClipOptions, type EvalClipSet, type ProbeDataOptions } from './eval-clips';
