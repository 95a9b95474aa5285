import { fail } from '@vjepa/core';

/**
 * The confusion matrix: `confusion[t][p]` counts the clips of true class `t` predicted as `p` (rows are
 * true classes, columns predictions).
 *
 * @param labels - true class per clip.
 * @param predictions - predicted class per clip (same length).
 * @param classes - number of classes C; the matrix is C × C.
 */
export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes: number): number[][] {
  if (!Number.isInteger(classes) || classes < 1) fail('classes', 'a positive integer', classes);
  if (predictions.length !== labels.length) fail('predictions', `${labels.length} predictions, one per label`, predictions.length);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const [truth, predicted] = [labels[i], predictions[i]];
    if (!Number.isInteger(truth) || truth < 0 || truth >= classes) fail(`labels[${i}]`, `a class index in [0, ${classes})`, truth);
    if (!Number.isInteger(predicted) || predicted < 0 || predicted >= classes) {
      fail(`predictions[${i}]`, `a class index in [0, ${classes})`, predicted);
    }
    confusion[truth][predicted] += 1;
  }
  return confusion;
}

/** Options of {@link formatConfusionMatrix}. */
export interface FormatConfusionOptions {
  /** A name per class (default the class indices). */
  classNames?: readonly string[];
}

/**
 * A plain-text rendering of a confusion matrix: a header row of predicted classes, then one row per
 * true class with its counts, right-aligned, and the row's recall.
 *
 * @example
 * formatConfusionMatrix([[2, 0], [1, 3]], { classNames: ['cat', 'dog'] });
 * // true \ predicted  cat  dog  recall
 * // cat                 2    0  100.0%
 * // dog                 1    3   75.0%
 */
export function formatConfusionMatrix(confusion: readonly (readonly number[])[], options: FormatConfusionOptions = {}): string {
  const classes = confusion.length;
  if (classes === 0 || confusion.some((row) => !Array.isArray(row) || row.length !== classes)) {
    fail('confusion', 'a square C × C matrix of counts', confusion);
  }
  const names = options.classNames ?? Array.from({ length: classes }, (_, i) => String(i));
  if (names.length !== classes) fail('classNames', `${classes} names, one per class`, names.length);
  const corner = 'true \\ predicted';
  const recalls = confusion.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? '-' : `${((100 * row[t]) / total).toFixed(1)}%`;
  });
  const labelWidth = Math.max(corner.length, ...names.map((n) => n.length));
  const cellWidth = Math.max(...names.map((n) => n.length), ...confusion.flat().map((v) => String(v).length));
  const recallWidth = Math.max('recall'.length, ...recalls.map((r) => r.length));
  const line = (label: string, cells: string[], recall: string) =>
    [label.padEnd(labelWidth), ...cells.map((c) => c.padStart(cellWidth)), recall.padStart(recallWidth)].join('  ');
  const rows = confusion.map((row, t) => line(names[t], row.map(String), recalls[t]));
  return [line(corner, [...names], 'recall'), ...rows].join('\n');
}
