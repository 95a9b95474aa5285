import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { renderVoePair, writeVideo } from '@vjepa/data';
import { resolveRunConfig } from '../run-config';
import { runTrain } from '../run';
import { formatSurpriseTable, surpriseJson, surpriseMeasurements } from './format';
import { auroc, pairwiseAccuracy } from './metrics';
import { frameDifferenceScores } from './pixel-baselines';
import { runSurprise } from './run';

const SETS = ['synthetic:voe-teleport', 'synthetic:voe-disappear'];

describe('runSurprise', () => {
  it('scores a run, the untrained baseline and the pixel baselines on each set, then the user’s pairs', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vjepa-surprise-'));
    const config = resolveRunConfig({ data: 'synthetic:tiny', crop: '64', frames: '4', depth: '1', predDim: '24', predDepth: '1', batchSize: '2', steps: '2' });
    await runTrain({ config, backend: 'wasm', out, checkpointEvery: 2, log: () => undefined, onProgress: () => undefined });
    const lines: string[] = [];
    const before = tf.memory().numTensors;
    const rows = await runSurprise({ runs: [out], baselines: ['untrained', 'frame-diff', 'tracker'], sets: SETS, count: 3, untrainedSteps: 2, backend: 'wasm', log: (line) => lines.push(line) });
    expect(tf.memory().numTensors).toBe(before);
    expect(rows.map((r) => [r.scorer, r.kind, r.set, r.pairs])).toEqual(
      [out, 'untrained', 'frame-diff', 'tracker'].flatMap((scorer, k) => SETS.map((set) => [scorer, ['run', 'untrained', 'frame-diff', 'tracker'][k], set, 3])),
    );
    expect(lines.some((line) => /untrained: step 2\/2 loss/.test(line))).toBe(true);
    for (const row of rows) {
      // the read-outs are those of the row's own scores
      const max = { p: row.scores.map((s) => s.possible.max), i: row.scores.map((s) => s.impossible.max) };
      expect(row.accuracy.max).toBe(pairwiseAccuracy(max.p, max.i));
      expect(row.auroc.max).toBe(auroc(max.p, max.i));
      // one step score per tubelet step after the first (model scorers: 1), per frame transition (frame-diff: 3)
      expect(row.scores[0].possible.steps).toHaveLength({ run: 1, untrained: 1, 'frame-diff': 3, tracker: 2, pixels: 1 }[row.kind]);
    }
    // the frame-difference rows are the detector on the rendered pairs, and it sees the teleports
    const teleport = rows.find((r) => r.kind === 'frame-diff' && r.set === SETS[0])!;
    const pair = renderVoePair(SETS[0], 1, { numFrames: 4, height: 64, width: 64 });
    expect(teleport.scores[1].impossible).toEqual(frameDifferenceScores(pair.impossible));
    expect(teleport.accuracy.max).toBe(1);
    // printed forms
    const table = formatSurpriseTable(rows).split('\n');
    expect(table[0]).toMatch(/^scorer\s+kind\s+set\s+pairs\s+acc\(max\)\s+acc\(mean\)\s+auroc\(max\)\s+auroc\(mean\)$/);
    expect(table).toHaveLength(rows.length + 1);
    expect(JSON.parse(surpriseJson(teleport))).toEqual({
      scorer: 'frame-diff', kind: 'frame-diff', set: SETS[0], pairs: 3,
      accuracy_max: 1, accuracy_mean: teleport.accuracy.mean, auroc_max: teleport.auroc.max, auroc_mean: teleport.auroc.mean,
    });

    // the main job's lines: the run against each baseline, per set and metric
    const measured = surpriseMeasurements(rows);
    expect(measured).toHaveLength(2 * 3 * 4);
    const run = rows.find((r) => r.kind === 'run' && r.set === SETS[0])!;
    expect(measured[0]).toEqual({ encoder: 'pretrained-online', task: `surprise/${SETS[0]}`, metric: 'pairwise_accuracy_max', value: run.accuracy.max, baseline: 'untrained', baseline_value: rows.find((r) => r.kind === 'untrained' && r.set === SETS[0])!.accuracy.max });
    expect(measured.find((l) => l.baseline === 'frame-diff' && l.metric === 'auroc_mean' && l.task.endsWith('disappear'))!.baseline_value).toBe(rows.find((r) => r.kind === 'frame-diff' && r.set === SETS[1])!.auroc.mean);

    // --pairs: the user's videos, decoded by ffmpeg, at the run's clip length
    await writeVideo(join(out, 'a.mkv'), pair.possible.frames, 4, 64, 64, { codec: 'ffv1' });
    await writeVideo(join(out, 'b.mkv'), pair.impossible.frames, 4, 64, 64, { codec: 'ffv1' });
    writeFileSync(join(out, 'list.csv'), 'a.mkv,b.mkv\n');
    const [own, mine] = await runSurprise({ runs: [out], baselines: ['frame-diff'], pairs: join(out, 'list.csv'), frameStep: 1, log: () => undefined });
    expect([own.set, own.pairs, mine.set]).toEqual(['list.csv', 1, 'list.csv']);
    expect(own.scores[0].impossible.max).toBeCloseTo(rows.find((r) => r.kind === 'run' && r.set === SETS[0])!.scores[1].impossible.max, 5);
    expect(mine.scores[0].impossible).toEqual(frameDifferenceScores(pair.impossible));
  }, 60_000);

  it('checks its options before any work', async () => {
    await expect(runSurprise({})).rejects.toThrow(/at least one run or baseline/);
    await expect(runSurprise({ baselines: ['oracle' as never] })).rejects.toThrow(/untrained, frame-diff, tracker/);
    await expect(runSurprise({ runs: ['/nonexistent/run'] })).rejects.toThrow(/vjepa train output folder/);
    await expect(runSurprise({ baselines: ['tracker'], sets: ['synthetic:voe-bounce'] })).rejects.toThrow(/synthetic:voe-reversal/);
    await expect(runSurprise({ baselines: ['tracker'], count: 0 })).rejects.toThrow(/count/);
    await expect(runSurprise({ baselines: ['tracker'], pairs: 'x.csv', sets: SETS })).rejects.toThrow(/--sets/);
  });

  it("baselines alone take the configuration they are given (its clip size), and no configuration beside runs", async () => {
    const config = resolveRunConfig({ crop: '32', frames: '4', depth: '1' });
    const [row] = await runSurprise({ baselines: ['frame-diff'], config, sets: [SETS[0]], count: 2, log: () => undefined });
    const pair = renderVoePair(SETS[0], 1, { numFrames: 4, height: 32, width: 32 });
    expect(row.scores[1].impossible).toEqual(frameDifferenceScores(pair.impossible));
    await expect(runSurprise({ runs: ['/some/run'], config })).rejects.toThrow(/config: expected none beside runs/);
  });
});
