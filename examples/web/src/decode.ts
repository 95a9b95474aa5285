import { ALL_FORMATS, BlobSource, CanvasSink, EncodedPacketSink, Input } from 'mediabunny';
import { MAX_DECODED_FRAMES, MAX_DECODE_SIDE } from './settings';

/** Every decoded frame of a video (up to {@link MAX_DECODED_FRAMES}), as RGB bytes. */
export interface DecodedVideo {
  name: string;
  width: number;
  height: number;
  /** One `height · width · 3` RGB array per frame, in presentation order. */
  frames: Uint8Array[];
  /** How the frames were decoded. */
  method: 'WebCodecs' | '<video> + canvas';
  /** Why WebCodecs was not used, when it was not. */
  fallbackReason?: string;
}

/** The decode size: the video's own, its shorter side scaled down to {@link MAX_DECODE_SIDE} when larger. */
function decodeSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, MAX_DECODE_SIDE / Math.min(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function rgbOf(context: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D, width: number, height: number): Uint8Array {
  const rgba = context.getImageData(0, 0, width, height).data;
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    rgb[p * 3] = rgba[p * 4];
    rgb[p * 3 + 1] = rgba[p * 4 + 1];
    rgb[p * 3 + 2] = rgba[p * 4 + 2];
  }
  return rgb;
}

/** WebCodecs' VideoDecoder, fed by mediabunny's demuxer (MP4, WebM, MOV, …). */
async function decodeWithWebCodecs(file: Blob, name: string): Promise<DecodedVideo> {
  if (typeof VideoDecoder === 'undefined') throw new Error('this browser has no WebCodecs VideoDecoder');
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  try {
    const track = await input.getPrimaryVideoTrack();
    if (track === null) throw new Error('the file has no video track');
    if (!(await track.canDecode())) throw new Error(`WebCodecs cannot decode its codec (${track.codec ?? 'unknown'})`);
    const { width, height } = decodeSize(track.displayWidth, track.displayHeight);
    const sink = new CanvasSink(track, { width, height, fit: 'fill', poolSize: 1 });
    const frames: Uint8Array[] = [];
    for await (const { canvas } of sink.canvases()) {
      const context = canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
      frames.push(rgbOf(context, width, height));
      if (frames.length >= MAX_DECODED_FRAMES) break;
    }
    if (frames.length === 0) throw new Error('no frame decoded');
    return { name, width, height, frames, method: 'WebCodecs' };
  } finally {
    input.dispose();
  }
}

function once(target: EventTarget, event: string): Promise<void> {
  return new Promise((resolve, reject) => {
    target.addEventListener(event, () => resolve(), { once: true });
    target.addEventListener('error', () => reject(new Error(`the <video> element could not ${event === 'seeked' ? 'seek' : 'load'} the file`)), { once: true });
  });
}

/**
 * The middle of each frame's display interval, in seconds, from the container (demuxing is plain JavaScript,
 * so it works where WebCodecs does not); `undefined` when the container cannot be read.
 */
async function frameTimes(file: Blob): Promise<number[] | undefined> {
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  try {
    const track = await input.getPrimaryVideoTrack();
    if (track === null) return undefined;
    const times: number[] = [];
    for await (const packet of new EncodedPacketSink(track).packets()) times.push(packet.timestamp + packet.duration / 2);
    return times.sort((a, b) => a - b).slice(0, MAX_DECODED_FRAMES);
  } catch {
    return undefined;
  } finally {
    input.dispose();
  }
}

/**
 * The fallback: seek a `<video>` element to each frame (the frame times of the container, or every 1/30 s
 * when it cannot be read) and draw each frame on a canvas.
 */
async function decodeWithVideoElement(file: Blob, name: string, fallbackReason: string): Promise<DecodedVideo> {
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  const url = URL.createObjectURL(file);
  try {
    const loaded = once(video, 'loadeddata');
    video.src = url;
    await loaded;
    const { width, height } = decodeSize(video.videoWidth, video.videoHeight);
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    const fps = 30;
    const count = Math.min(MAX_DECODED_FRAMES, Math.max(1, Math.floor(video.duration * fps)));
    const times = (await frameTimes(file)) ?? Array.from({ length: count }, (_, f) => (f + 0.5) / fps);
    const frames: Uint8Array[] = [];
    for (const time of times) {
      const seeked = once(video, 'seeked');
      video.currentTime = time;
      await seeked;
      context.drawImage(video, 0, 0, width, height);
      frames.push(rgbOf(context, width, height));
    }
    return { name, width, height, frames, method: '<video> + canvas', fallbackReason };
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * Decodes a video file in the browser: WebCodecs where the browser has it and knows the codec, else `<video>`
 * + canvas. `preferVideoElement` skips WebCodecs (the page's `?decoder=video`, to try the fallback).
 */
export async function decodeVideo(file: Blob, name: string, preferVideoElement = false): Promise<DecodedVideo> {
  if (preferVideoElement) return decodeWithVideoElement(file, name, 'asked for <video> + canvas (?decoder=video)');
  try {
    return await decodeWithWebCodecs(file, name);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return decodeWithVideoElement(file, name, reason);
  }
}
