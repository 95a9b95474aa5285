import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@vjepa/core';
import { longRun } from './long-run';

describe('examples/long-run (short variant; the 2,000-step run is `pnpm start` here)', () => {
  it('keeps the tensor count constant through steps, checkpoints and collapse checks, and leaves nothing behind', async () => {
    await selectBackend('wasm');
    const before = tf.memory().numTensors;
    const report = await longRun({ steps: 60, warmupSteps: 10, sampleEvery: 10, checkpointEvery: 20 });
    expect(report.samples.map((s) => s.step)).toEqual([1, 10, 20, 30, 40, 50, 60]);
    expect(new Set(report.samples.slice(1).map((s) => s.numTensors)).size).toBe(1);
    expect(report.tensorCounts).toEqual([report.samples[1].numTensors]);
    expect(tf.memory().numTensors).toBe(before);
    expect(report.lastLoss).toBeLessThan(report.firstLoss);
  });
});
