import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@vjepa/core';
import { readRunState } from './checkpoint';
import { describeFinetuneStep, dropPathRates, runFinetuning, type FinetuneOptions } from './finetune';
import { MeanHead, ToyLabelledSource, toyEncoder } from './finetune.test-util';

let directory: string;
beforeAll(async () => {
  await selectBackend('cpu');
  directory = mkdtempSync(join(tmpdir(), 'vjepa-finetune-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A fresh tiny encoder and head (the same init every time) and the recipe of these tests. */
function parts(overrides: Partial<FinetuneOptions> = {}): FinetuneOptions & { dispose(): void } {
  const encoder = toyEncoder(1);
  const head = new MeanHead(16, 2, 2);
  return {
    encoder, head, source: new ToyLabelledSource(4), label: 'label', steps: 8, lr: 3e-3, warmupSteps: 2, dropPath: 0.2, labelSmoothing: 0.1, seed: 4,
    ...overrides,
    dispose: () => {
      encoder.dispose();
      head.dispose();
    },
  };
}

describe('runFinetuning', () => {
  it('lowers the loss on a toy set with memory flat across steps, and leaves the blocks in evaluation mode', async () => {
    const run = parts({ steps: 24 });
    const counts: number[] = [];
    const lines: string[] = [];
    const { dispose, ...options } = run;
    const summary = await runFinetuning({
      ...options,
      onProgress: (e) => {
        counts.push(tf.memory().numTensors);
        lines.push(describeFinetuneStep(e));
      },
    });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(summary.losses.slice(-6))).toBeLessThan(0.7 * mean(summary.losses.slice(0, 6)));
    // the AdamW moments appear at step 1; from then on nothing accumulates (the last step has no prefetched batch)
    expect(new Set(counts.slice(1, -1)).size).toBe(1);
    // warm-up 2 steps from 0: s = 1 takes half the peak 3e-3
    expect(lines[0]).toMatch(/^step 1\/24 \| loss \d\.\d{4} \| acc \d+\.\d % \| lr 1\.50e-3 \| [\d.]+ clips\/s \| ETA \d+m\d\ds$/);
    expect(run.encoder.blocks.map((b) => [b.dropPath, b.dropPathRng])).toEqual([
      [0, null],
      [0, null],
    ]);
    dispose();
  });

  it('resumes from a checkpoint with the same losses as an uninterrupted run', async () => {
    const whole = parts();
    const { dispose: disposeWhole, ...wholeOptions } = whole;
    const uninterrupted = await runFinetuning({ ...wholeOptions, outDir: join(directory, 'whole'), checkpointEvery: 100 });
    disposeWhole();

    const out = join(directory, 'stopped');
    const first = parts();
    const controller = new AbortController();
    const { dispose: disposeFirst, ...firstOptions } = first;
    const stopped = await runFinetuning({
      ...firstOptions, outDir: out, signal: controller.signal, config: { note: 'pretraining config' }, meta: { head: 'linear' },
      onProgress: (e) => (e.step === 2 ? controller.abort() : undefined),
    });
    disposeFirst();
    expect(stopped.interrupted).toBe(true);
    expect(stopped.losses).toEqual(uninterrupted.losses.slice(0, 3));
    const saved = readRunState(out)!;
    expect(saved.state).toMatchObject({ step: 3, config: { note: 'pretraining config' }, finetune: { head: 'linear' }, source: { index: 3 } });

    const second = parts(); // fresh weights and data position: everything comes from the checkpoint
    const { dispose: disposeSecond, ...secondOptions } = second;
    const resumed = await runFinetuning({ ...secondOptions, outDir: out, resume: true });
    disposeSecond();
    expect(resumed.startStep).toBe(3);
    expect(resumed.losses).toEqual(uninterrupted.losses.slice(3));
  });

  it('drop path rises linearly over the blocks; bad options fail before any step', async () => {
    expect(dropPathRates(0.1, 3)).toEqual([0, 0.05, 0.1]);
    expect(dropPathRates(0.1, 1)).toEqual([0]);
    const run = parts();
    const { dispose, ...options } = run;
    await expect(runFinetuning({ ...options, label: 'colour' })).rejects.toThrow('label: expected a label of the batches: label, received "colour"');
    await expect(runFinetuning({ ...options, dropPath: 1 })).rejects.toThrow('dropPath: expected a number in [0, 1), received 1');
    await expect(runFinetuning({ ...options, warmupSteps: 9 })).rejects.toThrow('warmupSteps: expected an integer in [0, 8] (steps), received 9');
    await expect(runFinetuning({ ...options, head: new MeanHead(8, 2) })).rejects.toThrow('head: expected a head on 16-wide features, received 8');
    dispose();
  });
});
