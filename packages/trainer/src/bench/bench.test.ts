import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { activeNativeKernels, selectBackend } from '@vjepa/core';
import { MaskCollator } from '@vjepa/masking';
import { BENCH_CONFIG, readBenchConfig, resolveBenchConfig, tokensPerClip } from './config';
import { encoderForwardFlops, stepFlops } from './flops';
import { benchDetails, benchJson, benchRow } from './format';
import { summarizeProfile } from './profile';
import { recipeSteps, runBench } from './run';

const dir = mkdtempSync(join(tmpdir(), 'vjepa-bench-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

// 4 frames of 32 × 32 in 2 × 8 × 8 tubelets: 2 × 4 × 4 = 32 tokens, the smallest grid the official masks fit.
const TINY = { encoder: { dim: 16, depth: 1, heads: 2 }, predictor: { dim: 8, depth: 1 }, geometry: { frames: 4, crop: 32, patch: 8, tubelet: 2 }, batch: 2 };
const tinyFile = file('tiny.json', JSON.stringify(TINY));

describe('the bench config', () => {
  it('defaults to the bench configuration of the performance issue: 128 tokens per clip', () => {
    expect(tokensPerClip(BENCH_CONFIG.geometry)).toBe(128);
    expect(BENCH_CONFIG).toEqual({
      encoder: { dim: 192, depth: 6, heads: 3, mlpRatio: 4 },
      predictor: { dim: 96, depth: 4, heads: 3, mlpRatio: 4 },
      geometry: { frames: 16, crop: 64, patch: 16, tubelet: 2 },
      batch: 4,
    });
    expect(resolveBenchConfig()).toEqual(BENCH_CONFIG);
  });

  it('reads JSON and YAML and fills the bench defaults', () => {
    const yaml = file('small.yaml', 'encoder:\n  dim: 384\n  heads: 6\ngeometry:\n  crop: 128\n');
    const config = readBenchConfig(yaml);
    expect(config).toEqual({
      encoder: { dim: 384, depth: 6, heads: 6, mlpRatio: 4 },
      predictor: { dim: 96, depth: 4, heads: 6, mlpRatio: 4 }, // the predictor takes the encoder's heads
      geometry: { frames: 16, crop: 128, patch: 16, tubelet: 2 },
      batch: 4,
    });
    expect(tokensPerClip(config.geometry)).toBe(8 * 8 * 8);
    expect(readBenchConfig(tinyFile)).toEqual({
      encoder: { dim: 16, depth: 1, heads: 2, mlpRatio: 4 },
      predictor: { dim: 8, depth: 1, heads: 2, mlpRatio: 4 },
      geometry: TINY.geometry,
      batch: 2,
    });
  });

  it.each([
    [{ model: { dim: 4 } }, 'config: expected only the keys encoder, predictor, geometry, batch, received "model". Unknown keys are errors'],
    [{ encoder: { width: 4 } }, 'config: encoder: expected only the keys dim, depth, heads, mlpRatio, received "width"'],
    [{ geometry: { frames: 16, crop: 64, size: 2 } }, 'config: geometry: expected only the keys frames, crop, patch, tubelet, received "size"'],
    [{ predictor: { depth: 0 } }, 'config: predictor.depth: expected a positive integer, received 0'],
    [{ encoder: { dim: 100, heads: 3 } }, 'config: encoder.heads: expected a divisor of encoder.dim 100, received 3'],
    [{ geometry: { frames: 15 } }, 'config: geometry.frames: expected a multiple of geometry.tubelet 2, received 15'],
    [{ geometry: { crop: 60 } }, 'config: geometry.crop: expected a multiple of geometry.patch 16, received 60'],
    [{ batch: 1.5 }, 'config: batch: expected a positive integer, received 1.5'],
    [[1, 2], 'config: expected a mapping'],
  ])('rejects %j', (input, message) => {
    expect(() => resolveBenchConfig(input)).toThrow(message);
  });

  it('names the file in its errors, and a missing file', () => {
    const bad = file('bad.yaml', 'encoder:\n  dim: 192\n  mlp_ratio: 4\n');
    expect(() => readBenchConfig(bad)).toThrow(`config ${bad}: encoder: expected only the keys dim, depth, heads, mlpRatio, received "mlp_ratio"`);
    expect(() => readBenchConfig(bad, '--config')).toThrow(`--config ${bad}: encoder: expected only the keys dim, depth, heads, mlpRatio, received "mlp_ratio"`);
    expect(() => readBenchConfig(join(dir, 'none.yaml'))).toThrow('config: expected a readable JSON or YAML file');
  });
});

describe('kernel profile', () => {
  it('sums time and counts per kernel name, ranks by time, and leaves out scopes', () => {
    const entries = [
      { name: 'BatchMatMul', kernelTimeMs: 2, inputShapes: [[1, 4, 8], [1, 8, 2]] }, // one matrix: 2-D in effect
      { name: 'unnamed scope', kernelTimeMs: 5 }, // a custom-gradient op: its kernels are listed too
      { name: 'Add', kernelTimeMs: 1, inputShapes: [[3, 4, 8], null] },
      { name: 'BatchMatMul', kernelTimeMs: 3, inputShapes: [[6, 4, 8], [6, 8, 2]] }, // 6 matrices: batched
      { name: 'Erf', kernelTimeMs: { error: 'no timer' } },
    ];
    expect(summarizeProfile(entries, (name) => name !== 'unnamed scope')).toEqual({
      kernels: [
        { name: 'BatchMatMul', count: 2, totalMs: 5 },
        { name: 'Add', count: 1, totalMs: 1 },
        { name: 'Erf', count: 1, totalMs: 0 },
      ],
      kernelCount: 4,
      kernelMs: 6,
      scopeCount: 1,
      batchedMatmuls: 1,
    });
  });
});

describe.each(['cpu', 'wasm'] as const)('runBench on a tiny config on %s', (backend) => {
  const config = readBenchConfig(tinyFile);

  it('times the full step: the FLOPs of the masks drawn, no tensor growth, the JSON line with exactly the documented fields', async () => {
    const results = await runBench({ config, runs: 1, backends: [backend] });
    expect(results).toHaveLength(1);
    const [result] = results;
    const choice = await selectBackend(backend);
    expect(result).toMatchObject({ backend, what: 'step', accelerator: choice.accelerator.name, acceleratorReason: choice.accelerator.reason, tensorsDelta: 0 });
    expect(result.timesMs).toHaveLength(1);
    expect(result.medianMs).toBe(result.minMs); // one run
    expect(result.clipsPerS).toBeCloseTo(2 / (result.medianMs / 1000), 9);

    // The FLOPs are those of the masks the timed run drew: the 3rd batch (after 2 warm-ups) of the seeded collator.
    const collator = new MaskCollator({ grid: config.geometry, seed: 0 });
    collator.sample(2);
    collator.sample(2);
    const drawn = collator.sample(2).map((m) => ({ context: m.context.shape[1], target: m.target.shape[1] }));
    const encoder = { dim: 16, depth: 1, mlpRatio: 4, channels: 3, patch: 8, tubelet: 2 };
    const expected = stepFlops(encoder, { dim: 8, depth: 1, mlpRatio: 4, outputDim: 16 }, 2, 32, drawn).total;
    expect(result.flopsPerRun).toBe(expected);
    expect(result.gflops).toBeCloseTo(expected / result.timesMs[0] / 1e6, 9);

    const line = benchJson(result);
    const native = result.accelerator === 'native' ? ['threads', 'gemm_core', 'gemm_config', 'openblas_coretype', 'pool_backoffs', 'pool_inline_regions'] : [];
    expect(Object.keys(line)).toEqual(['backend', 'accelerator', 'median_ms', 'min_ms', 'clips_per_s', 'gflops', 'peak_rss_mb', 'tensors_delta', ...native]);
    if (result.accelerator === 'native') {
      expect(line).toMatchObject({ threads: choice.accelerator.threads, openblas_coretype: process.env.OPENBLAS_CORETYPE || null });
      expect(String(line.gemm_core).length).toBeGreaterThan(0);
    }
    expect(line).toMatchObject({ backend, accelerator: choice.accelerator.name, median_ms: Number(result.medianMs.toFixed(1)), tensors_delta: 0 });
    for (const key of ['median_ms', 'min_ms', 'clips_per_s', 'gflops', 'peak_rss_mb'] as const) expect(line[key]).toBeGreaterThan(0);
    expect(benchRow(result).startsWith(backend.padEnd(9))).toBe(true);
    expect(benchDetails(result)[0]).toBe(`  accelerator ${choice.accelerator.name} — ${choice.accelerator.reason}`);
    // and the GEMM line; and a line on the pool's back-offs when it backed off (other test files share the cores)
    const backedOff = (result.native?.backoffs ?? 0) > 0;
    expect(benchDetails(result)).toHaveLength(result.accelerator === 'native' ? 2 + Number(backedOff) : 1);
    if (backedOff) expect(benchDetails(result)[2]).toBe(`  pool backed off ${result.native!.backoffs} time(s), ${result.native!.inlineRegions} region(s) inline (splitting did not pay: a competing process?)`);
  });

  it('profiles a step (kernels only) and soaks without growing the tensor count', async () => {
    const [result] = await runBench({ config, runs: 1, backends: [backend], profile: true, soakSteps: 2 });
    const profile = result.profile!;
    const names = profile.kernels.map((k) => k.name);
    // With the native kernels every linear layer is one VjepaLinear kernel; without, XNNPACK's BatchMatMul.
    expect(names).toContain(result.accelerator === 'native' ? 'VjepaLinear' : 'BatchMatMul');
    expect(names).not.toContain('unnamed scope');
    for (const name of names) expect(tf.getKernel(name, backend), name).toBeDefined();
    expect(profile.kernelCount).toBe(profile.kernels.reduce((sum, k) => sum + k.count, 0));
    expect(result.soak).toMatchObject({ steps: 2 });
    expect(result.soak!.rssTenthsMb).toHaveLength(2); // one sample per tenth that a step ends: both steps here
    expect(result.soak!.tensorsEnd).toBe(result.soak!.tensorsStart);
    expect(Object.keys(benchJson(result)).slice(8, 14)).toEqual(['soak_steps', 'rss_start_mb', 'rss_end_mb', 'tensors_start', 'tensors_end', 'rss_tenths_mb']);
  });

  it("times the encoder forward alone with what: 'forward'", async () => {
    const [result] = await runBench({ config, runs: 1, backends: [backend], what: 'forward' });
    expect(result.what).toBe('forward');
    expect(result.flopsPerRun).toBe(encoderForwardFlops({ dim: 16, depth: 1, mlpRatio: 4, channels: 3, patch: 8, tubelet: 2 }, 2, 32));
    expect(result.tensorsDelta).toBe(0);
  });
});

describe('runBench with interleaveThreads', () => {
  const config = readBenchConfig(tinyFile);

  it('times each pool size in blocks that take turns, one result per size, and leaves the pool as it was', async () => {
    const choice = await selectBackend('wasm');
    const run = runBench({ config, runs: 4, block: 3, backends: ['wasm'], interleaveThreads: [1, 2] });
    if (choice.accelerator.name !== 'native') {
      await expect(run).rejects.toThrow('interleaveThreads: expected the native kernels (their pool is what it times), received "accelerator none on wasm"');
      return;
    }
    const results = await run;
    expect(results.map((r) => r.native?.threads)).toEqual([1, 2]);
    for (const result of results) {
      expect(result.timesMs).toHaveLength(4);
      expect(result.blockMediansMs).toHaveLength(2); // a block of 3, then the 1 run left
      expect(result.blockMediansMs![1]).toBe(result.timesMs[3]);
      expect(result.tensorsDelta).toBe(0);
      expect(benchJson(result).block_medians_ms).toEqual(result.blockMediansMs!.map((ms) => Number(ms.toFixed(1))));
    }
    expect(results[0].native!.backoffs).toBe(0); // one thread never splits, so never backs off
    // a size twice: the A/A control, two series of the same pool
    const control = await runBench({ config, runs: 2, block: 1, backends: ['wasm'], interleaveThreads: [1, 1] });
    expect(control.map((r) => [r.native?.threads, r.timesMs.length, r.blockMediansMs?.length])).toEqual([[1, 2, 2], [1, 2, 2]]);
    expect(activeNativeKernels()!.setThreads(choice.accelerator.threads!)).toBe(choice.accelerator.threads);
  });

  it.each([
    [{ interleaveThreads: [2] }, 'interleaveThreads: expected at least two integers ≥ 1, received [2]'],
    [{ interleaveThreads: [0, 2] }, 'interleaveThreads: expected at least two integers ≥ 1, received [0, 2]'],
    [{ interleaveThreads: [1, 2], threads: 2 }, 'threads: expected none beside interleaveThreads (it sets the pool itself), received 2'],
    [{ interleaveThreads: [1, 2], soakSteps: 3 }, 'soakSteps: expected 0 beside interleaveThreads, received 3'],
    [{ interleaveThreads: [1, 2], block: 0 }, 'block: expected an integer ≥ 1, received 0'],
  ])('refuses %j before any work', async (options, message) => {
    await expect(runBench({ config, runs: 1, backends: ['wasm'], ...options })).rejects.toThrow(message);
  });
});

describe('the bench recipe', () => {
  it('is officialRecipe(300) unless a soak takes more steps than its schedules cover', () => {
    expect(recipeSteps(12)).toBe(300);
    expect(recipeSteps(375)).toBe(300);
    expect(recipeSteps(513)).toBe(411);
    expect(Math.trunc(1.25 * 411)).toBeGreaterThanOrEqual(513);
  });
});
