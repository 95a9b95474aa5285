import { decodeFrames, probeVideo } from '@vjepa/data';
import type { Vjepa2VideoFrames } from './classify-video';

/**
 * A {@link Vjepa2VideoFrames} over a video file (Node, ffmpeg): its frames counted once (decoded, as
 * the official loader counts them), then only the frames a segment needs decoded.
 *
 * @throws UnreadableClipError (a DataError, exit 1) when ffmpeg cannot read it.
 */
export async function videoFileFrames(path: string): Promise<Vjepa2VideoFrames> {
  const info = await probeVideo(path, { method: 'decode' });
  return {
    name: path,
    numFrames: info.frameCount,
    read: async (indices) => decodeFrames(path, indices, { info }),
  };
}
