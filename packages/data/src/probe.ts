/**
 * Probing a video with ffmpeg alone (the npm-shipped build has no ffprobe): one `ffmpeg -i FILE -map 0:v:0
 * -c copy -f null -progress pipe:1 -` run gives the stream header on stderr (size, fps, duration,
 * rotation) and, on stdout, the number of video packets read to the end of the file — the frame count
 * without decoding anything. `method: 'decode'` decodes every frame instead (exact even for formats where
 * packets and frames differ, and slower); the file source falls back to it when a decode comes up short.
 *
 * @packageDocumentation
 */
import { fail } from '@vjepa/core';
import { ffmpegErrorSummary, passthroughArgs, resolveFfmpeg, runFfmpeg, throwIfKilled, type FfmpegBinary, type FfmpegChoice } from './ffmpeg';
import { UnreadableClipError } from './types';

/** What {@link probeVideo} learns about the first video stream of a file. */
export interface VideoInfo {
  /** Number of frames (packets with `method: 'packets'`, decoded frames with `'decode'`). */
  frameCount: number;
  /** Frame width as decoded (after ffmpeg's automatic rotation). */
  width: number;
  /** Frame height as decoded (after ffmpeg's automatic rotation). */
  height: number;
  /** Frames per second from the header (`fps`, else `tbr`); NaN when absent. */
  fps: number;
  /** Duration from the container header in seconds; NaN when absent. */
  durationSeconds: number;
  /** Codec name, e.g. `h264`. */
  codec: string;
  /** How `frameCount` was obtained. */
  method: ProbeMethod;
}

/** `'packets'`: count packets with stream copy (fast, no decoding); `'decode'`: decode and count frames. */
export type ProbeMethod = 'packets' | 'decode';

/** Options shared by probing and decoding. */
export interface FfmpegRunOptions {
  /** Which ffmpeg (see {@link FfmpegChoice}) or an already resolved one; default `'auto'`. */
  ffmpeg?: FfmpegChoice | FfmpegBinary;
  /** Kill ffmpeg after this many milliseconds; default 120 000. */
  timeoutMs?: number;
}

/** Options of {@link probeVideo}. */
export interface ProbeOptions extends FfmpegRunOptions {
  /** How to count frames; default `'packets'`. */
  method?: ProbeMethod;
}

/** A resolved binary from an option that may be a choice or a resolved binary already. */
export function toBinary(ffmpeg: FfmpegChoice | FfmpegBinary | undefined): FfmpegBinary {
  if (typeof ffmpeg === 'object' && ffmpeg !== null && 'origin' in ffmpeg) return ffmpeg;
  return resolveFfmpeg(ffmpeg ?? 'auto');
}

/** The header fields of the first video stream in ffmpeg's `-i` output, or null when there is none. */
export function parseStreamHeader(stderr: string): Omit<VideoInfo, 'frameCount' | 'method'> | null {
  const stream = /Stream #\d+:\d+[^\n]*?: Video: ([^\n]*)/.exec(stderr);
  if (stream === null) return null;
  const description = stream[1];
  const size = /(?:^|[\s,])(\d+)x(\d+)(?=[\s,[]|$)/.exec(description);
  if (size === null) return null;
  let width = Number(size[1]);
  let height = Number(size[2]);
  const rate = /(\d+(?:\.\d+)?)(k?) fps/.exec(description) ?? /(\d+(?:\.\d+)?)(k?) tbr/.exec(description);
  const fps = rate === null ? NaN : Number(rate[1]) * (rate[2] === 'k' ? 1000 : 1);
  const duration = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(stderr);
  const durationSeconds = duration === null ? NaN : Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]);
  // ffmpeg rotates frames by the display matrix when decoding, so a quarter turn swaps the sides.
  const rotation = /rotate\s*:\s*(-?\d+(?:\.\d+)?)/.exec(stderr) ?? /rotation of (-?\d+(?:\.\d+)?) degrees/.exec(stderr);
  if (rotation !== null && Math.abs(Math.round(Number(rotation[1]) / 90)) % 2 === 1) [width, height] = [height, width];
  const codec = /^([\w-]+)/.exec(description)?.[1] ?? 'unknown';
  return { width, height, fps, durationSeconds, codec };
}

/** The last `frame=N` of ffmpeg's `-progress` output. */
function lastFrameCount(progress: string): number | null {
  const matches = [...progress.matchAll(/^frame=\s*(\d+)\s*$/gm)];
  return matches.length === 0 ? null : Number(matches[matches.length - 1][1]);
}

/**
 * Frame count, size, fps and duration of the first video stream of `file`.
 *
 * @throws UnreadableClipError when ffmpeg cannot open the file, it has no video stream or no frame.
 */
export async function probeVideo(file: string, options: ProbeOptions = {}): Promise<VideoInfo> {
  const { method = 'packets', timeoutMs } = options;
  if (method !== 'packets' && method !== 'decode') fail('method', `'packets' or 'decode'`, method);
  const binary = toBinary(options.ffmpeg);
  const counting = method === 'packets' ? ['-c', 'copy'] : passthroughArgs(binary);
  const args = ['-hide_banner', '-nostdin', '-i', file, '-map', '0:v:0', ...counting, '-f', 'null', '-progress', 'pipe:1', '-nostats', '-'];
  const result = await runFfmpeg(binary, args, { timeoutMs });
  if (result.timedOut) throw new UnreadableClipError(file, `ffmpeg took longer than ${timeoutMs ?? 120_000} ms to probe it`);
  throwIfKilled(result, file, 'probing');
  const header = parseStreamHeader(result.stderr);
  const frameCount = lastFrameCount(new TextDecoder().decode(result.stdout));
  const counted = result.code === 0 && frameCount !== null && frameCount > 0;
  // A stream that opens but cannot be stream-copied (e.g. a raw elementary stream without timestamps)
  // may still decode: count it by decoding before calling it unreadable.
  if (header !== null && !counted && method === 'packets') return probeVideo(file, { ...options, ffmpeg: binary, method: 'decode' });
  if (header === null || result.code !== 0) {
    throw new UnreadableClipError(file, header === null && result.code === 0 ? 'no video stream' : ffmpegErrorSummary(result.stderr, file));
  }
  if (!counted) throw new UnreadableClipError(file, 'no video frames');
  return { ...header, frameCount: frameCount as number, method };
}
