import * as tf from '@tensorflow/tfjs-core';
import { program, run, workgroupProgram, WORKGROUP_THREADS } from '../webgpu';
import { ATTENTION, ATTENTION_GRAD, type AttentionAttrs, type AttentionGradInputs, type AttentionInputs } from './attention';
import { SELF_ATTENTION, SELF_ATTENTION_GRAD, type SelfAttentionAttrs, type SelfAttentionGradInputs, type SelfAttentionInputs } from './self-attention';

// Fused multi-head attention on webgpu, flash-style: a workgroup takes 64 query rows of one head,
// walks the keys in tiles of 16 held in workgroup memory and keeps an online softmax (running max,
// running sum, rescaled accumulator), so no thread and no buffer ever holds a row of N scores, let alone
// N×N per head. Backward recomputes the weights from q, k and v (FlashAttention-2's order): the row
// statistics L = log Σ exp and Δ = dO·O, then dQ by query rows and dK, dV by key rows, each over tiles.
// The heads are read in place from `[B, N, D]` rows (or the `[q | k | v]` rows of a fused projection),
// as the native kernel reads them; `attention.ts` and `self-attention.ts` hold the references.

/** Keys (forward, dQ) or queries (dK, dV) per tile in workgroup memory (`WEBGPU_ATTENTION_MAX_HEAD_DIM` follows from it). */
const TILE = 16;

/** Where one operand's heads lie in its buffer: row `r` of head `h` starts at `offset + r · stride + h · dh`. */
interface Operand {
  offset: number;
  stride: number;
}

/** The attention's sizes and the layout of q, k and v. */
interface Geometry {
  batch: number;
  heads: number;
  dh: number;
  nq: number;
  nk: number;
  q: Operand;
  k: Operand;
  v: Operand;
}

const DECLARED = 'groups : i32, blocks : i32, heads : i32, nq : i32, nk : i32, qOff : i32, qStride : i32, kOff : i32, kStride : i32, vOff : i32, vStride : i32, scale : f32,';

/** The uniforms of {@link DECLARED} for `groups` workgroups of `blocks` row blocks per head slice. */
function uniformsOf(g: Geometry, groups: number, blocks: number) {
  const ints = [groups, blocks, g.heads, g.nq, g.nk, g.q.offset, g.q.stride, g.k.offset, g.k.stride, g.v.offset, g.v.stride];
  return [...ints.map((value) => ({ type: 'int32' as const, data: [value] })), { type: 'float32' as const, data: [1 / Math.sqrt(g.dh)] }];
}

/**
 * WGSL shared by every pass: the workgroup's head slice (`b`, `h`), its row (`row`, a query or a key as
 * `rows` says), whether the workgroup is real (`live`) and the row exists (`valid`), and the address of
 * row `r` of head `h` in Q, K, V (`qAt`, `kAt`, `vAt`).
 */
function locate(rows: 'nq' | 'nk'): string {
  return `
    let slice = group / uniforms.blocks;
    let b = slice / uniforms.heads;
    let h = slice % uniforms.heads;
    let row = (group % uniforms.blocks) * ${WORKGROUP_THREADS} + local;
    let live = group < uniforms.groups;
    let valid = live && row < uniforms.${rows};`;
}

/** WGSL functions: the flat index of element `c` of row `r` (of batch `b`, head `h`) in Q, K, V and in a `[B, Nq, D]` gradient. */
const ADDRESSES = `
  fn qAt(b : i32, r : i32, h : i32) -> i32 { return uniforms.qOff + (b * uniforms.nq + r) * uniforms.qStride + h * DH; }
  fn kAt(b : i32, r : i32, h : i32) -> i32 { return uniforms.kOff + (b * uniforms.nk + r) * uniforms.kStride + h * DH; }
  fn vAt(b : i32, r : i32, h : i32) -> i32 { return uniforms.vOff + (b * uniforms.nk + r) * uniforms.vStride + h * DH; }
  fn dAt(b : i32, r : i32, h : i32) -> i32 { return (b * uniforms.nq + r) * uniforms.heads * DH + h * DH; }`;

/** WGSL constants and two workgroup tiles `tileA`, `tileB` of `TILE × DH` floats (+ `tileL`, `tileM` of TILE for the query tiles). */
function prelude(dh: number): string {
  return `
  const DH = ${dh};
  const TILE = ${TILE};
  var<workgroup> tileA : array<f32, ${TILE * dh}>;
  var<workgroup> tileB : array<f32, ${TILE * dh}>;
  var<workgroup> tileL : array<f32, ${TILE}>;
  var<workgroup> tileM : array<f32, ${TILE}>;
  ${ADDRESSES}`;
}

/** WGSL: the workgroup loads key tile `t` of its head slice, K into tileA and V into tileB (zeros past the last key). */
const LOAD_KEYS = `
      for (var e = local; e < TILE * DH; e += ${WORKGROUP_THREADS}) {
        let j = t * TILE + e / DH;
        if (live && j < uniforms.nk) {
          tileA[e] = K[kAt(b, j, h) + e % DH];
          tileB[e] = V[vAt(b, j, h) + e % DH];
        } else {
          tileA[e] = 0.0;
          tileB[e] = 0.0;
        }
      }`;

/**
 * WGSL of the forward pass (and of backward's row statistics): a thread per query row, q scaled as the
 * reference scales it, the online softmax over key tiles. `finish` writes the row from `acc` (Σ p·v),
 * `m` (the running max) and `l` (Σ exp(s − m)).
 */
function forwardBody(finish: string): string {
  return `${locate('nq')}
    var q : array<f32, DH>;
    var acc : array<f32, DH>;
    if (valid) {
      let base = qAt(b, row, h);
      for (var c = 0; c < DH; c++) { q[c] = Q[base + c] * uniforms.scale; acc[c] = 0.0; }
    }
    var m = -3.0e38;
    var l = 0.0;
    let tiles = (uniforms.nk + TILE - 1) / TILE;
    for (var t = 0; t < tiles; t++) {${LOAD_KEYS}
      workgroupBarrier();
      if (valid) {
        let count = min(TILE, uniforms.nk - t * TILE);
        var s : array<f32, TILE>;
        var next = m;
        for (var j = 0; j < count; j++) {
          var score = 0.0;
          for (var c = 0; c < DH; c++) { score += q[c] * tileA[j * DH + c]; }
          s[j] = score;
          next = max(next, score);
        }
        let rescale = exp(m - next);
        l *= rescale;
        for (var c = 0; c < DH; c++) { acc[c] *= rescale; }
        for (var j = 0; j < count; j++) {
          let p = exp(s[j] - next);
          l += p;
          for (var c = 0; c < DH; c++) { acc[c] += p * tileB[j * DH + c]; }
        }
        m = next;
      }
      workgroupBarrier();
    }
    if (valid) {${finish}
    }`;
}

// The output rows [B, Nq, D]: softmax(q·kᵀ·scale)·v of each head.
const WRITE_OUTPUT = `
      let base = dAt(b, row, h);
      for (var c = 0; c < DH; c++) { setOutputAtIndex(base + c, acc[c] / l); }`;

// The row statistics [B·H·Nq, 2]: L = m + log l (so p = exp(s − L)) and Δ = dO·O.
const WRITE_STATS = `
      let base = dAt(b, row, h);
      var delta = 0.0;
      for (var c = 0; c < DH; c++) { delta += DY[base + c] * acc[c] / l; }
      let r = slice * uniforms.nq + row;
      setOutputAtIndex(2 * r, m + log(l));
      setOutputAtIndex(2 * r + 1, delta);`;

// dQ [B, Nq, D]: a thread per query row over key tiles; dS = P ∘ (dO·Vᵀ − Δ), dQ = scale · dS·K.
const DQ_BODY = `${locate('nq')}
    var q : array<f32, DH>;
    var dout : array<f32, DH>;
    var dq : array<f32, DH>;
    var lse = 0.0;
    var delta = 0.0;
    if (valid) {
      let base = qAt(b, row, h);
      let d = dAt(b, row, h);
      for (var c = 0; c < DH; c++) { q[c] = Q[base + c] * uniforms.scale; dout[c] = DY[d + c]; dq[c] = 0.0; }
      let r = slice * uniforms.nq + row;
      lse = S[2 * r];
      delta = S[2 * r + 1];
    }
    let tiles = (uniforms.nk + TILE - 1) / TILE;
    for (var t = 0; t < tiles; t++) {${LOAD_KEYS}
      workgroupBarrier();
      if (valid) {
        let count = min(TILE, uniforms.nk - t * TILE);
        for (var j = 0; j < count; j++) {
          var score = 0.0;
          var dp = 0.0;
          for (var c = 0; c < DH; c++) { score += q[c] * tileA[j * DH + c]; dp += dout[c] * tileB[j * DH + c]; }
          let ds = exp(score - lse) * (dp - delta);
          for (var c = 0; c < DH; c++) { dq[c] += ds * tileA[j * DH + c]; }
        }
      }
      workgroupBarrier();
    }
    if (valid) {
      let base = dAt(b, row, h);
      for (var c = 0; c < DH; c++) { setOutputAtIndex(base + c, dq[c] * uniforms.scale); }
    }`;

// dK, dV [B, Nk, 2D] (rows [dK | dV]): a thread per key row over query tiles (scaled q in tileA, dO in
// tileB, L and Δ in tileL, tileM); dV = Pᵀ·dO, dK = dSᵀ·(scale · q).
const DKV_BODY = `${locate('nk')}
    var k : array<f32, DH>;
    var v : array<f32, DH>;
    var dk : array<f32, DH>;
    var dv : array<f32, DH>;
    if (valid) {
      let ka = kAt(b, row, h);
      let va = vAt(b, row, h);
      for (var c = 0; c < DH; c++) { k[c] = K[ka + c]; v[c] = V[va + c]; dk[c] = 0.0; dv[c] = 0.0; }
    }
    let tiles = (uniforms.nq + TILE - 1) / TILE;
    for (var t = 0; t < tiles; t++) {
      for (var e = local; e < TILE * DH; e += ${WORKGROUP_THREADS}) {
        let i = t * TILE + e / DH;
        if (live && i < uniforms.nq) {
          tileA[e] = Q[qAt(b, i, h) + e % DH] * uniforms.scale;
          tileB[e] = DY[dAt(b, i, h) + e % DH];
        } else {
          tileA[e] = 0.0;
          tileB[e] = 0.0;
        }
      }
      if (local < TILE) {
        let i = t * TILE + local;
        let r = slice * uniforms.nq + i;
        if (live && i < uniforms.nq) { tileL[local] = S[2 * r]; tileM[local] = S[2 * r + 1]; } else { tileL[local] = 0.0; tileM[local] = 0.0; }
      }
      workgroupBarrier();
      if (valid) {
        let count = min(TILE, uniforms.nq - t * TILE);
        for (var i = 0; i < count; i++) {
          var score = 0.0;
          var dp = 0.0;
          for (var c = 0; c < DH; c++) { score += tileA[i * DH + c] * k[c]; dp += tileB[i * DH + c] * v[c]; }
          let p = exp(score - tileL[i]);
          let ds = p * (dp - tileM[i]);
          for (var c = 0; c < DH; c++) { dv[c] += p * tileB[i * DH + c]; dk[c] += ds * tileA[i * DH + c]; }
        }
      }
      workgroupBarrier();
    }
    if (valid) {
      let base = (b * uniforms.nk + row) * 2 * uniforms.heads * DH + h * DH;
      for (var c = 0; c < DH; c++) { setOutputAtIndex(base + c, dk[c]); setOutputAtIndex(base + uniforms.heads * DH + c, dv[c]); }
    }`;

/** Runs one pass with a thread per row (`rows`: queries or keys) of every head slice. */
function pass(backend: unknown, key: string, g: Geometry, rows: number, outputShape: number[], inputs: [string, tf.TensorInfo][], body: string): tf.TensorInfo {
  const blocks = Math.ceil(rows / WORKGROUP_THREADS);
  const groups = g.batch * g.heads * blocks;
  const p = workgroupProgram(`attention_${key}_${g.dh}`, inputs.map(([name]) => name), outputShape, groups, body, DECLARED, prelude(g.dh));
  return run(backend, p, inputs.map(([, t]) => t), groups * WORKGROUP_THREADS, uniformsOf(g, groups, blocks));
}

/** `out [B, Nq, D]` of q, k, v laid out as `g` says. */
function attend(backend: unknown, g: Geometry, q: tf.TensorInfo, k: tf.TensorInfo, v: tf.TensorInfo): tf.TensorInfo {
  return pass(backend, 'forward', g, g.nq, [g.batch, g.nq, g.heads * g.dh], [['Q', q], ['K', k], ['V', v]], forwardBody(WRITE_OUTPUT));
}

/** `dq [B, Nq, D]` and `dkv [B, Nk, 2D]` (rows `[dk | dv]`) of q, k, v laid out as `g` says and `dy [B, Nq, D]`. */
function attendBackward(backend: unknown, g: Geometry, q: tf.TensorInfo, k: tf.TensorInfo, v: tf.TensorInfo, dy: tf.TensorInfo): [tf.TensorInfo, tf.TensorInfo] {
  const d = g.heads * g.dh;
  const operands: [string, tf.TensorInfo][] = [['Q', q], ['K', k], ['V', v], ['DY', dy]];
  const stats = pass(backend, 'stats', g, g.nq, [g.batch * g.heads * g.nq, 2], operands, forwardBody(WRITE_STATS));
  const withStats: [string, tf.TensorInfo][] = [...operands, ['S', stats]];
  const dq = pass(backend, 'dq', g, g.nq, [g.batch, g.nq, d], withStats, DQ_BODY);
  const dkv = pass(backend, 'dkv', g, g.nk, [g.batch, g.nk, 2 * d], withStats, DKV_BODY);
  (backend as { disposeData(dataId: object): void }).disposeData(stats.dataId);
  return [dq, dkv];
}

/** Columns `[offset, offset + width)` of every row of `x` `[B, N, W]` → `[B, N, width]` (a copy on the GPU). */
function columns(backend: unknown, x: tf.TensorInfo, offset: number, width: number): tf.TensorInfo {
  const [b, n, w] = x.shape;
  const size = b * n * width;
  const body = 'setOutputAtIndex(index, X[(index / uniforms.width) * uniforms.stride + uniforms.offset + index % uniforms.width]);';
  const p = program('attention_columns', ['X'], [b, n, width], size, body, 'width : i32, stride : i32, offset : i32,');
  return run(backend, p, [x], size, [width, w, offset].map((value) => ({ type: 'int32' as const, data: [value] })));
}

/** The geometry of separate `q [B, Nq, D]`, `k`/`v [B, Nk, D]`. */
function separate(q: tf.TensorInfo, k: tf.TensorInfo, heads: number): Geometry {
  const [batch, nq, d] = q.shape;
  const rows = { offset: 0, stride: d };
  return { batch, heads, dh: d / heads, nq, nk: k.shape[1], q: rows, k: rows, v: rows };
}

/** The geometry of a fused projection `qkv [B, N, 3D]` (rows `[q | k | v]`). */
function fused(qkv: tf.TensorInfo, heads: number): Geometry {
  const [batch, n, threeD] = qkv.shape;
  const d = threeD / 3;
  return { batch, heads, dh: d / heads, nq: n, nk: n, q: { offset: 0, stride: threeD }, k: { offset: d, stride: threeD }, v: { offset: 2 * d, stride: threeD } };
}

// q [B, Nq, D], k, v [B, Nk, D] → out [B, Nq, D]
const attentionForward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { q, k, v } = inputs as unknown as AttentionInputs;
  return attend(backend, separate(q, k, (attrs as unknown as AttentionAttrs).heads), q, k, v);
};

// q, k, v, dy → dq [B, Nq, D], dk, dv [B, Nk, D]
const attentionBackward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { q, k, v, dy } = inputs as unknown as AttentionGradInputs;
  const g = separate(q, k, (attrs as unknown as AttentionAttrs).heads);
  const [dq, dkv] = attendBackward(backend, g, q, k, v, dy);
  const d = g.heads * g.dh;
  const outputs = [dq, columns(backend, dkv, 0, d), columns(backend, dkv, d, d)];
  (backend as { disposeData(dataId: object): void }).disposeData(dkv.dataId);
  return outputs;
};

// qkv [B, N, 3D] → out [B, N, D]
const selfAttentionForward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { qkv } = inputs as unknown as SelfAttentionInputs;
  return attend(backend, fused(qkv, (attrs as unknown as SelfAttentionAttrs).heads), qkv, qkv, qkv);
};

// qkv [B, N, 3D], dy [B, N, D] → dqkv [B, N, 3D] (rows [dq | dk | dv])
const selfAttentionBackward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { qkv, dy } = inputs as unknown as SelfAttentionGradInputs;
  const g = fused(qkv, (attrs as unknown as SelfAttentionAttrs).heads);
  const [dq, dkv] = attendBackward(backend, g, qkv, qkv, qkv, dy);
  const d = g.heads * g.dh;
  const size = tf.util.sizeFromShape(qkv.shape);
  const body = `
    let r = index / (3 * uniforms.d);
    let c = index % (3 * uniforms.d);
    if (c < uniforms.d) { setOutputAtIndex(index, DQ[r * uniforms.d + c]); } else { setOutputAtIndex(index, DKV[r * 2 * uniforms.d + c - uniforms.d]); }`;
  const joined = run(backend, program('attention_join', ['DQ', 'DKV'], [...qkv.shape], size, body, 'd : i32,'), [dq, dkv], size, [{ type: 'int32', data: [d] }]);
  for (const t of [dq, dkv]) (backend as { disposeData(dataId: object): void }).disposeData(t.dataId);
  return joined;
};

/** The WGSL kernels of both attentions, registered for the webgpu backend by `register-webgpu.ts`. */
export const attentionWebGpuKernels: tf.KernelConfig[] = [
  { kernelName: ATTENTION, backendName: 'webgpu', kernelFunc: attentionForward },
  { kernelName: ATTENTION_GRAD, backendName: 'webgpu', kernelFunc: attentionBackward },
  { kernelName: SELF_ATTENTION, backendName: 'webgpu', kernelFunc: selfAttentionForward },
  { kernelName: SELF_ATTENTION_GRAD, backendName: 'webgpu', kernelFunc: selfAttentionBackward },
];
