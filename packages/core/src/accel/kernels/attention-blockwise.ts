import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, fail, optionKeys } from '@vjepa/base';
import { matMulFast } from '../../ops/matmul';

// The plain tfjs path of attention for long sequences: the scores of all heads are never held at once.
// The head slices and query rows come in blocks whose scores fit `maxScores` floats; each block's
// softmax is exact over all its keys, so every output row is the plain formula's. The gradient
// recomputes each block's weights from q, k and v (nothing of forward's scores is kept).

/** The most attention scores (float32 elements) the plain path holds at once by default: 2²⁴ (64 MB). */
export const MAX_ATTENTION_SCORES = 1 << 24;

/** Options of {@link blockwiseAttention} (and of `multiHeadAttention`). */
export interface AttentionBlockOptions {
  /** The most score elements one block may hold (default {@link MAX_ATTENTION_SCORES}); a block is at least one query row. */
  maxScores?: number;
}

const OPTION_KEYS = optionKeys<AttentionBlockOptions>({ maxScores: true });

/** The checked `maxScores` of `options`. */
export function maxScoresOf(options: AttentionBlockOptions | undefined): number {
  checkKeys('attention options', options, OPTION_KEYS);
  const maxScores = options?.maxScores ?? MAX_ATTENTION_SCORES;
  if (!Number.isInteger(maxScores) || maxScores < 1) fail('maxScores', 'a positive integer (score elements per block)', maxScores);
  return maxScores;
}

/** How {@link blockwiseAttention} cuts `slices` head slices of `nq` queries over `nk` keys: head slices and query rows per block. */
export function attentionBlocks(slices: number, nq: number, nk: number, maxScores: number): { slices: number; queries: number } {
  const queries = Math.min(nq, Math.max(1, Math.floor(maxScores / nk)));
  return { slices: Math.min(slices, Math.max(1, Math.floor(maxScores / (queries * nk)))), queries };
}

/** The blocks of `[S, N, ·]` tensors: groups of head slices, each with its query blocks `[start, count]`. */
function* groups(slices: number, nq: number, nk: number, maxScores: number): Generator<{ s0: number; count: number; queries: [number, number][] }> {
  const size = attentionBlocks(slices, nq, nk, maxScores);
  const queries: [number, number][] = [];
  for (let i0 = 0; i0 < nq; i0 += size.queries) queries.push([i0, Math.min(size.queries, nq - i0)]);
  for (let s0 = 0; s0 < slices; s0 += size.slices) yield { s0, count: Math.min(size.slices, slices - s0), queries };
}

/** Rows `[i0, i0 + n)` of slices `[s0, s0 + count)` of `[S, N, dh]`. */
function rows(x: tf.Tensor, s0: number, count: number, i0: number, n: number): tf.Tensor3D {
  return tf.slice(x, [s0, i0, 0], [count, n, -1]) as tf.Tensor3D; // [count, n, dh]
}

/** `softmax(q·kᵀ)` of one block: `q` `[s, n, dh]`, `k` `[s, Nk, dh]` → `[s, n, Nk]`. */
function weightsOf(q: tf.Tensor3D, k: tf.Tensor3D): tf.Tensor3D {
  return tf.softmax(matMulFast(q, k, false, true)) as tf.Tensor3D; // [s, n, Nk]
}

/** `parts[g][i]`, blocks of slice group g and query block i, concatenated back to `[S, N, ·]` (the parts are disposed). */
function assemble(parts: tf.Tensor[][]): tf.Tensor3D {
  const whole = tf.tidy(() => tf.concat(parts.map((row) => (row.length === 1 ? row[0] : tf.concat(row, 1))), 0)); // [S, N, ·]
  if (whole !== parts[0][0]) tf.dispose(parts.flat());
  return whole as tf.Tensor3D;
}

/** `a + b` with both disposed (null for a: b itself). */
function accumulate(a: tf.Tensor | null, b: tf.Tensor): tf.Tensor {
  if (a === null) return b;
  const sum = tf.add(a, b);
  tf.dispose([a, b]);
  return sum;
}

const blockwise = (maxScores: number) =>
  tf.customGrad((q, k, v, save) => {
    const [qh, kh, vh] = [q, k, v] as tf.Tensor3D[]; // [S, Nq, dh], [S, Nk, dh], [S, Nk, dh]
    (save as (tensors: tf.Tensor[]) => void)([qh, kh, vh]);
    const [slices, nq] = qh.shape;
    const nk = kh.shape[1];
    const parts: tf.Tensor[][] = [];
    for (const { s0, count, queries } of groups(slices, nq, nk, maxScores)) {
      const [kb, vb] = [rows(kh, s0, count, 0, nk), rows(vh, s0, count, 0, nk)]; // [count, Nk, dh]
      parts.push(queries.map(([i0, n]) => tf.tidy(() => matMulFast(weightsOf(rows(qh, s0, count, i0, n), kb), vb)))); // [count, n, dh] each
      tf.dispose([kb, vb]);
    }
    return {
      value: assemble(parts), // [S, Nq, dh]
      gradFunc: (dy, saved) => {
        const [sq, sk, sv] = saved as tf.Tensor3D[];
        const [dq, dk, dv]: tf.Tensor[][][] = [[], [], []];
        for (const { s0, count, queries } of groups(slices, nq, nk, maxScores)) {
          const [kb, vb] = [rows(sk, s0, count, 0, nk), rows(sv, s0, count, 0, nk)]; // [count, Nk, dh]
          const dqs: tf.Tensor[] = [];
          let [dks, dvs]: (tf.Tensor | null)[] = [null, null]; // dK and dV sum over the query blocks
          for (const [i0, n] of queries) {
            const [dqb, dkb, dvb] = tf.tidy(() => {
              const [qb, dob] = [rows(sq, s0, count, i0, n), rows(dy as tf.Tensor, s0, count, i0, n)]; // [count, n, dh]
              const p = weightsOf(qb, kb); // [count, n, Nk]
              const dp = matMulFast(dob, vb, false, true); // dP = dO·Vᵀ  [count, n, Nk]
              const ds = tf.mul(p, tf.sub(dp, tf.sum(tf.mul(p, dp), 2, true))); // dS = P∘(dP − Σ P·dP)  [count, n, Nk]
              return [
                matMulFast(ds, kb), // dQ = dS·K  [count, n, dh]
                matMulFast(ds, qb, true, false), // dK = dSᵀ·Q  [count, Nk, dh]
                matMulFast(p, dob, true, false), // dV = Pᵀ·dO  [count, Nk, dh]
              ];
            });
            dqs.push(dqb);
            [dks, dvs] = [accumulate(dks, dkb), accumulate(dvs, dvb)];
          }
          tf.dispose([kb, vb]);
          dq.push(dqs);
          dk.push([dks as tf.Tensor]);
          dv.push([dvs as tf.Tensor]);
        }
        return [assemble(dq), assemble(dk), assemble(dv)]; // [S, Nq, dh], [S, Nk, dh], [S, Nk, dh]
      },
    };
  });

/**
 * `softmax(q·kᵀ)·v` per head slice, blockwise: `q` `[S, Nq, dh]` (already scaled), `k`/`v` `[S, Nk, dh]`
 * → `[S, Nq, dh]`, holding at most `maxScores` scores at once (head slices and query rows in blocks; at
 * least one query row over all keys). The gradient recomputes each block's weights. Every row equals
 * the plain formula's; `multiHeadAttention` takes this path when its scores would exceed `maxScores`.
 *
 * @example
 * const out = blockwiseAttention(qh, kh, vh, { maxScores: 1 << 20 }); // [S, Nq, dh]
 */
export function blockwiseAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, options?: AttentionBlockOptions): tf.Tensor3D {
  return blockwise(maxScoresOf(options))(q, k, v) as tf.Tensor3D;
}
