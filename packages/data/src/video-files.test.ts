import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { RandomStream } from '@vjepa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameAt, knownFrames, meanAbsoluteError, tempFolder } from '../test/videos';
import { writeVideo } from './encode';
import { csvSource, folderSource, parseVideoCsv } from './file-lists';
import { ClipLoader } from './loader';
import { openClipSource } from './open';
import { probeVideo } from './probe';
import { samplePretrainingClip } from './sampling';
import { pretrainingTransform } from './transforms';
import type { Clip } from './types';
import { videoFileSource } from './video-files';

const H = 36;
const W = 48;
const SHORT = 24;
const LONG = 80;
const shortFrames = knownFrames(SHORT, H, W);
const longFrames = knownFrames(LONG, H, W);
const folder = tempFolder('files');
const file = (name: string) => path.join(folder.dir, name);

beforeAll(async () => {
  mkdirSync(file('videos/cats'), { recursive: true });
  mkdirSync(file('videos/dogs/deeper'), { recursive: true });
  await writeVideo(file('videos/cats/short.mkv'), shortFrames, SHORT, H, W, { codec: 'ffv1' });
  await writeVideo(file('videos/dogs/deeper/long.mkv'), longFrames, LONG, H, W, { codec: 'ffv1' });
  await writeVideo(file('videos/loose.mp4'), longFrames, LONG, H, W, { codec: 'h264', crf: 0, pixelFormat: 'yuv444p' });
  copyFileSync(file('videos/cats/short.mkv'), file('videos/cats/SHOUTY.MOV'));
  writeFileSync(file('videos/dogs/notes.txt'), 'not a video');
});
afterAll(() => folder.remove());

describe('index CSV', () => {
  it('parses "<path> <label>" lines, resolving relative paths against the CSV folder', () => {
    const entries = parseVideoCsv('a.mp4 3\n\n/abs/b c.mp4 12\r\nsub/d.mkv -1\n', '/data/csvs');
    expect(entries).toEqual([
      { path: '/data/csvs/a.mp4', labels: { label: 3 } },
      { path: '/abs/b c.mp4', labels: { label: 12 } },
      { path: '/data/csvs/sub/d.mkv', labels: { label: -1 } },
    ]);
    expect(() => parseVideoCsv('a.mp4 3\nb.mp4 cat\n', '/x', 'train.csv')).toThrow(/train\.csv line 2: expected "<video path> <integer label>", received "b\.mp4 cat"/);
  });

  it('reads clips with the official sampling and exact frames (FFV1)', async () => {
    writeFileSync(file('train.csv'), 'videos/cats/short.mkv 3\nvideos/dogs/deeper/long.mkv 7\n');
    const source = await csvSource(file('train.csv'));
    expect(source.size).toBe(2);
    expect(source.description).toBe('train.csv (2 videos)');
    const short = await source.get(0, new RandomStream(0));
    // 24 frames ≤ 64: linspace(0, 24, 6) padded with 24, clipped to 23.
    expect(short?.frameIndices).toEqual([0, 4, 9, 14, 19, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23]);
    expect(short).toMatchObject({ numFrames: 16, height: H, width: W, labels: { label: 3 }, name: file('videos/cats/short.mkv') });
    short?.frameIndices?.forEach((index, t) => {
      expect(Buffer.from(frameAt(short.frames, t, H, W)).equals(Buffer.from(frameAt(shortFrames, index, H, W)))).toBe(true);
    });
    const long = await source.get(1, new RandomStream(1));
    const start = long?.frameIndices?.[0] ?? -1;
    expect(start).toBeGreaterThanOrEqual(0);
    expect(start).toBeLessThanOrEqual(LONG - 65);
    expect(long?.frameIndices?.map((index) => index - start)).toEqual([0, 4, 8, 12, 17, 21, 25, 29, 34, 38, 42, 46, 51, 55, 59, 63]);
    long?.frameIndices?.forEach((index, t) => {
      expect(Buffer.from(frameAt(long.frames, t, H, W)).equals(Buffer.from(frameAt(longFrames, index, H, W)))).toBe(true);
    });
  });

  it('scales while decoding and honours the sampler options', async () => {
    const source = videoFileSource([{ path: file('videos/loose.mp4') }], { decodeSize: { shorterSide: 18 }, framesPerClip: 4, frameStep: 2 });
    const clip = await source.get(0, new RandomStream(2));
    expect(clip).toMatchObject({ numFrames: 4, height: 18, width: 24, labels: {} });
    const offsets = clip?.frameIndices?.map((index) => index - (clip.frameIndices?.[0] ?? 0));
    expect(offsets).toEqual([0, 2, 5, 7]); // linspace over 8 frames, 4 values
  });
});

describe('a truncated mp4 whose index survived (faststart)', () => {
  it('is read up to its last decodable frame: a short decode triggers a recount by decoding', async () => {
    const whole = file('faststart.mp4');
    await writeVideo(whole, longFrames, LONG, H, W, { codec: 'h264', crf: 0, pixelFormat: 'yuv444p', faststart: true });
    const bytes = readFileSync(whole);
    const cut = file('faststart-cut.mp4');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.4)));
    const packets = (await probeVideo(cut)).frameCount;
    const decodable = (await probeVideo(cut, { method: 'decode' })).frameCount;
    expect(packets).toBe(decodable + 1); // the last packet is cut short
    expect(decodable).toBeLessThan(64);
    const clip = (await videoFileSource([{ path: cut }]).get(0, new RandomStream(0))) as Clip;
    expect(clip.frameIndices).toEqual(samplePretrainingClip(decodable, null));
    clip.frameIndices?.forEach((index, t) => {
      expect(meanAbsoluteError(frameAt(clip.frames, t, H, W), frameAt(longFrames, index, H, W))).toBeLessThan(1);
    });
  });
});

describe('folder source', () => {
  it('finds videos recursively (case-insensitive extensions) and labels them by top-level folder', async () => {
    const source = await folderSource(file('videos'));
    expect(source.size).toBe(4);
    expect(source.description).toBe(`${file('videos')} (4 videos, 2 classes)`);
    const names: string[] = [];
    const labels: Record<string, number>[] = [];
    for (let index = 0; index < source.size; index++) {
      const clip = await source.get(index, new RandomStream(index));
      names.push(path.relative(file('videos'), clip?.name ?? ''));
      labels.push(clip?.labels ?? {});
    }
    expect(names).toEqual(['cats/SHOUTY.MOV', 'cats/short.mkv', 'dogs/deeper/long.mkv', 'loose.mp4']);
    expect(labels).toEqual([{ label: 0 }, { label: 0 }, { label: 1 }, {}]);
  });

  it('is what openClipSource returns for a folder; a CSV and synthetic names work too', async () => {
    expect((await openClipSource(file('videos'))).size).toBe(4);
    writeFileSync(file('one.csv'), 'videos/loose.mp4 1\n');
    expect((await openClipSource(file('one.csv'))).size).toBe(1);
    expect((await openClipSource('synthetic:tiny', { synthetic: { size: 10 } })).size).toBe(10);
    await expect(openClipSource(file('nothing-here'))).rejects.toThrow(/spec: expected 'synthetic', 'synthetic:NAME', or an existing \.csv file or folder/);
  });
});

describe.each(['system', 'npm'] as const)('bad files with the %s ffmpeg', (ffmpeg) => {
  const bad = (name: string) => file(`bad-${ffmpeg}/${name}`);
  const expectedReasons: Record<string, RegExp> = {};
  let goodPaths: string[];

  beforeAll(async () => {
    mkdirSync(file(`bad-${ffmpeg}/folder.mp4`), { recursive: true });
    goodPaths = [bad('good.mkv'), bad('good.mp4')];
    await writeVideo(goodPaths[0], shortFrames, SHORT, H, W, { codec: 'ffv1', ffmpeg });
    await writeVideo(goodPaths[1], longFrames, LONG, H, W, { codec: 'h264', crf: 0, pixelFormat: 'yuv444p', ffmpeg });
    const whole = readFileSync(goodPaths[1]);
    expect(whole.length).toBeGreaterThan(4096);
    writeFileSync(bad('truncated.mp4'), whole.subarray(0, whole.length >> 1));
    writeFileSync(bad('empty.mp4'), '');
    writeFileSync(bad('text.mp4'), 'this is a text file, not a video\n'.repeat(100));
    writeFileSync(bad('tiny.mp4'), whole.subarray(0, 100));
    copyFileSync(goodPaths[1], bad('locked.mp4'));
    chmodSync(bad('locked.mp4'), 0o000);
    Object.assign(expectedReasons, {
      [bad('truncated.mp4')]: /moov atom not found/,
      [bad('empty.mp4')]: /^file is empty \(0 bytes\)$/,
      [bad('text.mp4')]: /Invalid data found when processing input/,
      [bad('tiny.mp4')]: /^file too small \(100 bytes < 1024\)$/,
      [bad('missing.mp4')]: /^file not found$/,
      [bad('folder.mp4')]: /^not a regular file$/,
    });
    // Root reads a mode-000 file anyway: then it is a good file, otherwise a permission error.
    const lockedReadable = await access(bad('locked.mp4'), constants.R_OK).then(() => true, () => false);
    if (lockedReadable) goodPaths.push(bad('locked.mp4'));
    else expectedReasons[bad('locked.mp4')] = /^permission denied$/;
  });

  it('skips each bad file with one warning naming it, counts it, and never stops', async () => {
    const names = ['good.mkv', 'truncated.mp4', 'empty.mp4', 'text.mp4', 'good.mp4', 'tiny.mp4', 'missing.mp4', 'folder.mp4', 'locked.mp4'];
    writeFileSync(bad('index.csv'), names.map((name, label) => `${name} ${label}`).join('\n'));
    const source = await csvSource(bad('index.csv'), { ffmpeg });
    const warnings: string[] = [];
    const loader = new ClipLoader(source, {
      batchSize: 2, dropLast: false, seed: 3, concurrency: 3,
      transform: pretrainingTransform({ cropSize: 16 }), onWarning: (message) => warnings.push(message),
    });
    const seen: string[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      for await (const batch of loader.iterateEpoch()) {
        expect(batch.shape).toEqual([batch.names.length, 16, 16, 16, 3]);
        seen.push(...batch.names);
      }
      if (epoch === 0) expect(warnings.length).toBe(Object.keys(expectedReasons).length); // all found in the first epoch
    }
    expect(seen.length).toBe(3 * names.length);
    expect(new Set(seen)).toEqual(new Set(goodPaths));
    const badPaths = Object.keys(expectedReasons).sort();
    expect(warnings.length).toBe(badPaths.length);
    for (const badPath of badPaths) {
      const mentions = warnings.filter((warning) => warning.includes(JSON.stringify(badPath)));
      expect(mentions, badPath).toHaveLength(1);
      expect(loader.metrics.skipReasons[badPath]).toMatch(expectedReasons[badPath]);
    }
    expect(loader.metrics.skipped).toBe(badPaths.length);
    expect([...loader.metrics.skippedNames].sort()).toEqual(badPaths);
  });

  it('fails with a clear error when every file is bad', async () => {
    const badOnly = Object.keys(expectedReasons);
    const loader = new ClipLoader(videoFileSource(badOnly.map((p) => ({ path: p })), { ffmpeg }), {
      batchSize: 2, transform: pretrainingTransform({ cropSize: 16 }), onWarning: () => undefined,
    });
    await expect(loader.next()).rejects.toThrow(
      new RegExp(`source: expected at least one readable item, received ${badOnly.length} unreadable of ${badOnly.length}`),
    );
    expect(loader.metrics.skipped).toBe(badOnly.length);
  });
});
