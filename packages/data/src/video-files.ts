/**
 * A {@link ClipSource} over video files on disk: for each item, check the file, probe it once (cached),
 * pick frame indices with the official sampler, and decode just those frames with ffmpeg. Every way a
 * file can be bad (missing, unreadable, smaller than `minBytes`, truncated, not a video) becomes an
 * {@link UnreadableClipError}, which the loader turns into one warning and a skip.
 *
 * @packageDocumentation
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { checkKeys, optionKeys, fail, type RandomStream } from '@vjepa/core';
import { decodeFrames, TruncatedVideoError } from './decode';
import type { FfmpegChoice } from './ffmpeg';
import { probeVideo, toBinary, type ProbeMethod, type VideoInfo } from './probe';
import { pretrainingSampler, type FrameSampler } from './sampling';
import { UnreadableClipError, type Clip, type ClipSource } from './types';

/** One video of a file list: its path and integer labels. */
export interface VideoEntry {
  /** Path of the video file (absolute, or relative to the working directory). */
  path: string;
  /** Integer labels by name, e.g. `{ label: 3 }`; default none. */
  labels?: Record<string, number>;
}

/** Decoded frame size: exact `{ width, height }`, or `{ shorterSide }` keeping the aspect ratio. */
export type DecodeSize = { width: number; height: number } | { shorterSide: number };

/** Options of {@link videoFileSource} (and of the CSV and folder sources built on it). */
export interface VideoFileOptions {
  /** Which ffmpeg; default `'auto'` (FFMPEG_PATH, PATH, then the npm package). */
  ffmpeg?: FfmpegChoice;
  /** Frame picker; default the official pretraining rule (16 frames, step 4). */
  sampler?: FrameSampler;
  /**
   * Clip length in seconds overriding the step of the default sampler: `step = int(seconds · fps / frames)`
   * (the official `clip_duration`); default none.
   */
  clipDurationSeconds?: number;
  /** Frames per clip of the default sampler; default 16. */
  framesPerClip?: number;
  /** Step of the default sampler; default 4. */
  frameStep?: number;
  /** Scale frames inside ffmpeg while decoding (cheaper than decoding full size); default native size. */
  decodeSize?: DecodeSize;
  /** Files smaller than this are skipped, as the official loader does below 1 KiB; default 1024. */
  minBytes?: number;
  /** How frame counts are probed; default `'packets'` (with a decoding re-probe when a file comes up short). */
  probe?: ProbeMethod;
  /** Kill an ffmpeg run after this many milliseconds; default 120 000. */
  timeoutMs?: number;
  /** Description for messages; default `"N video files"`. */
  description?: string;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** Rejects a path that is not a readable regular file of at least `minBytes`, with the reason. */
async function checkFile(file: string, minBytes: number): Promise<void> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new UnreadableClipError(file, 'not a regular file');
    size = info.size;
  } catch (error) {
    if (error instanceof UnreadableClipError) throw error;
    const code = errorCode(error);
    throw new UnreadableClipError(file, code === 'ENOENT' ? 'file not found' : `cannot stat (${code ?? String(error)})`, { cause: error });
  }
  try {
    await access(file, constants.R_OK);
  } catch (error) {
    throw new UnreadableClipError(file, 'permission denied', { cause: error });
  }
  if (size === 0) throw new UnreadableClipError(file, 'file is empty (0 bytes)');
  if (size < minBytes) throw new UnreadableClipError(file, `file too small (${size} bytes < ${minBytes})`);
}

function targetSize(info: VideoInfo, decodeSize: DecodeSize | undefined): { width: number; height: number } {
  if (decodeSize === undefined) return { width: info.width, height: info.height };
  if ('shorterSide' in decodeSize) {
    const side = decodeSize.shorterSide;
    const scale = side / Math.min(info.width, info.height);
    return info.width <= info.height
      ? { width: side, height: Math.max(1, Math.round(info.height * scale)) }
      : { width: Math.max(1, Math.round(info.width * scale)), height: side };
  }
  return decodeSize;
}

function checkOptions(options: VideoFileOptions): void {
  const { minBytes = 1024, clipDurationSeconds, decodeSize } = options;
  if (!Number.isSafeInteger(minBytes) || minBytes < 0) fail('minBytes', 'a non-negative integer', minBytes);
  if (clipDurationSeconds !== undefined && !(clipDurationSeconds > 0)) fail('clipDurationSeconds', 'a positive number', clipDurationSeconds);
  if (decodeSize !== undefined) {
    const sides = 'shorterSide' in decodeSize ? [decodeSize.shorterSide] : [decodeSize.width, decodeSize.height];
    if (!sides.every((side) => Number.isSafeInteger(side) && side > 0)) fail('decodeSize', '{ width, height } or { shorterSide } of positive integers', decodeSize);
  }
}

/** Every key of {@link VideoFileOptions}. */
export const VIDEO_FILE_OPTION_KEYS = optionKeys<VideoFileOptions>({
    ffmpeg: true, sampler: true, clipDurationSeconds: true, framesPerClip: true, frameStep: true, decodeSize: true,
    minBytes: true, probe: true, timeoutMs: true, description: true,
  });

/**
 * A source over `entries` (videos with labels). Item `i` is a clip of `entries[i]` sampled by
 * `options.sampler` (default: the official pretraining rule), decoded by ffmpeg.
 *
 * @example
 * ```ts
 * const source = videoFileSource([{ path: 'a.mp4', labels: { label: 0 } }], { decodeSize: { shorterSide: 256 } });
 * const clip = await source.get(0, new RandomStream(0));
 * ```
 * @throws VjepaError at once when ffmpeg cannot be found or an option is invalid.
 */
export function videoFileSource(entries: readonly VideoEntry[], options: VideoFileOptions = {}): ClipSource {
  if (!Array.isArray(entries)) fail('entries', 'an array of { path, labels }', entries);
  checkKeys('options', options, VIDEO_FILE_OPTION_KEYS);
  entries.forEach((entry, index) => {
    if (typeof entry?.path !== 'string' || entry.path === '') fail(`entries[${index}].path`, 'a non-empty string', entry?.path);
  });
  checkOptions(options);
  const binary = toBinary(options.ffmpeg ?? 'auto');
  const { minBytes = 1024, probe = 'packets', timeoutMs, decodeSize, clipDurationSeconds } = options;
  const framesPerClip = options.framesPerClip ?? 16;
  const probes = new Map<string, VideoInfo>();

  function samplerFor(info: VideoInfo): FrameSampler {
    if (options.sampler !== undefined) return options.sampler;
    let frameStep = options.frameStep ?? 4;
    if (clipDurationSeconds !== undefined && Number.isFinite(info.fps)) {
      frameStep = Math.max(1, Math.trunc((clipDurationSeconds * info.fps) / framesPerClip));
    }
    return pretrainingSampler({ framesPerClip, frameStep });
  }

  async function probeOnce(file: string, method: ProbeMethod): Promise<VideoInfo> {
    const known = probes.get(file);
    if (known !== undefined && (method === 'packets' || known.method === 'decode')) return known;
    const info = await probeVideo(file, { ffmpeg: binary, timeoutMs, method });
    probes.set(file, info);
    return info;
  }

  async function read(entry: VideoEntry, rng: RandomStream, method: ProbeMethod): Promise<Clip> {
    const info = await probeOnce(entry.path, method);
    const indices = samplerFor(info)(info.frameCount, rng);
    const decoded = await decodeFrames(entry.path, indices, { ffmpeg: binary, timeoutMs, size: targetSize(info, decodeSize) });
    return { ...decoded, labels: { ...(entry.labels ?? {}) }, name: entry.path, frameIndices: indices };
  }

  return {
    size: entries.length,
    description: options.description ?? `${entries.length} video files`,
    async get(index, rng) {
      if (!Number.isSafeInteger(index) || index < 0 || index >= entries.length) fail('index', `an integer in [0, ${entries.length - 1}]`, index);
      const entry = entries[index];
      await checkFile(entry.path, minBytes);
      try {
        return await read(entry, rng.fork('frames'), probe);
      } catch (error) {
        // Packet counts can exceed what decodes (a truncated tail): count by decoding, then sample again.
        if (!(error instanceof TruncatedVideoError) || probes.get(entry.path)?.method === 'decode') throw error;
        return read(entry, rng.fork('frames-after-recount'), 'decode');
      }
    },
    labelsOf(index) {
      if (!Number.isSafeInteger(index) || index < 0 || index >= entries.length) fail('index', `an integer in [0, ${entries.length - 1}]`, index);
      return { ...(entries[index].labels ?? {}) };
    },
  };
}
