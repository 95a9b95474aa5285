/**
 * Reading violation-of-expectation scores: pairwise accuracy (how often the impossible twin is the more
 * surprising one) and AUROC (how well one threshold separates impossible from possible clips, pairs
 * ignored). Ties count one half in both, so a constant score gets 0.5.
 *
 * @packageDocumentation
 */
import { fail } from '@vjepa/core';

function checkScores(name: string, values: readonly number[]): void {
  if (!Array.isArray(values) || values.length === 0 || !values.every(Number.isFinite)) fail(name, 'a non-empty list of finite numbers', values);
}

/** The share of pairs whose impossible twin scores higher (ties ½). */
export function pairwiseAccuracy(possible: readonly number[], impossible: readonly number[]): number {
  checkScores('possible', possible);
  checkScores('impossible', impossible);
  if (possible.length !== impossible.length) fail('impossible', `${possible.length} scores, one per pair`, impossible.length);
  let wins = 0;
  for (let k = 0; k < possible.length; k++) wins += impossible[k] > possible[k] ? 1 : impossible[k] === possible[k] ? 0.5 : 0;
  return wins / possible.length;
}

/**
 * The area under the ROC curve of `positives` (impossible clips) against `negatives` (possible ones): the
 * probability that a random positive outscores a random negative, ties ½ (the Mann–Whitney U statistic).
 */
export function auroc(negatives: readonly number[], positives: readonly number[]): number {
  checkScores('negatives', negatives);
  checkScores('positives', positives);
  const all = [...negatives.map((v) => ({ v, positive: false })), ...positives.map((v) => ({ v, positive: true }))].sort((a, b) => a.v - b.v);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].v === all[i].v) j++;
    const rank = (i + 1 + j) / 2; // mean 1-based rank of the tied run
    for (let k = i; k < j; k++) if (all[k].positive) rankSum += rank;
    i = j;
  }
  const p = positives.length;
  return (rankSum - (p * (p + 1)) / 2) / (p * negatives.length);
}
