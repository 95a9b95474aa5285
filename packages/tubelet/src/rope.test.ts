import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@vjepa/core';
import { RopeTableCache, applyRope, ropeSections, ropeTables, ropeTensors, type RopeLayout } from './rope';

/**
 * The official `RoPEAttention` on one head, written out from VJEPA2-SPEC §1 in float64: sections of d
 * channels for t, h, w, angles `p·ω_(e mod d/2)` (vjepa2) or `p·ω_(⌊e/2⌋)` (vjepa2.1), pairs adjacent.
 */
function officialHead(x: number[], pos: [number, number, number], layout: RopeLayout): number[] {
  const hd = x.length;
  const d = 2 * Math.floor(Math.floor(hd / 3) / 2);
  const out = x.slice();
  for (let s = 0; s < 3; s++) {
    for (let e = 0; e < d; e++) {
      const j = layout === 'vjepa2' ? e % (d / 2) : Math.floor(e / 2);
      const theta = pos[s] / 10000 ** (j / (d / 2));
      const c = s * d + e;
      const y = e % 2 === 0 ? -x[c + 1] : x[c - 1];
      out[c] = x[c] * Math.cos(theta) + y * Math.sin(theta);
    }
  }
  return out;
}

describe('3-D RoPE (VJEPA2-SPEC §1)', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('sections: d = 2⌊⌊hd/3⌋/2⌋ for the released head widths, the rest unrotated', () => {
    expect(ropeSections(64)).toMatchObject({ sectionDim: 20, pass: [60, 64] });
    expect(ropeSections(80)).toMatchObject({ sectionDim: 26, pass: [78, 80] });
    expect(ropeSections(32)).toMatchObject({ sectionDim: 10, t: [0, 10], h: [10, 20], w: [20, 30], pass: [30, 32] });
    expect(ropeSections(12)).toMatchObject({ sectionDim: 4, pass: [12, 12] });
    expect(() => ropeSections(11)).toThrow('headDim: expected at least 12');
  });

  it.each(['vjepa2', 'vjepa2.1'] as const)('%s: q and k rotated per head as the official code, v untouched', (layout) => {
    const heads = 2;
    const hd = 14; // d = 4, 2 unrotated channels
    const grid = { tokensPerFrame: 6, tokensPerRow: 3 }; // H' = 2, W' = 3
    const ids = [0, 4, 7, 17]; // (0,0,0) (0,1,1) (1,0,1) (2,1,2)
    const qkv = tf.randomNormal([1, ids.length, 3 * heads * hd], 0, 1, 'float32', 3) as tf.Tensor3D;
    const tables = ropeTensors(ids, 1, { headDim: hd, grid, layout });
    const out = applyRope(qkv, tables, heads).arraySync()[0];
    const x = qkv.arraySync()[0];
    const coords: [number, number, number][] = [[0, 0, 0], [0, 1, 1], [1, 0, 1], [2, 1, 2]];
    let worst = 0;
    ids.forEach((_, n) => {
      for (let part = 0; part < 3; part++) {
        for (let h = 0; h < heads; h++) {
          const at = part * heads * hd + h * hd;
          const head = x[n].slice(at, at + hd);
          const expected = part === 2 ? head : officialHead(head, coords[n], layout);
          for (let e = 0; e < hd; e++) worst = Math.max(worst, Math.abs(out[n][at + e] - expected[e]));
        }
      }
    });
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([qkv, tables.cos, tables.sin]);
  });

  it('vjepa2 turns the two channels of a pair by different angles; vjepa2.1 keeps each pair’s norm', () => {
    const grid = { tokensPerFrame: 16, tokensPerRow: 4 };
    const a = ropeTables([37], { headDim: 12, grid, layout: 'vjepa2' });
    const b = ropeTables([37], { headDim: 12, grid, layout: 'vjepa2.1' });
    // Channel 1 of section t (t = 2): vjepa2 uses ω₁ = 1/100, vjepa2.1 uses ω₀ = 1.
    expect(a.cos[1]).toBeCloseTo(Math.cos(2 / 100), 6);
    expect(b.cos[1]).toBeCloseTo(Math.cos(2), 6);
    expect(b.cos[0]).toBe(b.cos[1]);
    expect(a.cos[0]).not.toBe(a.cos[1]);
    // v part: identity.
    expect(Array.from(a.cos.slice(24, 36))).toEqual(new Array(12).fill(1));
    expect(Array.from(a.sin.slice(24, 36))).toEqual(new Array(12).fill(0));
  });

  it('gradient through autodiff equals the transposed rotation', () => {
    const grid = { tokensPerFrame: 4, tokensPerRow: 2 };
    const ids = [1, 2, 7];
    const tables = ropeTensors(ids, 1, { headDim: 12, grid });
    const qkv = tf.randomNormal([1, 3, 36], 0, 1, 'float32', 5) as tf.Tensor3D;
    const w = tf.randomNormal([1, 3, 36], 0, 1, 'float32', 6);
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(applyRope(x as tf.Tensor3D, tables, 1), w)))(qkv);
    // Rᵀw by columns: the rotation is linear, so (Rᵀw)_i = Σ_j w_j R_ji = w · R(e_i).
    const basis = tf.tidy(() => tf.reshape(tf.eye(108), [108, 3, 36]));
    const columns = tf.tidy(() => {
      const rotated = tf.stack(tf.unstack(basis).map((e) => applyRope(tf.reshape(e, [1, 3, 36]) as tf.Tensor3D, tables, 1)));
      return tf.sum(tf.mul(tf.reshape(rotated, [108, 108]), tf.reshape(w, [1, 108])), 1);
    });
    const got = grad.dataSync();
    const want = columns.dataSync();
    let worst = 0;
    for (let i = 0; i < 108; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([tables.cos, tables.sin, qkv, w, grad, basis, columns]);
  });

  it('RopeTableCache: the rows of the ids, from one table per grid; ids outside the grid are refused', () => {
    const grid = { tokensPerFrame: 6, tokensPerRow: 3 };
    const cache = new RopeTableCache(14, 'vjepa2.1');
    const ids = [5, 0, 17, 9, 9, 3];
    const { cos, sin } = cache.tensors(grid, 18, ids, 2);
    expect(cos.shape).toEqual([2, 3, 3, 1, 14]);
    const direct = ropeTables(ids, { headDim: 14, grid, layout: 'vjepa2.1' });
    expect(Array.from(cos.dataSync())).toEqual(Array.from(direct.cos));
    expect(Array.from(sin.dataSync())).toEqual(Array.from(direct.sin));
    const all = cache.tensors(grid, 18);
    expect(all.cos.shape).toEqual([1, 18, 3, 1, 14]);
    expect(() => cache.tensors(grid, 18, [18])).toThrow('ids: expected token ids in [0, 18), received 18');
    tf.dispose([cos, sin, all.cos, all.sin]);
  });
});
