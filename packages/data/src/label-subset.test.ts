import { describe, expect, it } from 'vitest';
import { RandomStream } from '@vjepa/core';
import { openProbeData } from './eval-clips';
import { classBalancedIndices, labelsPerClassSource, sourceLabels, subsetSource } from './label-subset';
import { syntheticSource } from './synthetic';
import type { ClipSource } from './types';

const LABELS = [2, 0, 1, 0, 2, 1, 0, 2, 1, 0, 2, 2]; // class 0: 4 items, class 1: 3, class 2: 5

/** A source whose labels are known without reading (like a CSV), counting the reads. */
function listedSource(labels: number[]): ClipSource & { reads: number } {
  const source = {
    size: labels.length,
    description: `${labels.length} listed clips`,
    reads: 0,
    async get(index: number) {
      source.reads++;
      return { frames: new Uint8Array(3), numFrames: 1, height: 1, width: 1, labels: { label: labels[index] }, name: `clip${index}` };
    },
    labelsOf: (index: number) => ({ label: labels[index] }),
  };
  return source;
}

describe('classBalancedIndices', () => {
  it('keeps exactly N of every class, ascending, without repeats', () => {
    const kept = classBalancedIndices(LABELS, 3, 0);
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    expect(new Set(kept).size).toBe(9);
    for (const c of [0, 1, 2]) expect(kept.filter((i) => LABELS[i] === c)).toHaveLength(3);
    // class 1 has exactly 3 items: all are kept
    expect(kept.filter((i) => LABELS[i] === 1)).toEqual([2, 5, 8]);
  });

  it('is seeded: the same seed gives the same subset, other seeds other subsets', () => {
    expect(classBalancedIndices(LABELS, 2, 5)).toEqual(classBalancedIndices(LABELS, 2, 5));
    const subsets = new Set([0, 1, 2, 3, 4, 5].map((seed) => classBalancedIndices(LABELS, 2, seed).join(',')));
    expect(subsets.size).toBeGreaterThan(1);
  });

  it('fails naming the smallest class when a class has fewer items than asked', () => {
    expect(() => classBalancedIndices(LABELS, 4, 0, 'direction')).toThrow(
      "labelsPerClass: expected at most the clips of the smallest class of 'direction' (3 of class 1), received 4",
    );
    expect(() => classBalancedIndices(LABELS, 0)).toThrow(/labelsPerClass: expected a positive integer/);
    expect(() => classBalancedIndices([0, -1], 1)).toThrow(/class index ≥ 0/);
  });
});

describe('subset sources', () => {
  it('labelsPerClassSource reads labels through labelsOf (no clip read) and maps items', async () => {
    const source = listedSource(LABELS);
    const { source: few, indices } = await labelsPerClassSource(source, { label: 'label', count: 2, seed: 1 });
    expect(source.reads).toBe(0);
    expect(indices).toEqual(classBalancedIndices(LABELS, 2, 1, 'label'));
    expect(few.size).toBe(6);
    expect(few.description).toBe("2 per class × 3 classes of 'label' from 12 listed clips");
    const clip = await few.get(3, new RandomStream(0));
    expect(clip!.name).toBe(`clip${indices[3]}`);
    expect(few.labelsOf!(3)).toEqual({ label: LABELS[indices[3]] });
  });

  it('sourceLabels reads the clips of a source without labelsOf; subsetSource checks indices', async () => {
    const source = syntheticSource('synthetic:tiny', { seed: 3, size: 6, numFrames: 4 });
    const shapes = await sourceLabels(source, 'shape');
    const expected = await Promise.all([0, 1, 2, 3, 4, 5].map(async (i) => (await source.get(i, new RandomStream(0)))!.labels.shape));
    expect(Array.from(shapes)).toEqual(expected);
    await expect(sourceLabels(source, 'colour')).rejects.toThrow(/label: expected a label of synthetic:tiny.*shape, direction, speed, received "colour"/);
    expect(() => subsetSource(source, [0, 6])).toThrow(/indices: expected item indices in \[0, 5\], received 6/);
  });

  it('openProbeData keeps N training clips per class (seeded by the probe seed) and every validation clip', async () => {
    const geometry = { frames: 4, frameStep: 4, crop: 32, batchSize: 8 };
    const open = (seed: number) => openProbeData({ train: 'synthetic:tiny', val: 'synthetic:tiny', ...geometry, trainSize: 40, valSize: 10, seed, labelsPerClass: { label: 'direction', count: 2 } });
    const { train, val } = await open(0);
    const labels: number[] = [];
    for await (const batch of train.batches(0, 0)) labels.push(...batch.labels.direction);
    const classes = new Set(labels);
    expect(labels).toHaveLength(2 * classes.size);
    for (const c of classes) expect(labels.filter((l) => l === c)).toHaveLength(2);
    expect(train.sources[0].size).toBe(labels.length);
    expect(val.size).toBe(10);
    const again = await open(0);
    const other = await open(1);
    const names = async (set: typeof train) => {
      const out: string[] = [];
      for await (const batch of set.batches(0, 0)) out.push(...batch.names);
      return out;
    };
    expect(await names(again.train)).toEqual(await names(train));
    expect(await names(other.train)).not.toEqual(await names(train));
    await expect(openProbeData({ train: 'synthetic:tiny', val: 'synthetic:tiny', ...geometry, trainSize: 8, valSize: 4, labelsPerClass: { label: 'direction', count: 5 } })).rejects.toThrow(
      /labelsPerClass: expected at most the clips of the smallest class of 'direction'/,
    );
  });
});
