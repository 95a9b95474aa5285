/**
 * Decoding selected frames with ffmpeg: a `select` filter keeps only the wanted frame numbers, `scale`
 * resizes inside ffmpeg, frames pass through without duplication (`-fps_mode passthrough`, `-vsync 0` on
 * older builds), and `-frames:v` stops decoding after the last wanted frame. The output is raw rgb24 on
 * stdout, read into one preallocated `Uint8Array (T, H, W, 3)`.
 *
 * @packageDocumentation
 */
import { fail } from '@vjepa/core';
import { ffmpegErrorSummary, passthroughArgs, runFfmpeg, throwIfKilled } from './ffmpeg';
import { probeVideo, toBinary, type FfmpegRunOptions, type VideoInfo } from './probe';
import { UnreadableClipError } from './types';

/** Frames decoded from a file: `frames` is `(numFrames, height, width, 3)` uint8 RGB. */
export interface DecodedFrames {
  /** Pixel data. */
  frames: Uint8Array;
  /** T. */
  numFrames: number;
  /** H. */
  height: number;
  /** W. */
  width: number;
}

/** Options of {@link decodeFrames} and {@link decodeVideo}. */
export interface DecodeOptions extends FfmpegRunOptions {
  /** Output size, scaled by ffmpeg (bilinear); default the native size (then the file is probed first). */
  size?: { width: number; height: number };
  /** The file's probe, if already known, to skip probing for the native size. */
  info?: VideoInfo;
}

/** Thrown when a file gave fewer frames than requested (truncated, or fewer frames than probed). */
export class TruncatedVideoError extends UnreadableClipError {
  /** Distinct frames requested. */
  readonly requested: number;
  /** Distinct frames ffmpeg produced. */
  readonly decoded: number;

  /**
   * @param item - the file.
   * @param requested - how many distinct frames were asked for.
   * @param decoded - how many came.
   * @param detail - ffmpeg's last error line, if any.
   */
  constructor(item: string, requested: number, decoded: number, detail: string) {
    super(item, `decoded ${decoded} of ${requested} requested frames${detail === '' ? '' : `: ${detail}`}`);
    this.requested = requested;
    this.decoded = decoded;
  }
}

/**
 * The `select` expression keeping frame numbers `sorted` (ascending, distinct): runs of consecutive
 * numbers become `between(n\,a\,b)`, single ones `eq(n\,a)` — commas escaped for the filtergraph.
 */
export function selectExpression(sorted: readonly number[]): string {
  const terms: string[] = [];
  let start = 0;
  while (start < sorted.length) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end] + 1) end++;
    terms.push(end === start ? `eq(n\\,${sorted[start]})` : `between(n\\,${sorted[start]}\\,${sorted[end]})`);
    start = end + 1;
  }
  return `select='${terms.join('+')}'`;
}

function checkSize(size: { width: number; height: number }): void {
  const ok = [size.width, size.height].every((side) => Number.isSafeInteger(side) && side > 0);
  if (!ok) fail('size', '{ width, height } of positive integers', size);
}

/**
 * Decodes the frames numbered `indices` (0-based decode order; repeats allowed, any order) of the
 * first video stream of `file`, returned in the order of `indices`.
 *
 * @example
 * ```ts
 * const clip = await decodeFrames('video.mp4', [0, 4, 8, 12], { size: { width: 224, height: 224 } });
 * clip.frames.length; // 4 · 224 · 224 · 3
 * ```
 * @throws UnreadableClipError when ffmpeg fails; {@link TruncatedVideoError} when frames are missing.
 */
export async function decodeFrames(file: string, indices: readonly number[], options: DecodeOptions = {}): Promise<DecodedFrames> {
  if (!Array.isArray(indices) || indices.length === 0 || !indices.every((index) => Number.isSafeInteger(index) && index >= 0)) {
    fail('indices', 'a non-empty array of non-negative integers', indices);
  }
  const binary = toBinary(options.ffmpeg);
  const size = options.size ?? (options.info ?? (await probeVideo(file, { ffmpeg: binary, timeoutMs: options.timeoutMs })));
  checkSize(size);
  const unique = [...new Set(indices)].sort((a, b) => a - b);
  const frameBytes = size.width * size.height * 3;
  const filters = `${selectExpression(unique)},scale=${size.width}:${size.height}:flags=bilinear`;
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-i', file, '-map', '0:v:0',
    '-vf', filters, ...passthroughArgs(binary), '-frames:v', String(unique.length),
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
  ];
  const result = await runFfmpeg(binary, args, { timeoutMs: options.timeoutMs, stdoutBytes: unique.length * frameBytes });
  if (result.timedOut) throw new UnreadableClipError(file, `ffmpeg took longer than ${options.timeoutMs ?? 120_000} ms to decode it`);
  throwIfKilled(result, file, 'decoding');
  const decoded = Math.floor(result.stdout.length / frameBytes);
  if (decoded < unique.length) {
    if (decoded === 0 && result.code !== 0) throw new UnreadableClipError(file, ffmpegErrorSummary(result.stderr, file));
    throw new TruncatedVideoError(file, unique.length, decoded, result.stderr.trim() === '' ? '' : ffmpegErrorSummary(result.stderr, file));
  }
  const frames = new Uint8Array(indices.length * frameBytes);
  const slot = new Map(unique.map((index, position) => [index, position]));
  indices.forEach((index, t) => {
    const from = (slot.get(index) as number) * frameBytes;
    frames.set(result.stdout.subarray(from, from + frameBytes), t * frameBytes);
  });
  return { frames, numFrames: indices.length, height: size.height, width: size.width };
}

/** Decodes every frame of `file` (probing it first), optionally scaled to `size`. */
export async function decodeVideo(file: string, options: DecodeOptions = {}): Promise<DecodedFrames> {
  const binary = toBinary(options.ffmpeg);
  const info = options.info ?? (await probeVideo(file, { ffmpeg: binary, timeoutMs: options.timeoutMs, method: 'decode' }));
  const indices = Array.from({ length: info.frameCount }, (_, index) => index);
  return decodeFrames(file, indices, { ...options, ffmpeg: binary, info });
}
