// `vjepa bench` as the command runs it: its flags parsed by commander, the table and the JSON lines printed.
// The benchmark itself (runBench, the FLOP counts, the config, the profile) is tested in @vjepa/trainer.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '@vjepa/core';
import { BENCH_CONFIG } from '@vjepa/trainer';
import { createProgram } from '../main';
import { benchConfig, runBenchCommand, type BenchFlags } from './bench';

const dir = mkdtempSync(join(tmpdir(), 'vjepa-bench-'));
// 4 frames of 32 × 32 in 2 × 8 × 8 tubelets: 2 × 4 × 4 = 32 tokens, the smallest grid the official masks fit.
const TINY = { encoder: { dim: 16, depth: 1, heads: 2 }, predictor: { dim: 8, depth: 1 }, geometry: { frames: 4, crop: 32, patch: 8, tubelet: 2 }, batch: 2 };
const tinyFile = join(dir, 'tiny.json');
writeFileSync(tinyFile, JSON.stringify(TINY));

/** The flags `vjepa bench ARGS` hands to its action (the benchmark itself not run). */
async function benchFlags(...args: string[]): Promise<BenchFlags> {
  const program = createProgram().exitOverride();
  let flags: BenchFlags | undefined;
  program.commands.find((command) => command.name() === 'bench')!.action((o: BenchFlags) => {
    flags = o;
  });
  await program.parseAsync(['node', 'vjepa', 'bench', ...args]);
  return flags!;
}

describe('vjepa bench flags', () => {
  it('defaults to the full step of the bench configuration on wasm, 10 runs', async () => {
    const flags = await benchFlags();
    expect(flags).toEqual({ what: 'step', backends: ['wasm'], runs: 10, steps: 0, accelerator: 'auto' });
    expect(benchConfig(flags)).toEqual(BENCH_CONFIG);
  });

  it('reads every flag', async () => {
    const flags = await benchFlags(
      ...['--what', 'forward', '--backends', 'cpu, wasm', '--runs', '3', '--batch', '8', '--json', '--profile'],
      ...['--steps', '500', '--accelerator', 'none', '--threads', '2'],
    );
    expect(flags).toEqual({ what: 'forward', backends: ['cpu', 'wasm'], runs: 3, batch: 8, json: true, profile: true, steps: 500, accelerator: 'none', threads: 2 });
    expect(benchConfig(flags)).toEqual({ ...BENCH_CONFIG, batch: 8 });
  });

  it('reads --config, and --batch wins over its batch', async () => {
    expect(benchConfig(await benchFlags('--config', tinyFile, '--batch', '3'))).toEqual({
      encoder: { dim: 16, depth: 1, heads: 2, mlpRatio: 4 },
      predictor: { dim: 8, depth: 1, heads: 2, mlpRatio: 4 },
      geometry: TINY.geometry,
      batch: 3,
    });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'encoder:\n  dim: 192\n  mlp_ratio: 4\n');
    expect(() => benchConfig({ config: bad })).toThrow(`--config ${bad}: encoder: expected only the keys dim, depth, heads, mlpRatio, received "mlp_ratio"`);
    expect(() => benchConfig({ config: join(dir, 'none.yaml') })).toThrow('--config: expected a readable JSON or YAML file');
  });

  it.each([
    [['--what', 'backward'], '--what: expected one of step, forward, received "backward"'],
    [['--backends', 'wasm,gpu'], '--backends: expected a comma-separated list of auto, tensorflow, webgpu, wasm, cpu, received "wasm,gpu"'],
    [['--accelerator', 'gpu'], '--accelerator: expected one of auto, native, none, received "gpu"'],
    [['--threads', '0'], '--threads: expected an integer ≥ 1, received "0"'],
    [['--runs', '0'], '--runs: expected an integer ≥ 1, received "0"'],
    [['--runs', '2.5'], '--runs: expected an integer ≥ 1, received "2.5"'],
    [['--batch', 'four'], '--batch: expected an integer ≥ 1, received "four"'],
    [['--steps', '-1'], '--steps: expected an integer ≥ 0, received "-1"'],
    [['--interleave-threads', '1,x'], '--interleave-threads: expected a comma-separated list of integers ≥ 1, received "1,x"'],
  ])('rejects %j before running anything', async (args, message) => {
    await expect(benchFlags(...args)).rejects.toThrow(message);
  });
});

describe('vjepa bench --interleave-threads', () => {
  it('reads the pool sizes', async () => {
    expect((await benchFlags('--interleave-threads', '1, 2')).interleaveThreads).toEqual([1, 2]);
  });

  it.each([
    [['--interleave-threads', '2'], '--interleave-threads: expected at least two pool sizes (one twice, e.g. 1,1: the A/A control), received "2"'],
    [['--interleave-threads', '1,2', '--threads', '2'], '--threads: expected none beside --interleave-threads (it sets the pool itself), received 2'],
    [['--interleave-threads', '1,2', '--profile'], '--profile: expected none beside --interleave-threads, received true'],
    [['--interleave-threads', '1,2', '--steps', '5'], '--steps: expected 0 beside --interleave-threads, received 5'],
  ])('refuses %j before printing or running anything', async (args, message) => {
    const table: string[] = [];
    await expect(runBenchCommand(await benchFlags(...args), { table: (line) => table.push(line), json: () => undefined })).rejects.toThrow(message);
    expect(table).toEqual([]);
  });
});

describe('vjepa bench on a tiny config', () => {
  it('prints the title, the header, a table row per backend and one JSON line each', async () => {
    const table: string[] = [];
    const json: string[] = [];
    const flags = await benchFlags('--config', tinyFile, '--runs', '1', '--backends', 'cpu,wasm', '--json');
    const results = await runBenchCommand(flags, { table: (line) => table.push(line), json: (line) => json.push(line) });
    expect(results.map((r) => r.backend)).toEqual(['cpu', 'wasm']);
    expect(table[0]).toContain('full V-JEPA training step');
    expect(table[0]).toContain('32 tokens');
    expect(table[0]).toContain('median of 1 after 2 warm-ups');
    expect(table[1]).toBe('backend   accelerator   median ms    min ms   clips/s   GFLOP/s   peak RSS MB   tensors Δ');
    expect(json).toHaveLength(2);
    for (const [i, backend] of (['cpu', 'wasm'] as const).entries()) {
      const line = JSON.parse(json[i]) as Record<string, unknown>;
      const choice = await selectBackend(backend);
      const native = choice.accelerator.name === 'native' ? ['threads', 'gemm_core', 'gemm_config', 'openblas_coretype', 'pool_backoffs', 'pool_inline_regions'] : [];
      expect(Object.keys(line)).toEqual(['backend', 'accelerator', 'median_ms', 'min_ms', 'clips_per_s', 'gflops', 'peak_rss_mb', 'tensors_delta', ...native]);
      expect(line).toMatchObject({ backend, accelerator: choice.accelerator.name, tensors_delta: 0 });
      expect(line.median_ms).toBe(line.min_ms); // one run
      expect(table.some((row) => row.startsWith(backend.padEnd(9)))).toBe(true);
      expect(table).toContain(`  accelerator ${choice.accelerator.name} — ${choice.accelerator.reason}`);
    }
  });
});
