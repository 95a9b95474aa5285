import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@vjepa/core';
import { MaskCollator } from '@vjepa/masking';
import { createProgram } from '../main';
import { runBenchCommand } from './command';
import { BENCH_CONFIG, readBenchConfig, resolveBenchConfig, tokensPerClip } from './config';
import { parseBenchFlags } from './flags';
import { encoderForwardFlops, stepFlops } from './flops';
import { summarizeProfile } from './profile';
import { recipeSteps } from './run';

const dir = mkdtempSync(join(tmpdir(), 'vjepa-bench-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

// 4 frames of 32 × 32 in 2 × 8 × 8 tubelets: 2 × 4 × 4 = 32 tokens, the smallest grid the official masks fit.
const TINY = { encoder: { dim: 16, depth: 1, heads: 2 }, predictor: { dim: 8, depth: 1 }, geometry: { frames: 4, crop: 32, patch: 8, tubelet: 2 }, batch: 2 };
const tinyFile = file('tiny.json', JSON.stringify(TINY));

describe('vjepa bench flags', () => {
  it('defaults to the full step of the bench configuration on wasm, 10 runs after 2 warm-ups', () => {
    expect(parseBenchFlags({})).toEqual({ what: 'step', backends: ['wasm'], runs: 10, warmup: 2, config: BENCH_CONFIG, json: false, profile: false, soakSteps: 0, accelerator: 'auto' });
    expect(tokensPerClip(BENCH_CONFIG.geometry)).toBe(128);
    expect(BENCH_CONFIG).toEqual({
      encoder: { dim: 192, depth: 6, heads: 3, mlpRatio: 4 },
      predictor: { dim: 96, depth: 4, heads: 3, mlpRatio: 4 },
      geometry: { frames: 16, crop: 64, patch: 16, tubelet: 2 },
      batch: 4,
    });
  });

  it('reads every flag', () => {
    const plan = parseBenchFlags({ what: 'forward', backends: 'cpu, wasm', runs: '3', batch: '8', json: true, profile: true, steps: '500', accelerator: 'none', threads: '2' });
    expect(plan).toEqual({
      what: 'forward',
      backends: ['cpu', 'wasm'],
      runs: 3,
      warmup: 2,
      config: { ...BENCH_CONFIG, batch: 8 },
      json: true,
      profile: true,
      soakSteps: 500,
      accelerator: 'none',
      threads: 2,
    });
  });

  it.each([
    [{ what: 'backward' }, '--what: expected step or forward, received "backward"'],
    [{ backends: 'wasm,gpu' }, '--backends: expected a comma-separated list of auto, tensorflow, wasm, cpu'],
    [{ accelerator: 'gpu' }, '--accelerator: expected auto, native, none, received "gpu"'],
    [{ threads: '0' }, '--threads: expected an integer ≥ 1'],
    [{ runs: '0' }, '--runs: expected an integer ≥ 1'],
    [{ runs: '2.5' }, '--runs: expected an integer ≥ 1'],
    [{ batch: 'four' }, '--batch: expected an integer ≥ 1'],
    [{ steps: '-1' }, '--steps: expected an integer ≥ 0'],
  ])('rejects %j', (flags, message) => {
    expect(() => parseBenchFlags(flags)).toThrow(message);
  });

  it('rejects a bad flag through the command line before running anything', async () => {
    await expect(createProgram().exitOverride().parseAsync(['node', 'vjepa', 'bench', '--what', 'nope'])).rejects.toThrow('--what: expected step or forward');
  });
});

describe('vjepa bench --config', () => {
  it('reads JSON and YAML, fills the bench defaults, and lets --batch win', () => {
    const yaml = file('small.yaml', 'encoder:\n  dim: 384\n  heads: 6\ngeometry:\n  crop: 128\n');
    const config = readBenchConfig(yaml);
    expect(config).toEqual({
      encoder: { dim: 384, depth: 6, heads: 6, mlpRatio: 4 },
      predictor: { dim: 96, depth: 4, heads: 6, mlpRatio: 4 }, // the predictor takes the encoder's heads
      geometry: { frames: 16, crop: 128, patch: 16, tubelet: 2 },
      batch: 4,
    });
    expect(tokensPerClip(config.geometry)).toBe(8 * 8 * 8);
    expect(parseBenchFlags({ config: tinyFile, batch: '3' }).config).toEqual({
      encoder: { dim: 16, depth: 1, heads: 2, mlpRatio: 4 },
      predictor: { dim: 8, depth: 1, heads: 2, mlpRatio: 4 },
      geometry: TINY.geometry,
      batch: 3,
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
    expect(() => parseBenchFlags({ config: bad })).toThrow(`--config ${bad}: encoder: expected only the keys dim, depth, heads, mlpRatio, received "mlp_ratio"`);
    expect(() => parseBenchFlags({ config: join(dir, 'none.yaml') })).toThrow('--config: expected a readable JSON or YAML file');
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

describe.each(['cpu', 'wasm'] as const)('vjepa bench on a tiny config on %s', (backend) => {
  it('prints a table row and one JSON line with exactly the documented fields', async () => {
    const table: string[] = [];
    const json: string[] = [];
    const results = await runBenchCommand(
      { config: tinyFile, runs: '1', backends: backend, json: true },
      { table: (line) => table.push(line), json: (line) => json.push(line) },
    );
    expect(json).toHaveLength(1);
    const line = JSON.parse(json[0]) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual(['backend', 'accelerator', 'median_ms', 'min_ms', 'clips_per_s', 'gflops', 'peak_rss_mb', 'tensors_delta']);
    const choice = await selectBackend(backend);
    expect(line.backend).toBe(backend);
    expect(line.accelerator).toBe(choice.accelerator.name);
    expect(line.tensors_delta).toBe(0);
    for (const key of ['median_ms', 'min_ms', 'clips_per_s', 'gflops', 'peak_rss_mb'] as const) expect(line[key]).toBeGreaterThan(0);
    expect(line.median_ms).toBe(line.min_ms); // one run
    expect(table[0]).toContain('full V-JEPA training step');
    expect(table[0]).toContain('32 tokens');
    expect(table.some((row) => row.startsWith(backend.padEnd(9)))).toBe(true);
    expect(table).toContain(`  accelerator ${choice.accelerator.name} — ${choice.accelerator.reason}`);

    // The FLOPs are those of the masks the timed run drew: the 3rd batch (after 2 warm-ups) of the seeded collator.
    const config = parseBenchFlags({ config: tinyFile }).config;
    const collator = new MaskCollator({ grid: config.geometry, seed: 0 });
    collator.sample(2);
    collator.sample(2);
    const drawn = collator.sample(2).map((m) => ({ context: m.context.shape[1], target: m.target.shape[1] }));
    const encoder = { dim: 16, depth: 1, mlpRatio: 4, channels: 3, patch: 8, tubelet: 2 };
    const expected = stepFlops(encoder, { dim: 8, depth: 1, mlpRatio: 4, outputDim: 16 }, 2, 32, drawn).total;
    expect(results[0].flopsPerRun).toBe(expected);
    expect(results[0].gflops).toBeCloseTo(expected / results[0].timesMs[0] / 1e6, 9);
  });

  it('profiles a step (kernels only) and soaks without growing the tensor count', async () => {
    const [result] = await runBenchCommand(
      { config: tinyFile, runs: '1', backends: backend, profile: true, steps: '2', json: true },
      { table: () => {}, json: () => {} },
    );
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
  });

  it('times the encoder forward alone with --what forward', async () => {
    const [result] = await runBenchCommand({ config: tinyFile, runs: '1', backends: backend, what: 'forward' }, { table: () => {}, json: () => {} });
    expect(result.what).toBe('forward');
    expect(result.flopsPerRun).toBe(encoderForwardFlops({ dim: 16, depth: 1, mlpRatio: 4, channels: 3, patch: 8, tubelet: 2 }, 2, 32));
    expect(result.tensorsDelta).toBe(0);
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
