// What the loader does with an unreadable item: replaced by another (the official behaviour, the default),
// its row left out ('drop', so that every row is the clip its name says), or refused ('fail').
import { describe, expect, it } from 'vitest';
import type { RandomStream } from '@vjepa/core';
import { ClipLoader } from './loader';
import { evalTransform } from './transforms';
import { UnreadableClipError, type Clip, type ClipSource } from './types';

/** Five 2-frame 8 × 8 clips whose pixels are their index; item 1 cannot be read. */
const source: ClipSource = {
  size: 5,
  description: 'five clips',
  async get(index: number, _rng: RandomStream): Promise<Clip> {
    if (index === 1) throw new UnreadableClipError('one.mp4', 'file is empty (0 bytes)');
    return { frames: new Uint8Array(2 * 8 * 8 * 3).fill(index * 10), numFrames: 2, height: 8, width: 8, labels: { label: index }, name: `clip-${index}` };
  },
};
const options = { batchSize: 2, transform: evalTransform({ cropSize: 8 }), shuffle: false, dropLast: false };

async function epoch(loader: ClipLoader) {
  const batches = [];
  for await (const batch of loader.iterateEpoch()) batches.push(batch);
  return batches;
}

describe('unreadable items', () => {
  it("'replace' (default): the slot holds another clip, named as such", async () => {
    const warnings: string[] = [];
    const [first] = await epoch(new ClipLoader(source, { ...options, onWarning: (m) => warnings.push(m) }));
    expect(first.shape[0]).toBe(2);
    expect(first.names[0]).toBe('clip-0');
    expect(first.names[1]).not.toBe('one.mp4');
    expect(warnings).toEqual(['@vjepa/data: skipping "one.mp4": file is empty (0 bytes)']);
  });

  it("'drop': the row is left out; names, labels and pixels stay aligned", async () => {
    const warnings: string[] = [];
    const loader = new ClipLoader(source, { ...options, unreadable: 'drop', onWarning: (m) => warnings.push(m) });
    const batches = await epoch(loader);
    expect(batches.map((b) => b.names)).toEqual([['clip-0'], ['clip-2', 'clip-3'], ['clip-4']]);
    expect(batches.map((b) => b.shape[0])).toEqual([1, 2, 1]);
    expect(Array.from(batches[1].labels.label)).toEqual([2, 3]);
    const per = 2 * 8 * 8 * 3;
    expect(batches[1].data.length).toBe(2 * per);
    expect(batches[1].data[per]).toBeGreaterThan(batches[1].data[0]); // clip 3 brighter than clip 2
    expect(warnings).toEqual(['@vjepa/data: skipping "one.mp4": file is empty (0 bytes)']);
    expect(loader.metrics.skippedNames).toEqual(['one.mp4']);
  });

  it("'fail': a DataError naming the input, no warning", async () => {
    const warnings: string[] = [];
    const loader = new ClipLoader(source, { ...options, unreadable: 'fail', onWarning: (m) => warnings.push(m) });
    await expect(epoch(loader)).rejects.toThrow('input "one.mp4": expected a readable video, received file is empty (0 bytes)');
    expect(warnings).toEqual([]);
    expect(() => new ClipLoader(source, { ...options, unreadable: 'skip' as never })).toThrow("unreadable: expected 'replace', 'drop' or 'fail', received \"skip\"");
  });
});
