import * as tf from '@tensorflow/tfjs-core';
import { RandomStream, selectBackend, type BackendRequest } from '@vjepa/core';
import { VisionTransformer, type VisionTransformerConfig } from '@vjepa/vit';

/** What one backend measured. */
export interface BenchResult {
  backend: string;
  forwardMs: number;
  forwardBackwardMs: number;
  forwardGflops: number;
  forwardBackwardGflops: number;
  /** Matrix-product kernels run in one forward+backward, and how many of them were batched (off wasm's fast path). */
  matmuls: number;
  batchedMatmuls: number;
}

/** Options of `runBench`; the defaults are the figures the project quotes. */
export interface BenchOptions {
  backends?: BackendRequest[];
  runs?: number;
  warmup?: number;
  batch?: number;
  frames?: number;
  imageSize?: number;
  model?: VisionTransformerConfig;
  /** Called with each backend's figures as soon as they are measured. */
  onResult?: (result: BenchResult) => void;
}

/** Multiply-adds ×2 of every matrix product of one encoder forward (backward ≈ 2× this). */
export function encoderForwardFlops(config: Required<VisionTransformerConfig>, batch: number, frames: number, imageSize: number): number {
  const tokens = (frames / config.tubelet) * (imageSize / config.patch) ** 2;
  const rows = batch * tokens;
  const d = config.dim;
  const hidden = Math.floor(d * config.mlpRatio);
  const patchIn = config.channels * config.tubelet * config.patch * config.patch;
  const perBlock = 2 * rows * d * 3 * d + 2 * rows * d * d + 2 * 2 * rows * d * hidden + 2 * 2 * batch * tokens * tokens * d;
  return 2 * rows * patchIn * d + config.depth * perBlock;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function timeIt(fn: () => Promise<void>, runs: number, warmup: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

/**
 * Times an encoder forward and forward+backward on each backend (median of `runs` after `warmup`), with
 * the achieved GFLOP/s and a count of batched matrix products (which wasm runs off its fast path).
 */
export async function runBench(options: BenchOptions = {}): Promise<BenchResult[]> {
  const { backends = ['wasm', 'cpu'], runs = 10, warmup = 2, batch = 4, frames = 16, imageSize = 64 } = options;
  const modelConfig = { dim: 192, depth: 6, heads: 3, frames, imageSize, ...options.model };
  const results: BenchResult[] = [];
  for (const request of backends) {
    const choice = await selectBackend(request);
    const encoder = new VisionTransformer(modelConfig);
    const rng = new RandomStream(1);
    const video = tf.tensor5d(rng.uniform(batch * frames * imageSize * imageSize * 3, -2, 2), [batch, frames, imageSize, imageSize, 3]);
    const params = [...encoder.parameters().values()];
    const forward = async () => {
      const out = encoder.apply(video);
      await out.data();
      out.dispose();
    };
    const step = async () => {
      const loss = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.abs(encoder.apply(video))) as tf.Scalar, params);
        tf.keep(value);
        Object.values(grads).forEach((g) => g.dataSync());
        return value;
      });
      await loss.data();
      loss.dispose();
    };
    const forwardMs = await timeIt(forward, runs, warmup);
    const forwardBackwardMs = await timeIt(step, runs, warmup);
    const profile = await tf.profile(step);
    const matmulKernels = profile.kernels.filter((k) => k.name === 'BatchMatMul' || k.name === '_FusedMatMul');
    const batched = matmulKernels.filter((k) => k.inputShapes.some((shape) => shape.length === 3 && shape[0] > 1));
    const flops = encoderForwardFlops(encoder.config, batch, frames, imageSize);
    const result: BenchResult = {
      backend: choice.backend,
      forwardMs,
      forwardBackwardMs,
      forwardGflops: flops / forwardMs / 1e6,
      forwardBackwardGflops: (3 * flops) / forwardBackwardMs / 1e6,
      matmuls: matmulKernels.length,
      batchedMatmuls: batched.length,
    };
    results.push(result);
    options.onResult?.(result);
    video.dispose();
    encoder.dispose();
  }
  return results;
}
