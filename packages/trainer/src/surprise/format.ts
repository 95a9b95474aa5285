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
