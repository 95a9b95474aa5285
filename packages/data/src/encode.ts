/**
 * Writing frames to a video file with ffmpeg (raw rgb24 on stdin): to export a synthetic set for the
 * official code, to save what the model saw, and to make test videos.
 *
 * @packageDocumentation
 */
import { fail, IoError, VjepaError } from '@vjepa/core';
import { ffmpegErrorSummary, runFfmpeg } from './ffmpeg';
import { toBinary, type FfmpegRunOptions } from './probe';

/** Options of {@link writeVideo}. */
export interface WriteVideoOptions extends FfmpegRunOptions {
  /** Frames per second; default 25. */
  fps?: number;
  /** `'ffv1'` (lossless RGB, for .mkv/.avi) or `'h264'` (libx264, for .mp4/.mkv); default `'h264'`. */
  codec?: 'ffv1' | 'h264';
  /** libx264 constant rate factor, 0 (best) … 51; default 12. */
  crf?: number;
  /** libx264 pixel format; default `'yuv420p'` (widest support; needs even sides), `'yuv444p'` keeps colour detail. */
  pixelFormat?: string;
  /** For .mp4/.mov: put the index (moov) before the data, for streaming; default false (ffmpeg's default). */
  faststart?: boolean;
}

/**
 * Encodes `frames` (`(numFrames, height, width, 3)` uint8 RGB) into `file`, overwriting it.
 *
 * @example
 * ```ts
 * await writeVideo('/tmp/clip.mkv', clip.frames, clip.numFrames, clip.height, clip.width, { codec: 'ffv1' });
 * ```
 * @throws VjepaError naming ffmpeg's complaint when encoding fails.
 */
export async function writeVideo(
  file: string,
  frames: Uint8Array,
  numFrames: number,
  height: number,
  width: number,
  options: WriteVideoOptions = {},
): Promise<void> {
  const { fps = 25, codec = 'h264', crf = 12, pixelFormat = 'yuv420p', faststart = false, timeoutMs } = options;
  for (const [name, value] of [['numFrames', numFrames], ['height', height], ['width', width]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) fail(name, 'a positive integer', value);
  }
  if (!(frames instanceof Uint8Array) || frames.length !== numFrames * height * width * 3) {
    fail('frames', `a Uint8Array of ${numFrames}·${height}·${width}·3 bytes`, frames);
  }
  if (!(fps > 0)) fail('fps', 'a positive number', fps);
  if (codec !== 'ffv1' && codec !== 'h264') fail('codec', `'ffv1' or 'h264'`, codec);
  if (!Number.isInteger(crf) || crf < 0 || crf > 51) fail('crf', 'an integer in [0, 51]', crf);
  const encoder = codec === 'ffv1' ? ['-c:v', 'ffv1'] : ['-c:v', 'libx264', '-preset', 'fast', '-crf', String(crf), '-pix_fmt', pixelFormat];
  const args = [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0',
    ...encoder, ...(faststart ? ['-movflags', '+faststart'] : []), '-frames:v', String(numFrames), file,
  ];
  const result = await runFfmpeg(toBinary(options.ffmpeg), args, { timeoutMs, stdin: frames });
  if (result.code !== 0) throw new IoError(`${file}: ffmpeg could not write the video (${ffmpegErrorSummary(result.stderr)})`);
}
