import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrames, decodeVideo, selectExpression, TruncatedVideoError } from './decode';
import { writeVideo } from './encode';
import { findOnPath, resolveFfmpeg, type FfmpegBinary } from './ffmpeg';
import { parseStreamHeader, probeVideo } from './probe';
import { frameAt, frameColour, knownFrames, meanAbsoluteError, tempFolder } from '../test/videos';
import { UnreadableClipError } from './types';

const T = 24;
const H = 36;
const W = 48;
const frames = knownFrames(T, H, W);
const folder = tempFolder('decode');
afterAll(() => folder.remove());

describe('resolveFfmpeg', () => {
  it('finds the system ffmpeg on PATH (CI installs it; this must not be skipped)', () => {
    const system = resolveFfmpeg('system', { PATH: process.env.PATH });
    expect(system.origin).toBe('path');
    expect(system.path).toBe(findOnPath(process.env.PATH));
  });

  it('finds the static ffmpeg of @ffmpeg-installer/ffmpeg', () => {
    const npm = resolveFfmpeg('npm');
    expect(npm.origin).toBe('npm');
    expect(npm.path).toMatch(/@ffmpeg-installer/);
  });

  it('prefers FFMPEG_PATH, then PATH, then npm; an explicit path wins', () => {
    const npm = resolveFfmpeg('npm');
    expect(resolveFfmpeg('auto', { FFMPEG_PATH: npm.path, PATH: process.env.PATH })).toEqual({ path: npm.path, origin: 'env' });
    expect(resolveFfmpeg('auto', { PATH: '' })).toEqual(npm);
    expect(resolveFfmpeg({ path: npm.path })).toEqual({ path: npm.path, origin: 'option' });
  });

  it('says what is wrong and what to install', () => {
    expect(() => resolveFfmpeg('system', { PATH: '' })).toThrow(/ffmpeg: expected an ffmpeg executable on PATH or in FFMPEG_PATH, received "none found"\. Install ffmpeg/);
    expect(() => resolveFfmpeg('auto', { FFMPEG_PATH: '/no/such/ffmpeg' })).toThrow(/FFMPEG_PATH: expected the path of an executable ffmpeg, received "\/no\/such\/ffmpeg"/);
    expect(() => resolveFfmpeg({ path: '/no/such/ffmpeg' })).toThrow(/ffmpeg\.path: expected an executable ffmpeg file/);
    expect(() => resolveFfmpeg('vlc' as never)).toThrow(/ffmpeg: expected 'auto', 'system', 'npm' or \{ path \}, received "vlc"/);
  });
});

describe('parseStreamHeader', () => {
  it('reads size, fps, duration and codec, and swaps sides for a quarter-turn rotation', () => {
    const header = [
      '  Duration: 00:01:02.50, start: 0.000000, bitrate: 39 kb/s',
      '  Stream #0:0(und): Video: h264 (High 4:4:4 Predictive) (avc1 / 0x31637661), yuv444p, 640x360 [SAR 1:1 DAR 16:9], 39 kb/s, 29.97 fps, 29.97 tbr, 12800 tbn (default)',
    ].join('\n');
    expect(parseStreamHeader(header)).toEqual({ width: 640, height: 360, fps: 29.97, durationSeconds: 62.5, codec: 'h264' });
    expect(parseStreamHeader(`${header}\n      rotate          : 90`)).toMatchObject({ width: 360, height: 640 });
    expect(parseStreamHeader('  Stream #0:0: Audio: aac, 44100 Hz')).toBeNull();
  });

  it('builds a select expression with ranges', () => {
    expect(selectExpression([0, 1, 2, 5, 9, 10])).toBe("select='between(n\\,0\\,2)+eq(n\\,5)+between(n\\,9\\,10)'");
  });
});

describe.each(['system', 'npm'] as const)('decoding with the %s ffmpeg', (choice) => {
  let ffmpeg: FfmpegBinary;
  let mkv: string;
  let mp4: string;
  let mp4Yuv420: string;

  beforeAll(async () => {
    ffmpeg = resolveFfmpeg(choice);
    mkv = path.join(folder.dir, `${choice}-ffv1.mkv`);
    mp4 = path.join(folder.dir, `${choice}-x264-444.mp4`);
    mp4Yuv420 = path.join(folder.dir, `${choice}-x264-420.mp4`);
    await writeVideo(mkv, frames, T, H, W, { ffmpeg, codec: 'ffv1' });
    await writeVideo(mp4, frames, T, H, W, { ffmpeg, codec: 'h264', crf: 0, pixelFormat: 'yuv444p' });
    await writeVideo(mp4Yuv420, frames, T, H, W, { ffmpeg, codec: 'h264', crf: 12 });
  });

  it('probes frame count, size and fps, by packets and by decoding', async () => {
    for (const file of [mkv, mp4]) {
      const byPackets = await probeVideo(file, { ffmpeg });
      expect(byPackets).toMatchObject({ frameCount: T, width: W, height: H, fps: 25, method: 'packets' });
      expect(byPackets.durationSeconds).toBeCloseTo(T / 25, 1);
      expect(await probeVideo(file, { ffmpeg, method: 'decode' })).toMatchObject({ frameCount: T, width: W, height: H, method: 'decode' });
    }
  });

  it('decodes lossless FFV1 back to exactly the frames written', async () => {
    const decoded = await decodeVideo(mkv, { ffmpeg });
    expect(decoded).toMatchObject({ numFrames: T, height: H, width: W });
    expect(Buffer.from(decoded.frames).equals(Buffer.from(frames))).toBe(true);
  });

  it('decodes H.264 within codec tolerance (yuv444p crf 0 and yuv420p crf 12)', async () => {
    const high = await decodeVideo(mp4, { ffmpeg });
    expect(meanAbsoluteError(high.frames, frames)).toBeLessThan(1);
    const typical = await decodeVideo(mp4Yuv420, { ffmpeg });
    expect(meanAbsoluteError(typical.frames, frames)).toBeLessThan(3);
  });

  it('returns selected frames in the order asked, repeats included', async () => {
    const indices = [17, 3, 3, 0, 23, 9];
    for (const file of [mkv, mp4]) {
      const decoded = await decodeFrames(file, indices, { ffmpeg });
      expect(decoded.numFrames).toBe(indices.length);
      indices.forEach((index, t) => {
        const got = frameAt(decoded.frames, t, H, W);
        expect(meanAbsoluteError(got, frameAt(frames, index, H, W))).toBeLessThan(1.5);
        if (file === mkv) expect(Array.from(got.subarray(0, 3))).toEqual(frameColour(index));
      });
    }
  });

  it('scales inside ffmpeg to the requested size', async () => {
    const decoded = await decodeFrames(mkv, [5, 6], { ffmpeg, size: { width: 24, height: 18 } });
    expect(decoded).toMatchObject({ numFrames: 2, height: 18, width: 24 });
    expect(decoded.frames.length).toBe(2 * 18 * 24 * 3);
    // Well inside the solid left half the colour is unchanged by the bilinear scaling.
    const pixel = (t: number, y: number, x: number) => Array.from(decoded.frames.subarray(((t * 18 + y) * 24 + x) * 3, ((t * 18 + y) * 24 + x) * 3 + 3));
    expect(pixel(0, 9, 4)).toEqual(frameColour(5));
    expect(pixel(1, 2, 6)).toEqual(frameColour(6));
  });

  it('reports frames past the end as a truncated video', async () => {
    const error = await decodeFrames(mkv, [2, T + 5], { ffmpeg }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TruncatedVideoError);
    expect((error as TruncatedVideoError).message).toMatch(/decoded 1 of 2 requested frames/);
  });

  it('counts by decoding when a stream cannot be stream-copied', async () => {
    // A wrapper that fails every stream copy after printing the header, as ffmpeg does for some streams.
    const wrapper = path.join(folder.dir, `${choice}-no-copy.sh`);
    writeFileSync(
      wrapper,
      `#!/bin/sh\nfor a in "$@"; do if [ "$a" = copy ]; then echo '  Stream #0:0: Video: ffv1, bgr0, ${W}x${H}, 25 fps' >&2; echo 'copy refused' >&2; exit 1; fi; done\nexec '${ffmpeg.path}' "$@"\n`,
      { mode: 0o755 },
    );
    expect(await probeVideo(mkv, { ffmpeg: { path: wrapper } })).toMatchObject({ frameCount: T, width: W, height: H, method: 'decode' });
  });

  it('turns a file that is not a video into UnreadableClipError with ffmpeg\'s reason', async () => {
    const text = path.join(folder.dir, `${choice}-text.mp4`);
    writeFileSync(text, 'not a video\n'.repeat(200));
    const error = await probeVideo(text, { ffmpeg }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnreadableClipError);
    expect((error as UnreadableClipError).item).toBe(text);
    expect((error as UnreadableClipError).reason).toMatch(/Invalid data found when processing input/);
    expect(readFileSync(text).length).toBe(2400);
  });
});
