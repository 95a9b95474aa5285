import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, IoError, RandomStream, UsageError, VjepaError } from '@vjepa/core';
import { describe, expect, it } from 'vitest';
import { TruncatedVideoError } from './decode';
import { FfmpegFailedError } from './ffmpeg';
import { csvSource, parseVideoCsv } from './file-lists';
import { normalizeTransform } from './transforms';
import { UnreadableClipError } from './types';

describe('error kinds', () => {
  it.each([
    ['UnreadableClipError', new UnreadableClipError('a.mp4', 'file is empty (0 bytes)'), DataError, 'data'],
    ['TruncatedVideoError', new TruncatedVideoError('a.mp4', 16, 9, ''), UnreadableClipError, 'data'],
    ['FfmpegFailedError', new FfmpegFailedError('ffmpeg: could not run'), IoError, 'io'],
  ])('%s has its kind and its class name', (name, error, Parent, kind) => {
    expect(error).toBeInstanceOf(Parent);
    expect(error).toBeInstanceOf(VjepaError);
    expect([error.kind, error.name]).toEqual([kind, name]);
  });

  it('a malformed or empty index CSV is a DataError', async () => {
    expect(() => parseVideoCsv('a.mp4 3\nb.mp4\n', '/data', 'k400.csv')).toThrow(
      new DataError('k400.csv line 2: expected "<video path> <integer label>", received "b.mp4". The official index format is space-separated with no header'),
    );
    expect(() => parseVideoCsv('b.mp4\n', '/data')).toThrow(DataError);
    const csv = join(mkdtempSync(join(tmpdir(), 'vjepa-data-')), 'empty.csv');
    writeFileSync(csv, '\n');
    await expect(csvSource(csv)).rejects.toThrow(DataError);
    await expect(csvSource(join(csv, 'missing.csv'))).rejects.toThrow(IoError);
  });

  it('a clip whose frames do not fit its size is a DataError, a bad option a UsageError', () => {
    const clip = { frames: new Uint8Array(5), numFrames: 1, height: 2, width: 2, labels: {}, name: 'c' };
    expect(() => normalizeTransform().apply(clip, new RandomStream(0), new Float32Array(12), 0)).toThrow(
      new DataError('clip c: frames: expected a Uint8Array of 1·2·2·3 = 12 bytes, received Uint8Array(5)'),
    );
    expect(() => normalizeTransform().apply(clip, new RandomStream(0), new Float32Array(12), 0)).toThrow(DataError);
    expect(() => normalizeTransform({ mean: [0, 0] as never })).toThrow(UsageError);
  });
});
