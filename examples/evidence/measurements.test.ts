import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '@vjepa/core';
import { cellKey, isDone, readRecords, runCell, type CellBase, type CellRecord, type SurpriseSummary } from './cells';
import { MAIN_JOB_MEASURES, cellMeasurementLines, mainJobCells, measureFlags, probeMeasurementLines } from './measurements';
import type { ResultRow } from './experiment';

const base: CellBase = { variant: 'small', seed: 0, steps: 1000, data: 'synthetic:motion-noise' };
const KEYS = ['encoder', 'task', 'metric', 'value', 'baseline', 'baseline_value'];
const surpriseRow = (kind: SurpriseSummary['kind'], accuracy: number): SurpriseSummary => ({
  scorer: kind, kind, set: 'synthetic:voe-reversal', pairs: 4, accuracy: { max: accuracy, mean: accuracy / 2 }, auroc: { max: accuracy, mean: accuracy },
});
const record = (cell: CellRecord['cell'], result: CellRecord['result']): CellRecord => ({ key: cellKey(cell), cell, seconds: 1, result });

describe("the main job's measurement lines", () => {
  it('cells: the untrained ones first, then those of the pretrained encoder; --measure picks and sizes them', () => {
    const cells = mainJobCells(base);
    expect(cells.map((c) => `${c.kind}:${c.kind === 'surprise' ? c.of : c.kind === 'pretrain' ? '' : c.encoder}`)).toEqual([
      'surprise:untrained', 'surprise:pixels', 'knn:untrained', 'finetune:untrained', 'surprise:pretrained', 'knn:target', 'finetune:target',
    ]);
    expect(cells[0]).toMatchObject({ sets: ['synthetic:voe-reversal'], count: 64, untrainedSteps: 300 });
    expect(mainJobCells(base, measureFlags({ measure: 'knn' })).map((c) => c.kind)).toEqual(['knn', 'knn']);
    expect(measureFlags({ measure: 'true', 'measure-pairs': '8', 'measure-finetune-steps': '5' })).toEqual({ ...MAIN_JOB_MEASURES, pairs: 8, finetuneSteps: 5 });
    expect(() => measureFlags({ 'measure-pairs': '0' })).toThrow('--measure-pairs: expected a positive integer, received 0');
    expect(() => mainJobCells(base, measureFlags({ measure: 'probe' }))).toThrow('--measure: expected surprise, knn, finetune, received probe');
  });

  it('one line per measurement: surprise against each baseline, k-NN and fine-tuned top-1 against untrained, means over seeds', () => {
    const [untrained, pixels, knnU, ftU, pretrained, knnT, ftT] = mainJobCells(base);
    const seed1 = (cell: CellRecord['cell']) => ({ ...cell, seed: 1 });
    const records = [
      record(untrained, { kind: 'surprise', rows: [surpriseRow('untrained', 0.5)] }),
      record(pixels, { kind: 'surprise', rows: [surpriseRow('frame-diff', 0.75), surpriseRow('tracker', 1)] }),
      record(pretrained, { kind: 'surprise', rows: [surpriseRow('run', 0.625)] }),
      record(seed1(pretrained), { kind: 'surprise', rows: [surpriseRow('run', 0.875)] }),
      record(knnU, { kind: 'knn', top1: { shape: 0.25, direction: 0.125 } }),
      record(knnT, { kind: 'knn', top1: { shape: 0.5, direction: 0.25 } }),
      record(ftU, { kind: 'finetune', top1: 0.2, train: 128, val: 512 }),
      record(ftT, { kind: 'finetune', top1: 0.3, train: 128, val: 512 }),
    ];
    const lines = cellMeasurementLines(records);
    for (const line of lines) expect(Object.keys(line)).toEqual(KEYS);
    expect(lines).toHaveLength(3 * 4 + 2 + 1);
    // the run's mean over its two seeds, (0.625 + 0.875) / 2, against the untrained baseline first
    expect(lines[0]).toEqual({ encoder: 'pretrained-online', task: 'surprise/synthetic:voe-reversal', metric: 'pairwise_accuracy_max', value: 0.75, baseline: 'untrained', baseline_value: 0.5 });
    expect(lines.slice(0, 12).map((l) => l.baseline)).toEqual(['untrained', 'frame-diff', 'tracker'].flatMap((b) => [b, b, b, b]));
    expect(lines.slice(12)).toEqual([
      { encoder: 'pretrained-target', task: 'shape', metric: 'knn_top1', value: 0.5, baseline: 'untrained', baseline_value: 0.25 },
      { encoder: 'pretrained-target', task: 'direction', metric: 'knn_top1', value: 0.25, baseline: 'untrained', baseline_value: 0.125 },
      { encoder: 'pretrained-target', task: 'direction', metric: 'finetune_top1_16_per_class', value: 0.3, baseline: 'untrained', baseline_value: 0.2 },
    ]);
  });

  it("the attentive probes' rows as lines, each pretrained encoder against the untrained one of the same whitening", () => {
    const row = (encoder: ResultRow['encoder'], task: string, top1: number): ResultRow => ({ variant: 'small', seed: 0, encoder, task, top1, whiten: 'pca', steps: 10, seconds: 1 });
    const lines = probeMeasurementLines([row('target', 'direction', 0.5), row('online', 'direction', 0.4), row('random', 'direction', 0.6)]);
    expect(lines).toEqual([
      { encoder: 'pretrained-target', task: 'direction', metric: 'attentive_probe_top1_pca', value: 0.5, baseline: 'untrained', baseline_value: 0.6 },
      { encoder: 'pretrained-online', task: 'direction', metric: 'attentive_probe_top1_pca', value: 0.4, baseline: 'untrained', baseline_value: 0.6 },
    ]);
  });

  it('runs the cells of a tiny pretraining with the library functions, appends their records and prints the lines', async () => {
    await selectBackend('wasm');
    const root = mkdtempSync(join(tmpdir(), 'vjepa-cells-'));
    const tiny: CellBase = { ...base, steps: 2, trainSize: 16, valSize: 8 };
    const cells = mainJobCells(tiny, { ...MAIN_JOB_MEASURES, measure: ['surprise', 'knn'], pairs: 2 }).filter((c) => !(c.kind === 'surprise' && c.of === 'untrained'));
    const pretraining = { ...tiny, kind: 'pretrain' as const };
    for (const cell of [pretraining, ...cells]) await runCell(cell, root, 'flat', () => undefined);
    const records = readRecords(join(root, 'results.jsonl'));
    expect(records.map((r) => r.result.kind)).toEqual(['pretrain', 'surprise', 'knn', 'surprise', 'knn']);
    // a cell of the pretrained encoder records which pretraining it read; every cell is then done
    expect(records[3].pretraining).toMatch(/^[0-9a-f]{64}$/);
    for (const cell of cells) expect(isDone(cell, records, root, 'flat')).toBe(true);
    const lines = cellMeasurementLines(records);
    expect(lines.map((l) => `${l.task} ${l.metric} ${l.baseline}`)).toEqual([
      ...['frame-diff', 'tracker'].flatMap((b) => ['pairwise_accuracy_max', 'pairwise_accuracy_mean', 'auroc_max', 'auroc_mean'].map((m) => `surprise/synthetic:voe-reversal ${m} ${b}`)),
      'shape knn_top1 untrained',
      'direction knn_top1 untrained',
    ]);
    for (const line of lines) expect(line.value).toBeGreaterThanOrEqual(0);
  }, 60_000);
});
