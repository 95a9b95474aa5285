import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeSource } from './probe-source';

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'vjepa-probe-source-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('probeSource', () => {
  it('--probe knn with --labels-per-class: k-NN votes from N training clips of every class of the first label', async () => {
    const [summary] = await probeSource({
      checkpoint: 'random', modelFlags: { model: 'tiny', depth: '1', crop: '32', frames: '4' }, train: 'synthetic:tiny', val: 'synthetic:tiny', labels: ['direction'],
      trainSize: 48, valSize: 8, labelsPerClass: 2, probe: 'knn', knnK: 3, out: join(directory, 'bank.safetensors'), backend: 'cpu', log: () => undefined,
    });
    expect(summary).toMatchObject({ probe: 'knn', task: 'direction', val: 8, knn: { k: 3, temperature: 0.07 }, encoder: 'random' });
    expect(summary.train).toBe(2 * summary.classes);
  });
});
