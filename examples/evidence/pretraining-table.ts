/**
 * Issue 21's table: what pretraining buys at three budgets — surprise at impossible events (pretrained
 * predictor against every baseline), fine-tuned top-1 with 4, 16, 64 labels per class and all (pretrained
 * against random init), a frozen k-NN read-out — and the regulariser decision (statistics over token rows
 * against over samples). {@link tableCells} lists the cells, {@link renderTable} draws the markdown from
 * their records.
 */
import { VOE_SETS } from '@vjepa/data';
import type { Cell, CellBase, CellRecord } from './cells';

/** What the table measures and how large. */
export interface TablePlan {
  /** The pretrained variant (default `small`, the main job's). */
  variant: string;
  /** The `--target pixels` variant scored as the pixel-model baseline (default `pixels`). */
  pixelsVariant: string;
  data: string;
  seeds: number[];
  /** Pretraining budgets in steps; `longBudget` runs with `longSeeds` only. */
  budgets: number[];
  longBudget: number;
  longSeeds: number[];
  /** Surprise: pair sets, pairs per set, and the cap on the untrained baseline's predictor steps (it trains min(budget, cap)). */
  sets: string[];
  pairs: number;
  untrainedStepsCap: number;
  /** Fine-tuning: label, labels per class, optimizer steps (the same compute for every label count). */
  label: string;
  labelsPerClass: (number | 'all')[];
  finetuneSteps: number;
  /** The regulariser decision: pairs of variants [over samples, over token rows] at `regularizerBudget` steps. */
  regularizerPairs: [string, string][];
  regularizerBudget: number;
  /** Clip counts of the k-NN and fine-tuning sets (default 1024 / 512). */
  trainSize?: number;
  valSize?: number;
}

/** The table of the issue: 3 seeds, 1,000 and 3,000 steps, 10,000 once; every event; 4/16/64/all labels a class. */
export const TABLE_PLAN: TablePlan = {
  variant: 'small',
  pixelsVariant: 'pixels',
  data: 'synthetic:motion-noise',
  seeds: [0, 1, 2],
  budgets: [1000, 3000, 10000],
  longBudget: 10000,
  longSeeds: [0],
  sets: [...VOE_SETS],
  pairs: 64,
  untrainedStepsCap: 3000,
  label: 'direction',
  labelsPerClass: [4, 16, 64, 'all'],
  finetuneSteps: 300,
  regularizerPairs: [['vicreg-samples', 'vicreg-tokens'], ['sigreg-samples', 'sigreg-tokens']],
  regularizerBudget: 1000,
};

/**
 * The cells of a plan, cheapest first within each seed: the pixel and untrained baselines that need no
 * pretraining (once per seed; the untrained predictor once per budget), then per budget the pretrainings and
 * the cells that read them, then the regulariser decision.
 */
export function tableCells(plan: TablePlan): Cell[] {
  const sizes = { ...(plan.trainSize === undefined ? {} : { trainSize: plan.trainSize }), ...(plan.valSize === undefined ? {} : { valSize: plan.valSize }) };
  const at = (variant: string, seed: number, steps: number): CellBase => ({ variant, seed, steps, data: plan.data, ...sizes });
  const surprise = { kind: 'surprise' as const, sets: plan.sets, count: plan.pairs };
  const finetunes = (base: CellBase, encoder: 'target' | 'untrained'): Cell[] =>
    plan.labelsPerClass.map((labelsPerClass) => ({ ...base, kind: 'finetune', encoder, label: plan.label, labelsPerClass, finetuneSteps: plan.finetuneSteps }));
  const cells: Cell[] = [];
  for (const seed of plan.seeds) {
    const budgets = plan.budgets.filter((b) => b !== plan.longBudget || plan.longSeeds.includes(seed));
    // budget-independent baselines carry the first budget (only the clip geometry and the architecture matter to them)
    const first = at(plan.variant, seed, plan.budgets[0]);
    cells.push({ ...first, ...surprise, of: 'pixels' }, { ...first, kind: 'knn', encoder: 'untrained' }, ...finetunes(first, 'untrained'));
    for (const steps of budgets) {
      const base = at(plan.variant, seed, steps);
      const pixels = at(plan.pixelsVariant, seed, steps);
      cells.push(
        { ...base, ...surprise, of: 'untrained', untrainedSteps: Math.min(steps, plan.untrainedStepsCap) },
        { ...base, kind: 'pretrain' },
        { ...pixels, kind: 'pretrain' },
        { ...base, ...surprise, of: 'pretrained' },
        { ...pixels, ...surprise, of: 'pretrained' },
        { ...base, kind: 'knn', encoder: 'target' },
        ...finetunes(base, 'target'),
      );
    }
  }
  for (const seed of plan.seeds) {
    for (const variant of plan.regularizerPairs.flat()) {
      const base = at(variant, seed, plan.regularizerBudget);
      cells.push({ ...base, kind: 'pretrain' }, { ...base, kind: 'knn', encoder: 'target' }, { ...base, ...surprise, of: 'pretrained' });
    }
  }
  return cells;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** `mean ± sd` in percent over seeds (sample sd, 0 for one value), with the count when it is not `expected`; `–` when none. */
function cell(values: number[], expected: number): string {
  if (!values.length) return '–';
  const mu = mean(values);
  const sd = values.length > 1 ? Math.sqrt(values.reduce((sum, v) => sum + (v - mu) ** 2, 0) / (values.length - 1)) : 0;
  return `${(100 * mu).toFixed(1)} ± ${(100 * sd).toFixed(1)}${values.length === expected ? '' : ` (n ${values.length})`}`;
}

/** The surprise rows of the records, flattened with their cell. */
function surpriseRows(records: readonly CellRecord[]) {
  return records.flatMap((r) => (r.result.kind === 'surprise' && r.cell.kind === 'surprise' ? r.result.rows.map((row) => ({ cell: r.cell, row })) : []));
}

/**
 * The markdown of the table from the records: surprise per event and budget (pairwise accuracy and AUROC by the
 * clip's max surprise, % mean ± sd over seeds; the frame-difference and tracker columns do not depend on the
 * budget), fine-tuned top-1 per budget and labels per class, k-NN top-1, the regulariser decision, and the
 * pretraining cost per budget.
 */
export function renderTable(plan: TablePlan, records: readonly CellRecord[]): string {
  const budgetsOf = plan.budgets;
  const seedsAt = (steps: number) => (steps === plan.longBudget ? plan.longSeeds.filter((s) => plan.seeds.includes(s)).length : plan.seeds.length);
  const out: string[] = [];
  const rows = surpriseRows(records);
  const scorers = [
    { name: 'pretrained', pick: (c: CellBase, kind: string, steps: number) => kind === 'run' && c.variant === plan.variant && c.steps === steps },
    { name: 'pixel model', pick: (c: CellBase, kind: string, steps: number) => kind === 'pixels' && c.variant === plan.pixelsVariant && c.steps === steps },
    { name: 'untrained', pick: (c: CellBase, kind: string, steps: number) => kind === 'untrained' && c.variant === plan.variant && c.steps === steps },
    { name: 'frame-diff', pick: (_c: CellBase, kind: string) => kind === 'frame-diff' },
    { name: 'tracker', pick: (_c: CellBase, kind: string) => kind === 'tracker' },
  ];
  out.push('Surprise: pairwise accuracy / AUROC, % (by the clip\'s max surprise), mean ± sd over seeds', '');
  out.push(`| event | steps | ${scorers.map((s) => s.name).join(' | ')} |`, `|---|---|${scorers.map(() => '---|').join('')}`);
  for (const set of plan.sets) {
    for (const steps of budgetsOf) {
      const cells = scorers.map((s) => {
        const picked = rows.filter(({ cell: c, row }) => row.set === set && s.pick(c, row.kind, steps));
        const n = s.name === 'frame-diff' || s.name === 'tracker' ? plan.seeds.length : seedsAt(steps);
        return `${cell(picked.map((p) => p.row.accuracy.max), n)} / ${cell(picked.map((p) => p.row.auroc.max), n)}`;
      });
      out.push(`| ${set.replace('synthetic:', '')} | ${steps} | ${cells.join(' | ')} |`);
    }
  }
  const finetune = (encoder: 'target' | 'untrained', steps: number | null, labels: number | 'all') =>
    records.flatMap((r) => (r.result.kind === 'finetune' && r.cell.kind === 'finetune' && r.cell.encoder === encoder && r.cell.labelsPerClass === labels && (steps === null || r.cell.steps === steps) && r.cell.variant === plan.variant ? [r.result.top1] : []));
  out.push('', `Fine-tuned top-1 on '${plan.label}', % (${plan.finetuneSteps} steps for every label count): pretrained / random init`, '');
  out.push(`| steps | ${plan.labelsPerClass.map((l) => (l === 'all' ? 'all labels' : `${l} a class`)).join(' | ')} |`, `|---|${plan.labelsPerClass.map(() => '---|').join('')}`);
  for (const steps of budgetsOf) {
    out.push(`| ${steps} | ${plan.labelsPerClass.map((l) => `${cell(finetune('target', steps, l), seedsAt(steps))} / ${cell(finetune('untrained', null, l), plan.seeds.length)}`).join(' | ')} |`);
  }
  const knn = (variant: string, encoder: 'target' | 'untrained', steps: number | null, task: string) =>
    records.flatMap((r) => (r.result.kind === 'knn' && r.cell.kind === 'knn' && r.cell.encoder === encoder && r.cell.variant === variant && (steps === null || r.cell.steps === steps) && task in r.result.top1 ? [r.result.top1[task]] : []));
  const tasks = [...new Set(records.flatMap((r) => (r.result.kind === 'knn' ? Object.keys(r.result.top1) : [])))];
  out.push('', 'Frozen k-NN top-1, % (20 neighbours): pretrained target encoder / untrained', '');
  out.push(`| steps | ${tasks.join(' | ')} |`, `|---|${tasks.map(() => '---|').join('')}`);
  for (const steps of budgetsOf) out.push(`| ${steps} | ${tasks.map((t) => `${cell(knn(plan.variant, 'target', steps, t), seedsAt(steps))} / ${cell(knn(plan.variant, 'untrained', null, t), plan.seeds.length)}`).join(' | ')} |`);
  const reversal = plan.sets.find((s) => s.endsWith('voe-reversal')) ?? plan.sets[0];
  out.push('', `Regulariser statistics over samples against over token rows (${plan.regularizerBudget} steps)`, '');
  out.push(`| variant | ${tasks.map((t) => `k-NN ${t}`).join(' | ')} | surprise ${reversal.replace('synthetic:', '')} acc / AUROC |`, `|---|${tasks.map(() => '---|').join('')}---|`);
  for (const variant of plan.regularizerPairs.flat()) {
    const picked = rows.filter(({ cell: c, row }) => c.variant === variant && c.steps === plan.regularizerBudget && row.kind === 'run' && row.set === reversal);
    const n = plan.seeds.length;
    out.push(`| ${variant} | ${tasks.map((t) => cell(knn(variant, 'target', plan.regularizerBudget, t), n)).join(' | ')} | ${cell(picked.map((p) => p.row.accuracy.max), n)} / ${cell(picked.map((p) => p.row.auroc.max), n)} |`);
  }
  const pretrains = (steps: number) => records.filter((r) => r.cell.kind === 'pretrain' && r.cell.variant === plan.variant && r.cell.steps === steps);
  out.push('', 'Pretraining cost: minutes per run on this machine (mean over the runs recorded), loss first → last 10 %', '');
  out.push('| steps | runs | minutes | loss |', '|---|---|---|---|');
  for (const steps of budgetsOf) {
    const done = pretrains(steps);
    const losses = done.flatMap((r) => (r.result.kind === 'pretrain' ? [r.result] : []));
    const loss = losses.length ? `${mean(losses.map((l) => l.lossStart)).toFixed(3)} → ${mean(losses.map((l) => l.lossEnd)).toFixed(3)}` : '–';
    out.push(`| ${steps} | ${done.length} | ${done.length ? (mean(done.map((r) => r.seconds)) / 60).toFixed(1) : '–'} | ${loss} |`);
  }
  return out.join('\n');
}

/** `text` with what lies between `<!-- pretraining-table -->` and `<!-- /pretraining-table -->` replaced by `table`. */
export function replaceMarked(text: string, table: string): string {
  const [open, close] = ['<!-- pretraining-table -->', '<!-- /pretraining-table -->'];
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`the README: expected the markers ${open} … ${close}, received none`);
  return `${text.slice(0, start + open.length)}\n${table}\n${text.slice(end)}`;
}
