/**
 * The printed forms of surprise rows: an aligned table (one line per scorer and pair set) and one JSON
 * object per row.
 *
 * @packageDocumentation
 */
import type { SurpriseRow } from './run';

/** The header of {@link formatSurpriseTable}. */
export const SURPRISE_TABLE_HEADER = ['scorer', 'kind', 'set', 'pairs', 'acc(max)', 'acc(mean)', 'auroc(max)', 'auroc(mean)'] as const;

/** The rows as an aligned text table, accuracies and AUROCs to three decimals. */
export function formatSurpriseTable(rows: readonly SurpriseRow[]): string {
  const cells = rows.map((r) => [r.scorer, r.kind, r.set, String(r.pairs), ...[r.accuracy.max, r.accuracy.mean, r.auroc.max, r.auroc.mean].map((v) => v.toFixed(3))]);
  const all = [[...SURPRISE_TABLE_HEADER], ...cells];
  const widths = SURPRISE_TABLE_HEADER.map((_, k) => Math.max(...all.map((line) => line[k].length)));
  return all.map((line) => line.map((cell, k) => (k < 3 ? cell.padEnd(widths[k]) : cell.padStart(widths[k]))).join('  ').trimEnd()).join('\n');
}

/**
 * One JSON object per row (no per-pair scores):
 * `{"scorer","kind","set","pairs","accuracy_max","accuracy_mean","auroc_max","auroc_mean"}`.
 */
export function surpriseJson(row: SurpriseRow): string {
  return JSON.stringify({
    scorer: row.scorer,
    kind: row.kind,
    set: row.set,
    pairs: row.pairs,
    accuracy_max: row.accuracy.max,
    accuracy_mean: row.accuracy.mean,
    auroc_max: row.auroc.max,
    auroc_mean: row.auroc.mean,
  });
}

/** One measurement line of the main job: the pretrained scorer's value beside one baseline's. */
export interface SurpriseMeasurement {
  /** `pretrained-online`: the predictor reads the online (context) encoder, as in training. */
  encoder: 'pretrained-online';
  /** `surprise/<set>`, e.g. `surprise/synthetic:voe-reversal`. */
  task: string;
  /** `pairwise_accuracy_max`, `pairwise_accuracy_mean`, `auroc_max` or `auroc_mean`. */
  metric: string;
  value: number;
  /** `untrained`, `pixels` (a `--target pixels` run), `frame-diff` or `tracker`. */
  baseline: string;
  baseline_value: number;
}

/**
 * The main job's form of surprise rows: for each feature run's row (kind `run`) and each baseline row of the
 * same set (`untrained`, `pixels`, `frame-diff`, `tracker`), one measurement per metric. With several feature
 * runs, each is compared on its own.
 */
export function surpriseMeasurements(rows: readonly SurpriseRow[]): SurpriseMeasurement[] {
  const metrics = [
    ['pairwise_accuracy_max', (r: SurpriseRow) => r.accuracy.max],
    ['pairwise_accuracy_mean', (r: SurpriseRow) => r.accuracy.mean],
    ['auroc_max', (r: SurpriseRow) => r.auroc.max],
    ['auroc_mean', (r: SurpriseRow) => r.auroc.mean],
  ] as const;
  return rows
    .filter((run) => run.kind === 'run')
    .flatMap((run) =>
      rows
        .filter((other) => other.kind !== 'run' && other.set === run.set)
        .flatMap((baseline) =>
          metrics.map(([metric, read]) => ({
            encoder: 'pretrained-online' as const,
            task: `surprise/${run.set}`,
            metric,
            value: read(run),
            baseline: baseline.kind,
            baseline_value: read(baseline),
          })),
        ),
    );
}
