import { describe, expect, it } from 'vitest';
import { cellKey, type Cell, type CellRecord, type SurpriseSummary } from './cells';
import { TABLE_PLAN, renderTable, replaceMarked, tableCells, type TablePlan } from './pretraining-table';

const plan: TablePlan = { ...TABLE_PLAN, seeds: [0, 1], budgets: [100, 300], longBudget: 300, longSeeds: [0], sets: ['synthetic:voe-reversal'], labelsPerClass: [4, 'all'], regularizerPairs: [['vicreg-samples', 'vicreg-tokens']], regularizerBudget: 100 };
const record = (cell: Cell, result: CellRecord['result'], seconds = 60): CellRecord => ({ key: cellKey(cell), cell, seconds, result });
const row = (kind: SurpriseSummary['kind'], accuracy: number, auroc: number): SurpriseSummary => ({
  scorer: kind, kind, set: 'synthetic:voe-reversal', pairs: 64, accuracy: { max: accuracy, mean: 0 }, auroc: { max: auroc, mean: 0 },
});

describe("issue 21's table", () => {
  it('lists every cell once: baselines per seed, per budget the pretrainings and their cells, the long budget for its seeds only', () => {
    const cells = tableCells(plan);
    expect(new Set(cells.map(cellKey)).size).toBe(cells.length);
    const count = (f: (c: Cell) => boolean) => cells.filter(f).length;
    // pretrainings: small and pixels at 100 for both seeds, at 300 (the long budget) for seed 0; two regularised variants per seed
    expect(count((c) => c.kind === 'pretrain')).toBe(2 * 2 + 2 + 2 * 2);
    expect(count((c) => c.kind === 'finetune' && c.encoder === 'untrained')).toBe(2 * 2);
    expect(count((c) => c.kind === 'finetune' && c.encoder === 'target')).toBe(3 * 2);
    expect(cells.find((c) => c.kind === 'surprise' && c.of === 'untrained' && c.steps === 300)).toMatchObject({ untrainedSteps: 300, seed: 0 });
    expect(tableCells({ ...plan, untrainedStepsCap: 50 }).filter((c) => c.kind === 'surprise' && c.of === 'untrained').map((c) => c.kind === 'surprise' && c.untrainedSteps)).toEqual([50, 50, 50]);
    expect(tableCells(TABLE_PLAN)).toHaveLength(3 * 6 + (3 + 3 + 1) * 10 + 3 * 4 * 3);
  });

  it('renders mean ± sd over seeds, the count where a seed is missing, and – where nothing was measured', () => {
    const small = (seed: number, steps: number) => ({ variant: 'small', seed, steps, data: plan.data });
    const surprise = { kind: 'surprise' as const, sets: plan.sets, count: 64 };
    const records = [
      record({ ...small(0, 100), ...surprise, of: 'pretrained' }, { kind: 'surprise', rows: [row('run', 0.6, 0.7)] }),
      record({ ...small(1, 100), ...surprise, of: 'pretrained' }, { kind: 'surprise', rows: [row('run', 0.8, 0.9)] }),
      record({ ...small(0, 100), ...surprise, of: 'pixels' }, { kind: 'surprise', rows: [row('frame-diff', 0.5, 0.5), row('tracker', 1, 1)] }),
      record({ ...small(0, 100), kind: 'finetune', encoder: 'target', label: 'direction', labelsPerClass: 4, finetuneSteps: 300 }, { kind: 'finetune', top1: 0.25, train: 32, val: 512 }),
      record({ ...small(0, 100), kind: 'finetune', encoder: 'untrained', label: 'direction', labelsPerClass: 4, finetuneSteps: 300 }, { kind: 'finetune', top1: 0.125, train: 32, val: 512 }),
      record({ ...small(0, 100), kind: 'knn', encoder: 'target' }, { kind: 'knn', top1: { shape: 0.5, direction: 0.25 } }),
      record({ ...small(0, 100), kind: 'pretrain' }, { kind: 'pretrain', lossStart: 0.8, lossEnd: 0.4 }, 600),
      record({ ...small(0, 100), variant: 'vicreg-tokens', kind: 'knn', encoder: 'target' }, { kind: 'knn', top1: { shape: 0.3, direction: 0.2 } }),
    ];
    const lines = renderTable(plan, records).split('\n');
    expect(lines).toContain('| voe-reversal | 100 | 70.0 ± 14.1 / 80.0 ± 14.1 | – / – | – / – | 50.0 ± 0.0 (n 1) / 50.0 ± 0.0 (n 1) | 100.0 ± 0.0 (n 1) / 100.0 ± 0.0 (n 1) |');
    expect(lines).toContain('| voe-reversal | 300 | – / – | – / – | – / – | 50.0 ± 0.0 (n 1) / 50.0 ± 0.0 (n 1) | 100.0 ± 0.0 (n 1) / 100.0 ± 0.0 (n 1) |');
    expect(lines).toContain('| 100 | 25.0 ± 0.0 (n 1) / 12.5 ± 0.0 (n 1) | – / – |');
    expect(lines).toContain('| 100 | 50.0 ± 0.0 (n 1) / – | 25.0 ± 0.0 (n 1) / – |');
    expect(lines).toContain('| vicreg-tokens | 30.0 ± 0.0 (n 1) | 20.0 ± 0.0 (n 1) | – / – |');
    expect(lines).toContain('| 100 | 1 | 10.0 | 0.800 → 0.400 |');
  });

  it('replaces what lies between the README markers', () => {
    expect(replaceMarked('a\n<!-- pretraining-table -->\nold\n<!-- /pretraining-table -->\nb', '| t |')).toBe('a\n<!-- pretraining-table -->\n| t |\n<!-- /pretraining-table -->\nb');
    expect(() => replaceMarked('no markers', 'x')).toThrow(/expected the markers/);
  });
});
