import { RandomStream, selectBackend, VjepaError } from '@vjepa/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { toVideoBatch } from './batch';
import { ClipLoader } from './loader';
import type { LoaderBatch } from './loader-types';
import { memorySource, type MemoryVideo } from './memory';
import { allFrames } from './sampling';
import { syntheticSource } from './synthetic';
import { normalizeTransform, pretrainingTransform, type ClipTransform } from './transforms';
import { UnreadableClipError, type Clip, type ClipSource } from './types';

/** `count` one-frame 2×2 videos whose every byte is the video's index, labelled by index. */
function tinyVideos(count: number): MemoryVideo[] {
  return Array.from({ length: count }, (_, index) => ({
    frames: new Uint8Array(12).fill(index),
    numFrames: 1,
    height: 2,
    width: 2,
    labels: { label: index },
    name: `v${index}`,
  }));
}

/** Values straight through (mean 0, std 1/255 gives x · 1 … x / 1): batch values are the raw bytes. */
const identity = normalizeTransform({ mean: [0, 0, 0], std: [1 / 255, 1 / 255, 1 / 255] });

async function take(loader: ClipLoader, count: number): Promise<LoaderBatch[]> {
  const batches: LoaderBatch[] = [];
  for (let k = 0; k < count; k++) batches.push(await loader.next());
  return batches;
}

describe('ClipLoader batches', () => {
  it('makes [B, T, H, W, C] batches with labels, names and positions', async () => {
    const loader = new ClipLoader(memorySource(tinyVideos(10), { sampler: allFrames }), { batchSize: 4, transform: identity, shuffle: false });
    expect(loader.batchesPerEpoch).toBe(2);
    const [first, second, third] = await take(loader, 3);
    expect(first.shape).toEqual([4, 1, 2, 2, 3]);
    expect(first.data.length).toBe(48);
    expect(Array.from(first.data.filter((_, k) => k % 12 === 0))).toEqual([0, 1, 2, 3]);
    expect(Array.from(first.labels.label)).toEqual([0, 1, 2, 3]);
    expect(first.names).toEqual(['v0', 'v1', 'v2', 'v3']);
    expect([first.epoch, first.step, second.epoch, second.step, third.epoch, third.step]).toEqual([0, 0, 0, 1, 1, 0]);
    expect(Array.from(third.labels.label)).toEqual([0, 1, 2, 3]); // dropLast: items 8, 9 are not used
  });

  it('shuffles each epoch with the seed; every item once per epoch', async () => {
    const make = (seed: number) => new ClipLoader(memorySource(tinyVideos(12), { sampler: allFrames }), { batchSize: 3, transform: identity, seed });
    const epochs = async (loader: ClipLoader) => {
      const orders: number[][] = [];
      for (let epoch = 0; epoch < 3; epoch++) {
        const order: number[] = [];
        for await (const batch of loader.iterateEpoch()) order.push(...batch.labels.label);
        orders.push(order);
      }
      return orders;
    };
    const a = await epochs(make(1));
    expect(await epochs(make(1))).toEqual(a);
    for (const order of a) expect([...order].sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, k) => k));
    expect(a[0]).not.toEqual(a[1]);
    expect(a[0]).not.toEqual(Array.from({ length: 12 }, (_, k) => k));
    expect((await epochs(make(2)))[0]).not.toEqual(a[0]);
  });

  it('keeps the last partial batch with dropLast: false', async () => {
    const loader = new ClipLoader(memorySource(tinyVideos(5), { sampler: allFrames }), { batchSize: 2, transform: identity, dropLast: false, shuffle: false });
    expect(loader.batchesPerEpoch).toBe(3);
    const sizes = (await take(loader, 4)).map((batch) => batch.shape[0]);
    expect(sizes).toEqual([2, 2, 1, 2]);
  });

  it('gives the same batches whatever the prefetch depth and concurrency', async () => {
    const source = syntheticSource('synthetic:tiny', { size: 24 });
    const run = (prefetch: number, concurrency: number) =>
      take(new ClipLoader(source, { batchSize: 4, seed: 5, prefetch, concurrency, transform: pretrainingTransform({ cropSize: 16 }) }), 8);
    const slow = await run(0, 1);
    const fast = await run(3, 8);
    expect(fast.map((batch) => batch.names)).toEqual(slow.map((batch) => batch.names));
    fast.forEach((batch, k) => expect(Buffer.from(batch.data.buffer).equals(Buffer.from(slow[k].data.buffer))).toBe(true));
  });

  it('prefetches the next batch while the current one is in use', async () => {
    let requested = 0;
    const inner = memorySource(tinyVideos(16), { sampler: allFrames });
    const counting: ClipSource = { size: inner.size, get: (index, rng) => ((requested += 1), inner.get(index, rng)) };
    const loader = new ClipLoader(counting, { batchSize: 4, transform: identity, prefetch: 2 });
    await loader.next();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(requested).toBe(12); // the batch returned + two prepared
  });
});

describe('ClipLoader state', () => {
  it('resumes exactly where it stood (epoch, position, stream), through JSON', async () => {
    const source = syntheticSource('synthetic:tiny', { size: 20 });
    const options = { batchSize: 3, seed: 9, transform: pretrainingTransform({ cropSize: 16 }) };
    const original = new ClipLoader(source, options);
    await take(original, 7); // crosses into epoch 1 (6 batches per epoch)
    const saved = JSON.parse(JSON.stringify(original.getState()));
    expect(saved).toMatchObject({ epoch: 1, position: 3 });
    const expected = await take(original, 4);
    const resumed = new ClipLoader(source, { ...options, seed: 12345 }); // the saved stream wins over the seed
    resumed.setState(saved);
    const got = await take(resumed, 4);
    expect(got.map((batch) => [batch.epoch, batch.step, batch.names])).toEqual(expected.map((batch) => [batch.epoch, batch.step, batch.names]));
    got.forEach((batch, k) => expect(Array.from(batch.data)).toEqual(Array.from(expected[k].data)));
  });

  it('validates a state before using it', () => {
    const loader = new ClipLoader(memorySource(tinyVideos(4), { sampler: allFrames }), { batchSize: 2, transform: identity });
    const state = loader.getState();
    expect(() => loader.setState({ ...state, position: 4 })).toThrow(/state\.position: expected an integer in \[0, 3\], received 4/);
    expect(() => loader.setState({ ...state, epoch: -1 })).toThrow(/state\.epoch: expected a non-negative integer/);
    expect(() => loader.setState({ ...state, rng: { words: [0, 0, 0, 0], spareNormal: null } })).toThrow(VjepaError);
  });
});

/** A source whose items listed in `bad` throw UnreadableClipError, items in `empty` give null. */
function flakySource(size: number, bad: number[], empty: number[] = []): ClipSource & { reads: number[] } {
  const inner = memorySource(tinyVideos(size), { sampler: allFrames });
  const reads: number[] = [];
  return {
    size,
    reads,
    description: 'flaky',
    async get(index, rng) {
      reads.push(index);
      if (bad.includes(index)) throw new UnreadableClipError(`clip-${index}.mp4`, 'broken on purpose');
      if (empty.includes(index)) return null;
      return inner.get(index, rng);
    },
  };
}

describe('ClipLoader and bad items', () => {
  it('replaces a bad item by another, warning once per item, deterministically', async () => {
    const run = async () => {
      const warnings: string[] = [];
      const source = flakySource(8, [2, 5], [6]);
      const loader = new ClipLoader(source, { batchSize: 4, transform: identity, seed: 4, onWarning: (message) => warnings.push(message) });
      const batches = await take(loader, 8);
      return { warnings, batches, metrics: loader.metrics, reads: source.reads };
    };
    const { warnings, batches, metrics, reads } = await run();
    expect([...warnings].sort()).toEqual([
      '@vjepa/data: skipping "clip-2.mp4": broken on purpose',
      '@vjepa/data: skipping "clip-5.mp4": broken on purpose',
      '@vjepa/data: skipping "flaky item 6": the source returned no clip',
    ]);
    expect(metrics.skipped).toBe(3);
    expect(metrics.clips).toBe(32);
    expect(metrics.batches).toBe(8);
    for (const batch of batches) for (const label of batch.labels.label) expect([2, 5, 6]).not.toContain(label);
    expect(reads.filter((index) => index === 2)).toHaveLength(1); // known bad items are not read again
    const again = await run();
    expect(again.batches.map((batch) => Array.from(batch.labels.label))).toEqual(batches.map((batch) => Array.from(batch.labels.label)));
  });

  it('stops with a clear error when no item can be read, instead of looping', async () => {
    const loader = new ClipLoader(flakySource(5, [0, 1, 2, 3, 4]), { batchSize: 2, transform: identity, onWarning: () => undefined });
    await expect(loader.next()).rejects.toThrow(/source: expected at least one readable item, received 5 unreadable of 5 \(first: "clip-\d\.mp4": broken on purpose\)/);
  });

  it('lets any other error through: it is a configuration problem, not a bad file', async () => {
    const broken: ClipSource = { size: 3, get: async () => { throw new TypeError('ffmpeg missing'); } };
    const loader = new ClipLoader(broken, { batchSize: 1, transform: identity, onWarning: () => undefined });
    await expect(loader.next()).rejects.toThrow(TypeError);
  });

  it('checks its options', () => {
    const source = memorySource(tinyVideos(3), { sampler: allFrames });
    expect(() => new ClipLoader(source, { batchSize: 4 })).toThrow(/batchSize: expected at most the source size \(3\) when dropLast is true, received 4/);
    expect(() => new ClipLoader(source, { batchSize: 0 })).toThrow(/batchSize: expected a positive integer, received 0/);
    expect(() => new ClipLoader({ size: 0, get: async () => null }, { batchSize: 1 })).toThrow(/source: expected a ClipSource with at least one item/);
  });
});

describe('labels and flips', () => {
  it('mirrors labels of flipped clips through the source', async () => {
    const alwaysFlip: ClipTransform = {
      outputShape: (t, h, w) => [t, h, w, 3],
      apply: (clip, rng, out, offset) => ({ ...identity.apply(clip, rng, out, offset), flipped: true }),
    };
    const source = syntheticSource('synthetic:tiny', { size: 8 });
    const plain = await take(new ClipLoader(source, { batchSize: 8, transform: identity, shuffle: false }), 1);
    const flipped = await take(new ClipLoader(source, { batchSize: 8, transform: alwaysFlip, shuffle: false }), 1);
    expect(Array.from(flipped[0].labels.direction)).toEqual(Array.from(plain[0].labels.direction, (d) => (4 - d + 8) % 8));
    expect(Array.from(flipped[0].labels.shape)).toEqual(Array.from(plain[0].labels.shape));
  });

  it('fills missing labels with −1', async () => {
    const videos = tinyVideos(2);
    delete videos[1].labels;
    const [batch] = await take(new ClipLoader(memorySource(videos, { sampler: allFrames }), { batchSize: 2, transform: identity, shuffle: false }), 1);
    expect(Array.from(batch.labels.label)).toEqual([0, -1]);
  });
});

describe('toVideoBatch', () => {
  it('makes a float32 Tensor5D of the batch', async () => {
    await selectBackend('cpu');
    const [batch] = await take(new ClipLoader(syntheticSource('synthetic:tiny', { size: 4 }), { batchSize: 2, transform: pretrainingTransform({ cropSize: 8 }) }), 1);
    const before = tf.memory().numTensors;
    const video = toVideoBatch(batch);
    expect(video.shape).toEqual([2, 8, 8, 8, 3]);
    expect(video.dtype).toBe('float32');
    expect(Array.from(await video.data())).toEqual(Array.from(batch.data));
    video.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => toVideoBatch({ data: new Float32Array(3), shape: [1, 1, 1, 1, 2] })).toThrow(/batch\.data: expected a Float32Array of 2 values/);
  });
});

describe('memorySource', () => {
  it('samples frames with the pretraining rule by default', async () => {
    const frames = Uint8Array.from({ length: 100 * 3 }, (_, k) => Math.floor(k / 3));
    const source = memorySource([{ frames, numFrames: 100, height: 1, width: 1 }]);
    const clip = (await source.get(0, new RandomStream(0))) as Clip;
    const start = clip.frameIndices?.[0] ?? -1;
    expect(clip.frameIndices?.map((index) => index - start)).toEqual([0, 4, 8, 12, 17, 21, 25, 29, 34, 38, 42, 46, 51, 55, 59, 63]);
    expect(Array.from(clip.frames.filter((_, k) => k % 3 === 0))).toEqual(clip.frameIndices);
    expect(() => memorySource([{ frames: new Uint8Array(5), numFrames: 1, height: 1, width: 2 }])).toThrow(/videos\[0\]\.frames: expected a Uint8Array of 6 bytes/);
  });
});
