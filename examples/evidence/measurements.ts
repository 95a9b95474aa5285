/**
 * The main job's closing lines (issue 21): one JSON line per measurement,
 * `{"encoder","task","metric","value","baseline","baseline_value"}`, of what pretraining buys — surprise at
 * impossible motion, a frozen k-NN read-out, fine-tuning with few labels, and the attentive probes — each
 * the pretrained encoder's value beside a baseline's, means over seeds.
 */
import { surpriseMeasurements, type SurpriseRow } from '@vjepa/trainer';
import type { Cell, CellBase, CellRecord, SurpriseSummary } from './cells';
import type { ResultRow } from './experiment';

/** One line of the main job's measurements. */
export interface MeasurementLine {
  encoder: 'pretrained-target' | 'pretrained-online' | 'untrained';
  task: string;
  metric: string;
  value: number;
  baseline: string;
  baseline_value: number;
}

/** The main job's measurements: which, and how large (see {@link mainJobCells}). */
export interface MainJobMeasures {
  /** Any of `surprise`, `knn`, `finetune`. */
  measure: string[];
  /** Surprise pair sets and pairs per set. */
  sets: string[];
  pairs: number;
  /** Steps of the untrained baseline's predictor on its frozen features. */
  untrainedSteps: number;
  /** Fine-tuning: the label, labels per class and optimizer steps. */
  label: string;
  labelsPerClass: number;
  finetuneSteps: number;
}

/** The main job's defaults, sized to fit its 12 minutes on 2 cores beside the pretraining and the probes. */
export const MAIN_JOB_MEASURES: MainJobMeasures = {
  measure: ['surprise', 'knn', 'finetune'],
  sets: ['synthetic:voe-reversal'],
  pairs: 64,
  untrainedSteps: 300,
  label: 'direction',
  labelsPerClass: 16,
  finetuneSteps: 80,
};

/**
 * The measures of `--measure[=surprise,knn,finetune]` and its sizes: `--measure-pairs`, `--measure-untrained-steps`,
 * `--measure-label`, `--measure-labels-per-class`, `--measure-finetune-steps` (defaults {@link MAIN_JOB_MEASURES}).
 */
export function measureFlags(args: Record<string, string>): MainJobMeasures {
  const number = (key: string, fallback: number) => {
    if (args[key] === undefined) return fallback;
    const value = Number(args[key]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${key}: expected a positive integer, received ${args[key]}`);
    return value;
  };
  const d = MAIN_JOB_MEASURES;
  return {
    measure: args.measure === undefined || args.measure === 'true' ? d.measure : args.measure.split(','),
    sets: args['measure-sets']?.split(',') ?? d.sets,
    pairs: number('measure-pairs', d.pairs),
    untrainedSteps: number('measure-untrained-steps', d.untrainedSteps),
    label: args['measure-label'] ?? d.label,
    labelsPerClass: number('measure-labels-per-class', d.labelsPerClass),
    finetuneSteps: number('measure-finetune-steps', d.finetuneSteps),
  };
}

/** The cells of the main job for one pretraining: those of the untrained encoder first (they need no pretraining). */
export function mainJobCells(base: CellBase, m: MainJobMeasures = MAIN_JOB_MEASURES): Cell[] {
  const wants = (what: string) => m.measure.includes(what);
  const surprise = { ...base, kind: 'surprise' as const, sets: m.sets, count: m.pairs };
  const finetune = { ...base, kind: 'finetune' as const, label: m.label, labelsPerClass: m.labelsPerClass, finetuneSteps: m.finetuneSteps };
  const cells: Cell[] = [
    ...(wants('surprise') ? [{ ...surprise, of: 'untrained' as const, untrainedSteps: m.untrainedSteps }, { ...surprise, of: 'pixels' as const }] : []),
    ...(wants('knn') ? [{ ...base, kind: 'knn' as const, encoder: 'untrained' as const }] : []),
    ...(wants('finetune') ? [{ ...finetune, encoder: 'untrained' as const }] : []),
    ...(wants('surprise') ? [{ ...surprise, of: 'pretrained' as const }] : []),
    ...(wants('knn') ? [{ ...base, kind: 'knn' as const, encoder: 'target' as const }] : []),
    ...(wants('finetune') ? [{ ...finetune, encoder: 'target' as const }] : []),
  ];
  for (const what of m.measure) if (!['surprise', 'knn', 'finetune'].includes(what)) throw new Error(`--measure: expected surprise, knn, finetune, received ${what}`);
  return cells;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round = (x: number) => Number(x.toFixed(4));

/** Surprise rows averaged over seeds per scorer kind and set (the scorer's name becomes its kind). */
function meanSurpriseRows(rows: readonly SurpriseSummary[]): SurpriseRow[] {
  const groups = new Map<string, SurpriseSummary[]>();
  for (const row of rows) groups.set(`${row.kind}|${row.set}`, [...(groups.get(`${row.kind}|${row.set}`) ?? []), row]);
  const order = ['run', 'untrained', 'pixels', 'frame-diff', 'tracker'];
  const rank = (group: SurpriseSummary[]) => order.indexOf(group[0].kind);
  return [...groups.values()].sort((a, b) => rank(a) - rank(b)).map((group) => {
    const of = (read: (r: SurpriseSummary) => number) => round(mean(group.map(read)));
    return {
      scorer: group[0].kind,
      kind: group[0].kind,
      set: group[0].set,
      pairs: group.reduce((sum, r) => sum + r.pairs, 0),
      accuracy: { max: of((r) => r.accuracy.max), mean: of((r) => r.accuracy.mean) },
      auroc: { max: of((r) => r.auroc.max), mean: of((r) => r.auroc.mean) },
      scores: [],
    };
  });
}

/**
 * The measurement lines of the cells' records: surprise (the pretrained predictor, online encoder, against the
 * untrained, pixel-model, frame-difference and tracker baselines, per set and metric), k-NN top-1 per task and
 * fine-tuned top-1 (the target encoder against an untrained one of the same architecture).
 */
export function cellMeasurementLines(records: readonly CellRecord[]): MeasurementLine[] {
  const surprise = records.flatMap((r) => (r.result.kind === 'surprise' ? r.result.rows : []));
  const lines: MeasurementLine[] = surpriseMeasurements(meanSurpriseRows(surprise)).map((line) => ({ ...line, value: round(line.value), baseline_value: round(line.baseline_value) }));
  const versus = (kind: 'knn' | 'finetune', metricOf: (cell: Cell) => string, values: (record: CellRecord) => Record<string, number>) => {
    const byMetric = new Map<string, { target: number[]; untrained: number[] }>();
    for (const record of records) {
      const { cell } = record;
      if (cell.kind !== kind) continue;
      for (const [task, value] of Object.entries(values(record))) {
        const key = `${task}|${metricOf(cell)}`;
        const entry = byMetric.get(key) ?? { target: [], untrained: [] };
        entry[cell.encoder].push(value);
        byMetric.set(key, entry);
      }
    }
    for (const [key, { target, untrained }] of byMetric) {
      if (!target.length || !untrained.length) continue;
      const [task, metric] = key.split('|');
      lines.push({ encoder: 'pretrained-target', task, metric, value: round(mean(target)), baseline: 'untrained', baseline_value: round(mean(untrained)) });
    }
  };
  versus('knn', () => 'knn_top1', (r) => (r.result.kind === 'knn' ? r.result.top1 : {}));
  versus(
    'finetune',
    (cell) => `finetune_top1_${cell.kind === 'finetune' ? cell.labelsPerClass : ''}_per_class`,
    (r) => (r.result.kind === 'finetune' && r.cell.kind === 'finetune' ? { [r.cell.label]: r.result.top1 } : {}),
  );
  return lines;
}

/** The attentive probes' rows of the evidence table as measurement lines: each pretrained encoder against the untrained one, same whitening. */
export function probeMeasurementLines(rows: readonly ResultRow[]): MeasurementLine[] {
  const lines: MeasurementLine[] = [];
  const tasks = [...new Set(rows.map((r) => r.task))];
  const whitenings = [...new Set(rows.map((r) => r.whiten ?? 'none'))];
  for (const encoder of ['target', 'online'] as const) {
    for (const whiten of whitenings) {
      for (const task of tasks) {
        const of = (e: ResultRow['encoder']) => rows.filter((r) => r.encoder === e && r.task === task && (r.whiten ?? 'none') === whiten).map((r) => r.top1);
        const [trained, untrained] = [of(encoder), of('random')];
        if (!trained.length || !untrained.length) continue;
        const metric = `attentive_probe_top1${whiten === 'none' ? '' : `_${whiten}`}`;
        lines.push({ encoder: `pretrained-${encoder}`, task, metric, value: round(mean(trained)), baseline: 'untrained', baseline_value: round(mean(untrained)) });
      }
    }
  }
  return lines;
}
