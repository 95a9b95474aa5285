/**
 * Label efficiency: a seeded, class-balanced subset of a labelled clip source — `N` clips of every class —
 * for `--labels-per-class N` of `vjepa probe` and `vjepa finetune`.
 *
 * @packageDocumentation
 */
import { DataError, RandomStream, fail } from '@vjepa/core';
import type { ClipSource } from './types';

/** Which clips a class-balanced subset keeps. */
export interface LabelsPerClass {
  /** The label whose classes are balanced (`shape`, `direction`, `label`, …). */
  label: string;
  /** Clips kept of every class. */
  count: number;
  /** Seed of the choice (default 0). */
  seed?: number;
}

/**
 * The indices of `count` items of every class of `labels`, chosen without replacement by a seeded shuffle
 * within each class, returned in ascending order. Classes are the distinct values present (a value < 0,
 * the loader's "no label", is an error).
 *
 * @throws DataError naming the class when one has fewer than `count` items.
 * @example
 * classBalancedIndices([0, 1, 0, 1, 1], 2, 7); // two 0s and two 1s, e.g. [0, 1, 2, 4]
 */
export function classBalancedIndices(labels: ArrayLike<number>, count: number, seed = 0, label = 'label'): number[] {
  if (!Number.isSafeInteger(count) || count < 1) fail('labelsPerClass', 'a positive integer', count);
  if (!Number.isSafeInteger(seed)) fail('seed', 'a safe integer', seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const value = labels[i];
    if (!Number.isInteger(value) || value < 0) fail(`labels '${label}' of item ${i}`, 'a class index ≥ 0', value, undefined, DataError);
    if (!byClass.has(value)) byClass.set(value, []);
    byClass.get(value)!.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const smallest = classes.reduce<number | undefined>((min, c) => (min === undefined || byClass.get(c)!.length < byClass.get(min)!.length ? c : min), undefined);
  if (smallest === undefined || byClass.get(smallest)!.length < count) {
    const have = smallest === undefined ? 'no items' : `${byClass.get(smallest)!.length} of class ${smallest}`;
    fail('labelsPerClass', `at most the clips of the smallest class of '${label}' (${have})`, count, 'Lower --labels-per-class or use more training clips', DataError);
  }
  const root = new RandomStream(seed).fork('labels-per-class');
  const kept: number[] = [];
  for (const c of classes) {
    const items = [...byClass.get(c)!];
    const rng = root.fork(`class/${c}`);
    // partial Fisher–Yates: the first `count` slots are a uniform sample without replacement
    for (let i = 0; i < count; i++) {
      const j = rng.nextInt(i, items.length - 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    kept.push(...items.slice(0, count));
  }
  return kept.sort((a, b) => a - b);
}

/** The labels `label` of every item of `source`: from `labelsOf` when it has one, else by reading each item. */
export async function sourceLabels(source: ClipSource, label: string): Promise<Int32Array> {
  const out = new Int32Array(source.size);
  const rng = new RandomStream(0);
  for (let i = 0; i < source.size; i++) {
    const labels = source.labelsOf ? source.labelsOf(i) : (await source.get(i, rng.fork(`labels/${i}`)))?.labels;
    if (labels === undefined) fail(`item ${i} of ${source.description ?? 'the source'}`, 'a readable clip (to learn its label)', 'an unreadable one', undefined, DataError);
    if (!(label in labels)) fail('label', `a label of ${source.description ?? 'the clips'}: ${Object.keys(labels).join(', ') || 'none'}`, label);
    out[i] = labels[label];
  }
  return out;
}

/** The items `indices` of `source`, as a source of its own (item `i` is `source`'s `indices[i]`). */
export function subsetSource(source: ClipSource, indices: readonly number[], description?: string): ClipSource {
  for (const index of indices) {
    if (!Number.isSafeInteger(index) || index < 0 || index >= source.size) fail('indices', `item indices in [0, ${source.size - 1}]`, index);
  }
  return {
    size: indices.length,
    description: description ?? `${indices.length} of ${source.description ?? `${source.size} clips`}`,
    get: (i, rng) => source.get(indices[i], rng),
    ...(source.mirrorLabels ? { mirrorLabels: (labels: Record<string, number>) => source.mirrorLabels!(labels) } : {}),
    ...(source.labelsOf ? { labelsOf: (i: number) => source.labelsOf!(indices[i]) } : {}),
  };
}

/**
 * A seeded, class-balanced subset of `source`: {@link LabelsPerClass.count} clips of every class of
 * {@link LabelsPerClass.label}, with the indices it keeps (ascending, into `source`).
 *
 * @throws DataError when a class has fewer clips than asked.
 * @example
 * const { source: few } = await labelsPerClassSource(train, { label: 'direction', count: 16, seed: 0 });
 */
export async function labelsPerClassSource(source: ClipSource, subset: LabelsPerClass): Promise<{ source: ClipSource; indices: number[] }> {
  const labels = await sourceLabels(source, subset.label);
  const indices = classBalancedIndices(labels, subset.count, subset.seed ?? 0, subset.label);
  const classes = new Set(Array.from(labels)).size;
  const description = `${subset.count} per class × ${classes} classes of '${subset.label}' from ${source.description ?? `${source.size} clips`}`;
  return { source: subsetSource(source, indices, description), indices };
}
