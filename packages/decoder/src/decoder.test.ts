import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend, type IndexBatch } from '@vjepa/core';
import { sincosPosEmbed3d } from '@vjepa/tubelet';
import { PixelDecoder } from './decoder';

// A plain reference of the decoder in float64 (no tfjs): arrays, loops, the formulas of the model file.
type Weights = Map<string, Float64Array>;
type Matrix = Float64Array[]; // rows

const erf = (x: number): number => {
  // the Maclaurin series below 3 (exact to float64 there), the asymptotic expansion above
  const sign = Math.sign(x);
  const a = Math.abs(x);
  if (a < 3) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 80; n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    return (sign * 2 * sum) / Math.sqrt(Math.PI);
  }
  return sign * (1 - Math.exp(-a * a) / (a * Math.sqrt(Math.PI)) * (1 - 1 / (2 * a * a)));
};

function linear(x: Matrix, w: Weights, name: string): Matrix {
  const weight = w.get(`${name}.weight`)!;
  const bias = w.get(`${name}.bias`)!;
  const out = bias.length;
  const inp = weight.length / out;
  return x.map((row) => Float64Array.from({ length: out }, (_, o) => {
    let s = bias[o];
    for (let i = 0; i < inp; i++) s += row[i] * weight[o * inp + i];
    return s;
  }));
}

function layerNorm(x: Matrix, w: Weights, name: string, eps = 1e-6): Matrix {
  const g = w.get(`${name}.weight`)!;
  const b = w.get(`${name}.bias`)!;
  return x.map((row) => {
    const mean = row.reduce((s, v) => s + v, 0) / row.length;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
    return row.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * g[i] + b[i]);
  });
}

function attention(x: Matrix, w: Weights, name: string, heads: number): Matrix {
  const qkv = linear(x, w, `${name}.qkv`);
  const dim = x[0].length;
  const hd = dim / heads;
  const mixed = x.map(() => new Float64Array(dim));
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < x.length; i++) {
      const scores = x.map((_, j) => {
        let s = 0;
        for (let d = 0; d < hd; d++) s += qkv[i][h * hd + d] * qkv[j][dim + h * hd + d];
        return s / Math.sqrt(hd);
      });
      const top = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - top));
      const z = e.reduce((s, v) => s + v, 0);
      for (let j = 0; j < x.length; j++) for (let d = 0; d < hd; d++) mixed[i][h * hd + d] += (e[j] / z) * qkv[j][2 * dim + h * hd + d];
    }
  }
  return linear(mixed, w, `${name}.proj`);
}

const add = (a: Matrix, b: Matrix): Matrix => a.map((row, i) => row.map((v, k) => v + b[i][k]));

function referenceDecoder(w: Weights, input: Matrix, ids: number[], table: Float32Array, dim: number, depth: number, heads: number): Matrix {
  let x = linear(input, w, 'decoder_embed');
  x = x.map((row, k) => row.map((v, d) => v + table[ids[k] * dim + d]));
  for (let i = 0; i < depth; i++) {
    const p = `decoder_blocks.${i}`;
    x = add(x, attention(layerNorm(x, w, `${p}.norm1`), w, `${p}.attn`, heads));
    const hidden = linear(layerNorm(x, w, `${p}.norm2`), w, `${p}.mlp.fc1`).map((row) => row.map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2))));
    x = add(x, linear(hidden, w, `${p}.mlp.fc2`));
  }
  return linear(layerNorm(x, w, 'decoder_norm'), w, 'decoder_pred');
}

const geometry = { frames: 4, imageSize: 8, patch: 4, tubelet: 2, channels: 1 }; // grid 2 × 2 × 2, 8 values a token
const config = { inputDim: 6, dim: 8, depth: 2, heads: 2, mlpRatio: 2, ...geometry };
const ids = [5, 0, 3];

function setup() {
  const decoder = new PixelDecoder(config, { seed: 3 });
  // the init leaves biases and LayerNorms at 0 / 1: give every weight a random value so each one is tested
  const rng = new RandomStream(11);
  for (const [, v] of decoder.stateDict()) v.assign(tf.tensor(rng.uniform(v.size, -0.5, 0.5), v.shape));
  const weights: Weights = new Map([...decoder.stateDict()].map(([k, v]) => [k, Float64Array.from(v.dataSync())]));
  const input = rng.uniform(ids.length * config.inputDim, -1, 1);
  const table = sincosPosEmbed3d({ dim: config.dim, gridDepth: 2, gridHeight: 2, gridWidth: 2, uniformPower: true });
  const rows = (flat: ArrayLike<number>, width: number): Matrix => Array.from({ length: flat.length / width }, (_, r) => Float64Array.from(Array.from(flat).slice(r * width, (r + 1) * width)));
  return { decoder, weights, input, table, rows };
}

const tokenIds: IndexBatch = { data: Int32Array.from(ids), shape: [1, ids.length] };

describe('PixelDecoder', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('forward equals the plain float64 reference (sin-cos positions at the token ids, 2 blocks, linear head)', () => {
    const { decoder, weights, input, table, rows } = setup();
    const out = decoder.apply(tf.tensor3d(input, [1, ids.length, config.inputDim]), tokenIds);
    expect(out.shape).toEqual([1, 3, 2 * 4 * 4 * 1]);
    const expected = referenceDecoder(weights, rows(input, config.inputDim), ids, table, config.dim, config.depth, config.heads).flatMap((r) => Array.from(r));
    const got = Array.from(out.dataSync());
    expect(Math.max(...got.map((v, i) => Math.abs(v - expected[i])))).toBeLessThan(2e-5);
    out.dispose();
    decoder.dispose();
  });

  it('backward equals central differences of the reference, for the input and for weights of every kind', () => {
    const { decoder, weights, input, table, rows } = setup();
    const probe = new RandomStream(5).uniform(ids.length * 32, -1, 1); // a random linear read-out of the output
    const readOut = (m: Matrix) => m.flatMap((r) => Array.from(r)).reduce((s, v, i) => s + v * probe[i], 0);
    const objective = (w: Weights, x: Float32Array | Float64Array) => readOut(referenceDecoder(w, rows(x, config.inputDim), ids, table, config.dim, config.depth, config.heads));
    const params = decoder.stateDict();
    const x = tf.tensor3d(input, [1, ids.length, config.inputDim]);
    const probeT = tf.tensor3d(probe, [1, ids.length, 32]);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(decoder.apply(x, tokenIds), probeT)) as tf.Scalar, [...params.values()]);
    const inputGrad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(decoder.apply(v as tf.Tensor3D, tokenIds), probeT)))(x);
    const h = 1e-5;
    const central = (f: (s: number) => number) => (f(h) - f(-h)) / (2 * h);
    const inputGot = inputGrad.dataSync();
    for (const i of [0, 7, 17]) {
      const numeric = central((s) => objective(weights, Float64Array.from(input, (v, k) => (k === i ? v + s : v))));
      expect(Math.abs(inputGot[i] - numeric)).toBeLessThan(2e-3 * Math.max(1, Math.abs(numeric)));
    }
    for (const [key, index] of [['decoder_embed.weight', 4], ['decoder_blocks.0.attn.qkv.weight', 37], ['decoder_blocks.1.norm1.bias', 3], ['decoder_blocks.1.mlp.fc1.weight', 20], ['decoder_norm.weight', 6], ['decoder_pred.bias', 9]] as const) {
      const got = grads[params.get(key)!.name].dataSync()[index];
      const numeric = central((s) => {
        const changed = new Map(weights);
        changed.set(key, weights.get(key)!.map((v, k) => (k === index ? v + s : v)));
        return objective(changed, input);
      });
      expect(Math.abs(got - numeric), key).toBeLessThan(2e-3 * Math.max(1, Math.abs(numeric)));
    }
    tf.dispose([x, probeT, inputGrad, ...Object.values(grads)]);
    decoder.dispose();
  });

  it('has its own state keys, frees its tensors, and names the argument of a bad call', () => {
    const before = tf.memory().numTensors;
    const decoder = new PixelDecoder(config);
    expect([...decoder.stateDict().keys()]).toEqual([
      'decoder_embed.weight', 'decoder_embed.bias',
      ...[0, 1].flatMap((i) => ['norm1.weight', 'norm1.bias', 'attn.qkv.weight', 'attn.qkv.bias', 'attn.proj.weight', 'attn.proj.bias', 'norm2.weight', 'norm2.bias', 'mlp.fc1.weight', 'mlp.fc1.bias', 'mlp.fc2.weight', 'mlp.fc2.bias'].map((k) => `decoder_blocks.${i}.${k}`)),
      'decoder_norm.weight', 'decoder_norm.bias', 'decoder_pred.weight', 'decoder_pred.bias',
    ]);
    const wrong = tf.zeros([1, 3, 5]) as tf.Tensor3D;
    expect(() => decoder.apply(wrong, tokenIds)).toThrow('predicted: expected a [B, K, 6] tensor of predicted features, received [1, 3, 5]');
    const two = tf.zeros([1, 2, 6]) as tf.Tensor3D;
    expect(() => decoder.apply(two, tokenIds)).toThrow('tokenIds: expected [1, 2] ids, one per predicted token, received [1, 3]');
    expect(() => new PixelDecoder({ ...config, positions: 'rope' })).toThrow("config.positions: expected one of sincos, received \"rope\"");
    expect(() => new PixelDecoder({ ...config, heads: 3 })).toThrow('config.heads: expected a divisor of dim 8, received 3');
    tf.dispose([wrong, two]);
    decoder.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
