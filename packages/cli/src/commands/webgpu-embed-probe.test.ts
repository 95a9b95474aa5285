import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { findWebGpuAdapter, readAll, readSafetensorsSync, selectBackend, type BackendRequest } from '@vjepa/core';
import { chooseLearningRateReads, evaluateKnnReads, LinearProbe, trainWhitenedProbeReads } from '@vjepa/probe';
import { probeSource } from '@vjepa/official';
import { runEmbedCommand } from './embed';

// `vjepa embed` (a V-JEPA 2 encoder: RoPE) and `vjepa probe` (linear; whitening, k-NN and the learning-rate grid through the library) on webgpu in Node
// (SwiftShader here and in CI), each against the same command on wasm.
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES = SWIFTSHADER;
process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'vjepa-xdg-'));
const found = await findWebGpuAdapter();
const fixture = (path: string) => new URL(`../../../../fixtures/${path}`, import.meta.url).pathname;
const quiet = () => undefined;
const BACKENDS: BackendRequest[] = ['webgpu', 'wasm'];

/** The largest difference between the tensors of two safetensors files, relative to each tensor's largest magnitude (at least 1). */
function worstDifference(a: string, b: string): number {
  const [x, y] = [readSafetensorsSync(a).tensors, readSafetensorsSync(b).tensors];
  expect([...x.keys()].sort()).toEqual([...y.keys()].sort());
  let worst = 0;
  for (const [key, t] of x) {
    const u = y.get(key)!;
    expect(t.shape).toEqual(u.shape);
    const scale = (u.data as Float32Array).reduce((m, v) => Math.max(m, Math.abs(v)), 1);
    for (let i = 0; i < t.data.length; i++) worst = Math.max(worst, Math.abs(Number(t.data[i]) - Number(u.data[i])) / scale);
  }
  return worst;
}

describe.skipIf(!('adapter' in found))(`vjepa embed and vjepa probe --backend webgpu (${'adapter' in found ? found.adapter.description : `skipped: ${found.reason}`})`, () => {
  it('embed: the V-JEPA 2 encoder of tiny-hf (RoPE) gives the features of wasm to 1e-5', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vjepa-embed-'));
    const outs = BACKENDS.map((backend) => join(dir, `${backend}.safetensors`));
    for (const [k, backend] of BACKENDS.entries()) {
      const written = await runEmbedCommand({ inputs: ['synthetic:tiny'], checkpoint: fixture('vjepa2/tiny-hf'), limit: 2, out: outs[k], backend, log: quiet });
      expect(written.count).toBe(2);
    }
    expect(worstDifference(outs[0], outs[1])).toBeLessThan(1e-5);
  });

  // The attentive probe on webgpu is checked against the official probe by webgpu-forward.test.ts (@vjepa/official).
  it('probe linear: 2 epochs, the trained weights and top-1 those of wasm', async () => {
    const dirs = BACKENDS.map(() => mkdtempSync(join(tmpdir(), 'vjepa-probe-')));
    const summaries: Awaited<ReturnType<typeof probeSource>>[] = [];
    for (const [k, backend] of BACKENDS.entries()) {
      summaries.push(
        await probeSource({
          checkpoint: 'random', modelFlags: { model: 'tiny', depth: '1', crop: '32', frames: '8' }, train: 'synthetic:tiny', val: 'synthetic:tiny',
          probe: 'linear', trainSize: 8, valSize: 4, epochs: 2, batchSize: 4, out: join(dirs[k], 'p.safetensors'), backend, log: quiet,
        }),
      );
    }
    summaries[0].forEach((summary, i) => {
      expect(summary.top1).toBe(summaries[1][i].top1);
      expect(worstDifference(summary.weights!, summaries[1][i].weights!), summary.whiten).toBeLessThan(1e-4);
    });
  });

  it('a linear probe behind std and pca whitening (trainWhitenedProbeReads): the transforms and trained weights of wasm', async () => {
    const features = tf.tidy(() => tf.add(tf.mul(tf.randomNormal([6, 5, 7], 0, 1, 'float32', 3), tf.range(1, 8)), 0.5)) as tf.Tensor3D; // [M, N, D], channel scales 1…7
    const host = (await features.data()) as Float32Array;
    features.dispose();
    const labels = [0, 1, 2, 0, 1, 2];
    const fits: Float32Array[][] = [];
    for (const backend of BACKENDS) {
      await selectBackend(backend);
      const x = tf.tensor3d(host, [6, 5, 7]);
      for (const [whiten, dim] of [['std', 7], ['pca', 3]] as const) {
        const trained = await readAll(trainWhitenedProbeReads({ probe: new LinearProbe({ dim, classes: 3 }), features: x, labels, whiten, epochs: 2, batchSize: 4, ...(whiten === 'pca' ? { components: 3 } : {}) }));
        fits.push(await Promise.all([...trained.probe.stateDict()].map(async ([, v]) => (await v.data()) as Float32Array)));
        trained.probe.dispose();
      }
      x.dispose();
    }
    const [gpu, wasm] = [fits.slice(0, 2), fits.slice(2)];
    gpu.forEach((tensors, kind) => tensors.forEach((values, k) => values.forEach((v, i) => expect(Math.abs(v - wasm[kind][k][i]), `${kind ? 'pca' : 'std'} tensor ${k}`).toBeLessThan(1e-4))));
  });

  it('the k-NN read-out and the learning-rate grid (evaluateKnnReads, chooseLearningRateReads): the votes and scores of wasm', async () => {
    const features = tf.tidy(() => tf.randomNormal([10, 3, 6], 0, 1, 'float32', 4)) as tf.Tensor3D; // [M, N, D]
    const host = (await features.data()) as Float32Array;
    features.dispose();
    const labels = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0];
    const results: unknown[] = [];
    for (const backend of BACKENDS) {
      await selectBackend(backend);
      const x = tf.tensor3d(host, [10, 3, 6]);
      const knn = await readAll(evaluateKnnReads(x, labels, x, labels, { k: 3, temperature: 0.1 }));
      const grid = await readAll(chooseLearningRateReads({ makeProbe: () => new LinearProbe({ dim: 6, classes: 3 }), features: x, labels, grid: [1e-3, 1e-1], epochs: 2, batchSize: 4 }));
      results.push({ predictions: Array.from(knn.predictions), scores: grid.scores, lr: grid.lr });
      x.dispose();
    }
    expect(results[0]).toEqual(results[1]);
  });
});
