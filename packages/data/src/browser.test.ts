import * as browser from './browser';
import * as node from './index';
import { describeBrowserEntry } from '../../../scripts/browser-entry';

/** The names only the Node entry has: they run ffmpeg or read files. */
const NODE_ONLY = [
  'FfmpegFailedError',
  'TruncatedVideoError',
  'VIDEO_EXTENSIONS',
  'csvSource',
  'decodeFrames',
  'decodeVideo',
  'ffmpegFeatures',
  'findNpmFfmpeg',
  'findOnPath',
  'folderSource',
  'listVideoFolder',
  'openClipSource',
  'openEvalClips',
  'openProbeData',
  'parseStreamHeader',
  'parseVideoCsv',
  'probeVideo',
  'resolveFfmpeg',
  'runFfmpeg',
  'selectExpression',
  'videoFileSource',
  'writeVideo',
  // violation-of-expectation pairs of the user's videos: a CSV read from disk, decoded by ffmpeg
  'decodeVoePair',
  'parseVoePairCsv',
  'readVoePairCsv',
];

describeBrowserEntry({ browser, node, nodeOnly: NODE_ONLY, shared: ['sampleClipIndices', 'evalTransform'] });
