import { describe, expect, it } from 'vitest';
import * as browser from './browser';
import * as node from './index';

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
];

describe('browser entry', () => {
  it('exports every name of the Node entry except the Node-only ones', () => {
    const expected = Object.keys(node).filter((name) => !NODE_ONLY.includes(name)).sort();
    expect(Object.keys(browser).sort()).toEqual(expected);
    expect(NODE_ONLY.every((name) => name in node)).toBe(true);
  });

  it('shares the implementations', () => {
    expect(browser.sampleClipIndices).toBe(node.sampleClipIndices);
    expect(browser.evalTransform).toBe(node.evalTransform);
  });
});
