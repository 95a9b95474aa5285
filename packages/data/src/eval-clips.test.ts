import { describe, expect, it } from 'vitest';
import { RandomStream } from '@vjepa/core';
import { openEvalClips, openProbeData } from './eval-clips';
import type { LoaderBatch } from './loader-types';
import { syntheticSource } from './synthetic';
import { evalTransform, multiViewTransform, type ClipTransform } from './transforms';
import type { Clip } from './types';

const GEOMETRY = { frames: 8, frameStep: 4, crop: 32 };

/** A clip through a transform, as the loader writes it. */
function transformed(transform: ClipTransform, clip: Clip): Float32Array {
  const out = new Float32Array(transform.outputShape(clip.numFrames, clip.height, clip.width).reduce((a, b) => a * b, 1));
  transform.apply(clip, new RandomStream(0), out, 0);
  return out;
}

async function all(batches: AsyncIterable<LoaderBatch>): Promise<LoaderBatch[]> {
  const out: LoaderBatch[] = [];
  for await (const batch of batches) out.push(batch);
  return out;
}

describe('openEvalClips', () => {
  it('gives every clip in source order, in batches with the last short one kept, under the test transform', async () => {
    const set = await openEvalClips('synthetic:tiny', { ...GEOMETRY, seed: 7, size: 5, batchSize: 2 });
    expect({ size: set.size, views: set.views, segments: set.segments }).toEqual({ size: 5, views: 1, segments: 1 });
    expect(set.description).toBe('synthetic:tiny (5 clips of 8×32×32, seed 7)');
    const batches = await all(set.batches(0, 0));
    expect(batches.map((b) => b.shape)).toEqual([
      [2, 8, 32, 32, 3],
      [2, 8, 32, 32, 3],
      [1, 8, 32, 32, 3],
    ]);
    // the clips and labels of the synthetic set itself, under evalTransform
    const source = syntheticSource('synthetic:tiny', { seed: 7, size: 5, numFrames: 8 });
    const clips = await Promise.all([0, 1, 2, 3, 4].map((i) => source.get(i, new RandomStream(0))));
    expect(batches.flatMap((b) => [...b.labels.shape])).toEqual(clips.map((clip) => clip!.labels.shape));
    expect(batches.flatMap((b) => [...b.labels.direction])).toEqual(clips.map((clip) => clip!.labels.direction));
    const first = transformed(evalTransform({ cropSize: 32 }), clips[0]!);
    expect(Array.from(batches[0].data.subarray(0, first.length))).toEqual(Array.from(first));
    // the same clips every time the set is read
    expect((await all(set.batches(0, 0))).map((b) => b.names)).toEqual(batches.map((b) => b.names));
  });

  it('gives each spatial view its multi-view crop and each temporal segment its window', async () => {
    const set = await openEvalClips('synthetic:tiny', { ...GEOMETRY, size: 2, views: 3, segments: 2 });
    expect({ views: set.views, segments: set.segments }).toEqual({ views: 3, segments: 2 });
    const source = syntheticSource('synthetic:tiny', { size: 2, numFrames: 8 });
    const clip = (await source.get(0, new RandomStream(0)))!;
    for (const view of [0, 2]) {
      const [batch] = await all(set.batches(view, 1));
      const expected = transformed(multiViewTransform(view, 3, { cropSize: 32 }), clip);
      expect(Array.from(batch.data.subarray(0, expected.length))).toEqual(Array.from(expected));
    }
    expect((await all(set.batches(0, 0)))[0].labels).toEqual((await all(set.batches(1, 1)))[0].labels);
  });

  it.each([
    [{ views: 0 }, 'views: expected a positive integer, received 0'],
    [{ segments: 1.5 }, 'segments: expected a positive integer, received 1.5'],
    [{ batchSize: 0 }, 'batchSize: expected a positive integer, received 0'],
    [{ crops: 2 }, 'crops'],
  ])('refuses %j', async (bad, message) => {
    await expect(openEvalClips('synthetic:tiny', { ...GEOMETRY, ...bad } as never)).rejects.toThrow(message);
  });
});

describe('openProbeData', () => {
  it('opens the training set in one view and the validation set in `views`, with their own seeds, sizes and splits', async () => {
    const { train, val } = await openProbeData({ ...GEOMETRY, train: 'synthetic:tiny', val: 'synthetic:mnist', views: 2, seed: 3 });
    expect({ size: train.size, views: train.views, segments: train.segments }).toEqual({ size: 1024, views: 1, segments: 1 });
    expect(train.description).toBe('synthetic:tiny (1024 clips of 8×32×32, seed 1003)');
    expect({ size: val.size, views: val.views }).toEqual({ size: 512, views: 2 });
    expect(val.description).toMatch(/^synthetic:mnist \(512 clips of 8×64×64, seed 2003, val digits\)$/);
    const sized = await openProbeData({ ...GEOMETRY, train: 'synthetic:tiny', val: 'synthetic:tiny', trainSize: 4, valSize: 2, segments: 2 });
    expect([sized.train.size, sized.val.size, sized.val.segments]).toEqual([4, 2, 2]);
    expect(sized.train.description).toBe('synthetic:tiny (4 clips of 8×32×32, seed 1000)');
  });
});
