import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from '@vjepa/trainer';
import { accuracyBars, collectResults, formatComparison, formatLossCurves, formatTable, lossCurve, lossCurveSteps, lossSummary, modelFlags, summaryLines, tasksOf, VARIANTS, type ResultRow } from './experiment';

const row = (variant: string, seed: number, encoder: ResultRow['encoder'], task: string, top1: number): ResultRow => ({ variant, seed, encoder, task, top1, steps: 10, seconds: 1 });

describe('the evidence table', () => {
  it('reports mean ± sample standard deviation over seeds per variant, encoder and task', () => {
    const rows = [
      row('random', 0, 'random', 'shape', 0.3), row('random', 1, 'random', 'shape', 0.34),
      row('random', 0, 'random', 'direction', 0.2), row('random', 1, 'random', 'direction', 0.3),
      { ...row('small', 0, 'target', 'shape', 0.4), lossStart: 0.8, lossEnd: 0.2 }, { ...row('small', 1, 'target', 'shape', 0.36), lossStart: 0.6, lossEnd: 0.1 },
      row('small', 0, 'target', 'direction', 0.1), row('small', 1, 'target', 'direction', 0.12),
    ];
    const table = formatTable(rows).split('\n');
    expect(table[2]).toBe('| random | random | 0, 1 | 32.0 ± 2.8 | 25.0 ± 7.1 | – |'); // √(2·0.02²) = 2.83, √(2·0.05²) = 7.07
    expect(table[3]).toBe('| small | target | 0, 1 | 38.0 ± 2.8 | 11.0 ± 1.4 | 0.700 → 0.150 |');
    expect(formatComparison(rows)).toBe('small (target) vs untrained, points: shape +6.0, direction -14.0');
  });

  it('reads results.json, or the probes\' JSON lines of a run stopped before writing it, and the loss curve', () => {
    const out = mkdtempSync(join(tmpdir(), 'vjepa-evidence-'));
    mkdirSync(join(out, 'small-seed3'));
    const probeLine = (task: string, top1: number) => JSON.stringify({ top1, classes: 4, train: 8, val: 4, task, probe: 'attentive', encoder: 'online' });
    writeFileSync(join(out, 'small-seed3', 'log.txt'), ['step 1/20', probeLine('shape', 0.5), 'other', probeLine('direction', 0.25), JSON.stringify({ top1: 0.75, task: 'direction', encoder: 'online', whiten: 'pca' })].join('\n'));
    const losses = Array.from({ length: 20 }, (_, k) => 1 - k / 20);
    writeFileSync(join(out, 'small-seed3', 'metrics.jsonl'), losses.map((loss, step) => JSON.stringify({ step, loss })).join('\n'));
    const rows = collectResults(out, ['small-seed3', 'missing-seed0']);
    expect(rows.map((r) => [r.variant, r.seed, r.encoder, r.task, r.top1, r.steps])).toEqual([
      ['small', 3, 'online', 'shape', 0.5, 20],
      ['small', 3, 'online', 'direction', 0.25, 20],
      ['small', 3, 'online', 'direction', 0.75, 20],
    ]);
    expect(rows.map((r) => r.whiten)).toEqual([undefined, undefined, 'pca']);
    expect(lossSummary(join(out, 'small-seed3'))).toEqual({ lossStart: (1 + 0.95) / 2, lossEnd: (0.1 + 0.05) / 2 });
    // 20 steps in tenths of 2: step 1, then the middles 1.5, 3.5, …, 19.5 — one per value of the curve
    expect(lossCurveSteps(20)).toEqual([1, 1.5, 3.5, 5.5, 7.5, 9.5, 11.5, 13.5, 15.5, 17.5, 19.5]);
    expect(lossCurveSteps(20).length).toBe(lossCurve(join(out, 'small-seed3')).length);
    expect(lossCurveSteps(5)).toEqual([1, 1, 2, 3, 4, 5]); // tenths of one step
    const curve = formatLossCurves(out, ['small-seed3']).split('\n')[2];
    expect(curve.startsWith('| small-seed3 | 1.000 | 0.975 | 0.875 |')).toBe(true);
  });

  it('the small variant is the preset, and every variant resolves to a run config', () => {
    expect(VARIANTS.small.base?.mask).toEqual([{ type: 'future' }]);
    expect(VARIANTS['time-gaps'].base?.mask).toEqual([{ type: 'multiblock', spatialScale: [1, 1], temporalScale: [0.125, 0.25], aspectRatio: [1, 1], numBlocks: 2 }]);
    const [small, future] = ['small', 'future'].map((name) => resolveRunConfig({ ...modelFlags(0, 350), ...VARIANTS[name].flags }, VARIANTS[name].base ?? {}));
    expect({ ...small, preset: undefined }).toEqual({ ...future, preset: undefined }); // the preset is the measured `future` recipe
    expect(Object.keys(VARIANTS)).toEqual(expect.arrayContaining(['official', 'small', 'pixels', 'random']));
    for (const [name, recipe] of Object.entries(VARIANTS)) {
      if (recipe.untrained) continue;
      const config = resolveRunConfig({ ...modelFlags(0, 350), ...recipe.flags }, recipe.base ?? {});
      expect(config.optimization.steps, name).toBe(350);
      expect(config.model.encoder, name).toMatchObject({ dim: 192, depth: 6, imageSize: 64, frames: 16 });
    }
    expect(resolveRunConfig(modelFlags(0, 350), VARIANTS['time-gaps-l2'].base).optimization.lossExp).toBe(2);
  });

  it('issue 11: the trainer-option variants, the benchmarks\' tasks, whitened rows beside plain ones, and the bars', () => {
    const resolve = (name: string, data = 'synthetic:motion-flat') => resolveRunConfig({ ...modelFlags(0, 350), data, ...VARIANTS[name].flags }, VARIANTS[name].base ?? {});
    expect(resolve('sigreg').optimization.regularizer).toEqual({ kind: 'sigreg', weight: 0.05, samples: 'tokens', seed: 0 });
    expect(resolve('vicreg-samples').optimization.regularizer).toEqual({ kind: 'vicreg', weight: 1 });
    expect(resolve('sigreg-frozen').optimization).toMatchObject({ regularizer: { kind: 'sigreg', weight: 0.05 }, frozenTeacher: true });
    expect(resolve('future').mask).toEqual([{ type: 'future' }]);
    expect(resolve('change-weighted').optimization.changeWeighting).toBe(0.5);
    expect(resolve('official', 'synthetic:mnist').data.spec).toBe('synthetic:mnist');
    expect(tasksOf('synthetic:mnist')).toEqual(['digit', 'direction']);
    expect(tasksOf('synthetic:motion-noise')).toEqual(['shape', 'direction']);
    const rows = [
      row('random', 0, 'random', 'shape', 0.3), { ...row('random', 0, 'random', 'shape', 0.5), whiten: 'pca' as const },
      row('sigreg', 0, 'target', 'shape', 0.2), { ...row('sigreg', 0, 'target', 'shape', 0.6), whiten: 'pca' as const },
    ];
    expect(accuracyBars([row('raw-pixels', 0, 'pixels', 'direction', 0.5)])).toEqual([{ group: 'direction', name: 'raw-pixels', value: 0.5, chance: 0.125 }]);
    expect(formatTable(rows).split('\n').slice(2)).toEqual([
      '| random | random | 0 | 30.0 ± 0.0 | – |',
      '| random | random + pca | 0 | 50.0 ± 0.0 | – |',
      '| sigreg | target | 0 | 20.0 ± 0.0 | – |',
      '| sigreg | target + pca | 0 | 60.0 ± 0.0 | – |',
    ]);
    expect(formatComparison(rows).split('\n')).toEqual([
      'sigreg (target) vs untrained, points: shape -10.0',
      'sigreg (target + pca) vs untrained + pca, points: shape +10.0',
    ]);
    expect(accuracyBars(rows)).toEqual([
      { group: 'shape', name: 'untrained', value: 0.3, chance: 0.25 },
      { group: 'shape', name: 'untrained+pca', value: 0.5, chance: 0.25 },
      { group: 'shape', name: 'sigreg/target', value: 0.2, chance: 0.25 },
      { group: 'shape', name: 'sigreg/target+pca', value: 0.6, chance: 0.25 },
    ]);
  });

  it('the main job\'s summary: one line per encoder and task, mean over seeds, chance beside; ambiguous rows refused', () => {
    const pca = { whiten: 'pca' as const };
    const rows = [
      { ...row('random', 0, 'random', 'direction', 0.6), ...pca }, { ...row('random', 1, 'random', 'direction', 0.7), ...pca },
      { ...row('small', 0, 'target', 'direction', 0.8), ...pca }, { ...row('small', 1, 'target', 'direction', 0.9), ...pca },
      { ...row('small', 0, 'online', 'direction', 0.75), ...pca }, { ...row('small', 0, 'online', 'shape', 0.5), ...pca },
      { ...row('raw-pixels', 0, 'pixels', 'direction', 0.3), ...pca },
    ];
    expect(summaryLines(rows)).toEqual([
      { encoder: 'pretrained-target', task: 'direction', top1: 0.85, chance: 0.125 },
      { encoder: 'pretrained-online', task: 'direction', top1: 0.75, chance: 0.125 },
      { encoder: 'pretrained-online', task: 'shape', top1: 0.5, chance: 0.25 },
      { encoder: 'untrained', task: 'direction', top1: 0.65, chance: 0.125 },
    ]);
    expect(() => summaryLines([...rows, row('official', 0, 'target', 'direction', 0.1)])).toThrow(/one pretrained variant, received small, official/);
    expect(() => summaryLines([...rows, row('random', 2, 'random', 'direction', 0.1)])).toThrow(/one whitening, received pca, none/);
  });

  it('collects the per-encoder results files of a run probed by two processes', () => {
    const out = mkdtempSync(join(tmpdir(), 'vjepa-evidence-'));
    mkdirSync(join(out, 'small-seed0'));
    writeFileSync(join(out, 'small-seed0', 'results-online.json'), JSON.stringify([row('small', 0, 'online', 'shape', 0.5)]));
    writeFileSync(join(out, 'small-seed0', 'results-target.json'), JSON.stringify([row('small', 0, 'target', 'shape', 0.4)]));
    writeFileSync(join(out, 'small-seed0', 'log.txt'), JSON.stringify({ top1: 0.1, task: 'shape', encoder: 'target' }));
    expect(collectResults(out, ['small-seed0']).map((r) => [r.encoder, r.top1])).toEqual([['online', 0.5], ['target', 0.4]]);
  });
});
