// Videos as people have them: odd sizes, variable frame rate, rotation metadata, grayscale, 10-bit,
// audio-only files, videos shorter than a clip, and an ffmpeg that disappears or is killed mid-run.
// Every test video is generated here with the system ffmpeg (CI installs it).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RandomStream } from '@vjepa/core';
import { frameAt, knownFrames, tempFolder } from '../test/videos';
import { writeVideo } from './encode';
import { FfmpegFailedError, findOnPath } from './ffmpeg';
import { ClipLoader } from './loader';
import { probeVideo } from './probe';
import { pretrainingTransform } from './transforms';
import { UnreadableClipError } from './types';
import { videoFileSource } from './video-files';

const folder = tempFolder('edge');
const file = (name: string) => path.join(folder.dir, name);
const ffmpegPath = findOnPath()!;

/** Runs the system ffmpeg with `args`; throws with its message when it fails. */
function ffmpeg(...args: string[]): void {
  const result = spawnSync(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${result.stderr}`);
}
const testsrc = (size: string, frames: number) => ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`, '-frames:v', String(frames)];

const ODD = { height: 241, width: 321, frames: 20 };
const VFR_FRAMES = 30;
const oddFrames = knownFrames(ODD.frames, ODD.height, ODD.width);
const vfrFrames = knownFrames(VFR_FRAMES, 24, 32);
const shortFrames = knownFrames(10, 24, 32);

beforeAll(async () => {
  ffmpeg(...testsrc('720x528', 24), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', file('720x528.mp4'));
  ffmpeg(...testsrc('320x240', 24), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', file('320x240.mp4'));
  await writeVideo(file('odd-321x241.mkv'), oddFrames, ODD.frames, ODD.height, ODD.width, { codec: 'ffv1' });
  // Variable frame rate: the first 10 frames at 12.5 fps, the rest at 25 fps (lossless, so frames compare exactly).
  await writeVideo(file('cfr.mkv'), vfrFrames, VFR_FRAMES, 24, 32, { codec: 'ffv1' });
  ffmpeg('-i', file('cfr.mkv'), '-vf', "setpts='if(lt(N,10),2*N,10+N)/(25*TB)'", '-fps_mode', 'vfr', '-c:v', 'ffv1', file('vfr.mkv'));
  // Rotation metadata (a phone video held upright): a display matrix of 90° on a 320 × 240 stream.
  ffmpeg('-i', file('320x240.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', file('rotated.mp4'));
  ffmpeg(...testsrc('64x48', 24), '-c:v', 'ffv1', '-pix_fmt', 'gray', file('gray.mkv'));
  ffmpeg(...testsrc('64x48', 24), '-c:v', 'libx264', '-pix_fmt', 'yuv420p10le', file('10bit.mp4'));
  ffmpeg(...testsrc('64x48', 24), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', file('8bit.mp4'));
  ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac', file('audio-only.mp4'));
  await writeVideo(file('short-10.mkv'), shortFrames, 10, 24, 32, { codec: 'ffv1' });
  await writeVideo(file('one-frame.mkv'), shortFrames.subarray(0, 24 * 32 * 3), 1, 24, 32, { codec: 'ffv1' });
}, 120_000);
afterAll(() => folder.remove());

describe('odd sizes, frame rates and formats: handled as the official loader does', () => {
  it.each([
    ['720x528.mp4', 720, 528, { width: 44, height: 32 }],
    ['320x240.mp4', 320, 240, { width: 43, height: 32 }],
    ['odd-321x241.mkv', 321, 241, { width: 43, height: 32 }],
  ])('%s: probed at its size, decoded with the shorter side scaled, cropped into a batch', async (name, width, height, decoded) => {
    const info = await probeVideo(file(name));
    expect([info.width, info.height]).toEqual([width, height]);
    const source = videoFileSource([{ path: file(name) }], { decodeSize: { shorterSide: 32 }, framesPerClip: 8, frameStep: 2 });
    const clip = (await source.get(0, new RandomStream(0)))!;
    expect({ width: clip.width, height: clip.height, numFrames: clip.numFrames }).toEqual({ ...decoded, numFrames: 8 });
    const loader = new ClipLoader(source, { batchSize: 1, transform: pretrainingTransform({ cropSize: 16 }), onWarning: () => expect.unreachable() });
    expect((await loader.next()).shape).toEqual([1, 8, 16, 16, 3]);
  });

  it('odd widths decode exactly at their native size', async () => {
    const source = videoFileSource([{ path: file('odd-321x241.mkv') }], { framesPerClip: 4, frameStep: 5 });
    const clip = (await source.get(0, new RandomStream(1)))!;
    const size = ODD.height * ODD.width * 3;
    clip.frameIndices!.forEach((index, t) => {
      expect(Buffer.compare(clip.frames.subarray(t * size, (t + 1) * size), frameAt(oddFrames, index, ODD.height, ODD.width))).toBe(0);
    });
  });

  it('variable frame rate: frames are indexed in decode order, none duplicated or dropped (as decord does)', async () => {
    const info = await probeVideo(file('vfr.mkv'));
    expect(info.frameCount).toBe(VFR_FRAMES);
    const source = videoFileSource([{ path: file('vfr.mkv') }], { sampler: () => [0, 9, 10, 11, 29] });
    const clip = (await source.get(0, new RandomStream(0)))!;
    const size = 24 * 32 * 3;
    [0, 9, 10, 11, 29].forEach((index, t) => {
      expect(Buffer.compare(clip.frames.subarray(t * size, (t + 1) * size), frameAt(vfrFrames, index, 24, 32))).toBe(0);
    });
  });

  it('rotation metadata: the frames come upright (ffmpeg applies the display matrix), sides swapped', async () => {
    const info = await probeVideo(file('rotated.mp4'));
    expect([info.width, info.height]).toEqual([240, 320]);
    const clip = (await videoFileSource([{ path: file('rotated.mp4') }], { framesPerClip: 2, frameStep: 2 }).get(0, new RandomStream(0)))!;
    expect([clip.width, clip.height]).toEqual([240, 320]);
    expect(clip.frames.length).toBe(2 * 240 * 320 * 3);
  });

  it('grayscale: decoded to RGB with equal channels', async () => {
    const clip = (await videoFileSource([{ path: file('gray.mkv') }], { framesPerClip: 4, frameStep: 2 }).get(0, new RandomStream(0)))!;
    expect([clip.width, clip.height, clip.numFrames]).toEqual([64, 48, 4]);
    let spread = 0;
    for (let p = 0; p < clip.frames.length; p += 3) {
      expect(clip.frames[p]).toBe(clip.frames[p + 1]);
      expect(clip.frames[p]).toBe(clip.frames[p + 2]);
      spread = Math.max(spread, clip.frames[p]);
    }
    expect(spread).toBeGreaterThan(100); // a picture, not a blank
  });

  it('10-bit: decoded to 8-bit RGB, close to the 8-bit encoding of the same picture', async () => {
    const options = { framesPerClip: 4, frameStep: 2, sampler: () => [0, 5, 10, 15] };
    const ten = (await videoFileSource([{ path: file('10bit.mp4') }], options).get(0, new RandomStream(0)))!;
    const eight = (await videoFileSource([{ path: file('8bit.mp4') }], options).get(0, new RandomStream(0)))!;
    expect([ten.width, ten.height, ten.numFrames]).toEqual([64, 48, 4]);
    let sum = 0;
    for (let k = 0; k < ten.frames.length; k++) sum += Math.abs(ten.frames[k] - eight.frames[k]);
    expect(sum / ten.frames.length).toBeLessThan(6); // codec noise only (mean absolute difference, 0–255)
  });

  it('shorter than a clip: the official rule (linspace over the video, padded with its last frame)', async () => {
    // 10 frames, 16 per clip, step 4: linspace(0, 10, 10 // 4 = 2) = [0, 10], padded with 10, clipped to 9.
    // (minBytes 0: the one-frame file is under the official 1 KiB floor, which would skip it.)
    const source = videoFileSource([{ path: file('short-10.mkv') }, { path: file('one-frame.mkv') }], { minBytes: 0 });
    const clip = (await source.get(0, new RandomStream(0)))!;
    expect(clip.frameIndices).toEqual([0, ...Array(15).fill(9)]);
    expect(clip.numFrames).toBe(16);
    expect(Buffer.compare(clip.frames.subarray(15 * 24 * 32 * 3), frameAt(shortFrames, 9, 24, 32))).toBe(0);
    // One frame: linspace(0, 1, 0) is empty, so every index is the padding 1, clipped to 0.
    expect((await source.get(1, new RandomStream(0)))!.frameIndices).toEqual(Array(16).fill(0));
  });
});

describe('files that are not usable videos', () => {
  it('audio-only: skipped with one warning and counted; the other files train', async () => {
    const reason = await videoFileSource([{ path: file('audio-only.mp4') }]).get(0, new RandomStream(0)).catch((e) => e);
    expect(reason).toBeInstanceOf(UnreadableClipError);
    expect((reason as UnreadableClipError).reason).toMatch(/matches no streams|no video stream/);
    const warnings: string[] = [];
    const source = videoFileSource([{ path: file('audio-only.mp4') }, { path: file('gray.mkv') }], { framesPerClip: 4, frameStep: 2 });
    const loader = new ClipLoader(source, { batchSize: 2, transform: pretrainingTransform({ cropSize: 16 }), onWarning: (m) => warnings.push(m) });
    for (let k = 0; k < 3; k++) expect((await loader.next()).names).toEqual([file('gray.mkv'), file('gray.mkv')]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(JSON.stringify(file('audio-only.mp4')));
    expect(loader.metrics.skipped).toBe(1);
  });
});

describe('an ffmpeg that goes missing or is killed mid-run', () => {
  // A wrapper around the system ffmpeg that kills itself (SIGKILL, as the OOM killer would) while a flag
  // file exists; `-version` (the feature probe) always works.
  const wrapper = file('bin/ffmpeg');
  const flag = file('kill-ffmpeg');
  const hang = file('hang-ffmpeg');

  beforeAll(() => {
    spawnSync('mkdir', ['-p', path.dirname(wrapper)]);
    writeFileSync(
      wrapper,
      `#!/bin/sh\ncase "$*" in *-version*) exec ${ffmpegPath} "$@";; esac\n[ -e ${flag} ] && kill -9 $$\n[ -e ${hang} ] && exec sleep 30\nexec ${ffmpegPath} "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
  });

  const loaderOver = () => {
    const source = videoFileSource([{ path: file('gray.mkv') }, { path: file('320x240.mp4') }], {
      ffmpeg: { path: wrapper }, decodeSize: { shorterSide: 16 }, framesPerClip: 4, frameStep: 2,
    });
    return new ClipLoader(source, { batchSize: 2, prefetch: 0, transform: pretrainingTransform({ cropSize: 16 }), onWarning: () => expect.unreachable() });
  };

  it('killed: a clear error naming the file and the signal, the file is not skipped, a retry works', async () => {
    const loader = loaderOver();
    expect((await loader.next()).shape).toEqual([2, 4, 16, 16, 3]);
    writeFileSync(flag, '');
    const error = await loader.next().catch((e) => e);
    rmSync(flag);
    expect(error).toBeInstanceOf(FfmpegFailedError);
    expect(error.message).toMatch(/^ffmpeg: expected to finish (probing|decoding) ".*(gray\.mkv|320x240\.mp4)", received a kill by SIGKILL \(not a fault of the file/);
    expect(loader.metrics.skipped).toBe(0);
    expect((await loader.next()).shape).toEqual([2, 4, 16, 16, 3]); // retried: works
    expect(loader.metrics.skipped).toBe(0);
  });

  it('hanging: killed after timeoutMs, the file skipped as unreadable with the reason', async () => {
    writeFileSync(hang, '');
    try {
      const source = videoFileSource([{ path: file('gray.mkv') }], { ffmpeg: { path: wrapper }, timeoutMs: 300 });
      const error = await source.get(0, new RandomStream(0)).catch((e) => e);
      expect(error).toBeInstanceOf(UnreadableClipError);
      expect((error as UnreadableClipError).reason).toBe('ffmpeg took longer than 300 ms to probe it');
    } finally {
      rmSync(hang);
    }
  });

  it('missing: a clear error with what to install, before any work or mid-run; a retry works once it is back', async () => {
    expect(() => videoFileSource([{ path: file('gray.mkv') }], { ffmpeg: { path: file('bin/no-such-ffmpeg') } })).toThrow(/ffmpeg/);
    const loader = loaderOver();
    await loader.next();
    const aside = `${wrapper}.aside`;
    renameSync(wrapper, aside);
    try {
      const error = await loader.next().catch((e) => e);
      expect(error).toBeInstanceOf(FfmpegFailedError);
      expect(error.message).toMatch(/^ffmpeg: could not run .*bin\/ffmpeg \(spawn .*ENOENT\)/);
      expect(loader.metrics.skipped).toBe(0);
    } finally {
      renameSync(aside, wrapper);
    }
    expect(existsSync(wrapper)).toBe(true);
    expect((await loader.next()).shape).toEqual([2, 4, 16, 16, 3]);
  });
});
