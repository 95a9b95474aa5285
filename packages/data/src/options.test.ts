import { describe, expect, it } from 'vitest';
import { ClipLoader } from './loader';
import { openClipSource } from './open';
import { sampleClipIndices } from './sampling';
import { syntheticSource } from './synthetic';
import { evalTransform, pretrainingTransform } from './transforms';
import { videoFileSource } from './video-files';

describe('data entry points refuse unknown option keys', () => {
  const source = syntheticSource('synthetic:tiny');
  it.each([
    [() => new ClipLoader(source, { batchSize: 2, batch_size: 4 } as never), 'options.batch_size: expected one of the keys batchSize, transform, seed, shuffle, dropLast, prefetch, concurrency, onWarning, unreadable, received an unknown key "batch_size". Did you mean "batchSize"?'],
    [() => pretrainingTransform({ crop: 64 } as never), 'options.crop: expected one of the keys cropSize, scale, ratio, horizontalFlip, mean, std, received an unknown key "crop". Did you mean "cropSize"?'],
    [() => evalTransform({ cropsize: 64 } as never), 'options.cropsize: expected one of the keys'],
    [() => syntheticSource('synthetic:tiny', { frames: 8 } as never), 'options.frames: expected one of the keys seed, size, split, numFrames, height, width'],
    [() => sampleClipIndices(64, null, { framesPerClp: 16 } as never), 'options.framesPerClp: expected one of the keys framesPerClip'],
    [() => videoFileSource([{ path: 'a.mp4' }], { frame_step: 4 } as never), 'options.frame_step: expected one of the keys ffmpeg, sampler, clipDurationSeconds, framesPerClip, frameStep'],
  ])('%#', (call, message) => {
    expect(call).toThrow(message);
  });

  it('openClipSource refuses an unknown key before touching the disk', async () => {
    await expect(openClipSource('/nonexistent', { decode_size: 256 } as never)).rejects.toThrow('options.decode_size: expected one of the keys synthetic, ffmpeg');
  });
});
