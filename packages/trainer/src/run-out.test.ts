// What runTrain does with an output folder that already holds a run, and with a resume it cannot honour:
// refused before any work unless --resume / --resume-if-exists / --force says what to do; a resumed run
// says where it continues from and its metrics.jsonl holds every step once, also after a fallback past a
// damaged checkpoint; a refusal leaves no empty folder.
import { existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '@vjepa/core';
import { cutMetrics } from './loop';
import { resolveRunConfig, type RunConfig } from './run-config';
import { runTrain } from './run';

function tinyConfig(steps: number, spec = 'synthetic:tiny'): RunConfig {
  return resolveRunConfig({ data: spec, crop: '64', frames: '8', depth: '1', predDim: '24', predDepth: '1', batchSize: '2', steps: String(steps) });
}
const fresh = () => mkdtempSync(join(tmpdir(), 'vjepa-run-out-'));
const steps = (out: string) =>
  readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { step: number }).step);
const quiet = () => undefined;

describe('runTrain and an output folder holding a run', () => {
  it('refuses it without --resume (exit 2, before any work), starts over with force, resumes with resumeIfExists', async () => {
    const out = fresh();
    await runTrain({ config: tinyConfig(4), backend: 'wasm', out, checkpointEvery: 2, log: quiet });
    const before = readFileSync(join(out, 'metrics.jsonl'), 'utf8');
    const refused = runTrain({ config: tinyConfig(4), backend: 'wasm', out, log: quiet });
    await expect(refused).rejects.toThrow(UsageError);
    await expect(runTrain({ config: tinyConfig(4), backend: 'wasm', out, log: quiet })).rejects.toThrow(
      `--out: expected a folder without a run, received "${out}" (it holds a run: checkpoints up to step-00000004, metrics.jsonl). ` +
        'Continue it with --resume (or --resume-if-exists), start it over with --force, or use another --out',
    );
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe(before);

    await runTrain({ config: tinyConfig(2), backend: 'wasm', out, force: true, log: quiet });
    expect(steps(out)).toEqual([0, 1]); // the old run's lines and checkpoints are gone
    expect(readdirSync(join(out, 'checkpoints')).filter((d) => d.startsWith('step-'))).toEqual(['step-00000002']);

    const lines: string[] = [];
    await runTrain({ config: tinyConfig(3), backend: 'wasm', out, resumeIfExists: true, log: (line) => lines.push(line) });
    expect(lines).toContain(`resumed from ${join(out, 'checkpoints', 'step-00000002')} at step 2 of 3`);
    expect(steps(out)).toEqual([0, 1, 2]);
    await expect(runTrain({ config: tinyConfig(3), out, force: true, resume: true })).rejects.toThrow('--force: expected no --resume or --resume-if-exists');
  }, 60_000);

  it('resumeIfExists on a fresh folder starts the run (one command for the first start and every restart)', async () => {
    const out = join(fresh(), 'run');
    const summary = await runTrain({ config: tinyConfig(2), backend: 'wasm', out, resumeIfExists: true, log: quiet });
    expect(summary.startStep).toBe(0);
    expect(steps(out)).toEqual([0, 1]);
  }, 60_000);

  it('after a fallback past a damaged checkpoint, metrics.jsonl is cut at the resumed step (no step twice)', async () => {
    const out = fresh();
    await runTrain({ config: tinyConfig(4), backend: 'wasm', out, checkpointEvery: 2, keep: 3, log: quiet });
    truncateSync(join(out, 'checkpoints', 'step-00000004', 'encoder.safetensors'), 100);
    const warnings: string[] = [];
    const lines: string[] = [];
    const summary = await runTrain({ config: tinyConfig(4), backend: 'wasm', out, resume: true, log: (line) => lines.push(line), warn: (line) => warnings.push(line) });
    expect(summary.startStep).toBe(2);
    expect(warnings.join('\n')).toMatch(/warning: checkpoint .*step-00000004 is damaged .*; using .*step-00000002 instead/);
    expect(lines).toContain(`resumed from ${join(out, 'checkpoints', 'step-00000002')} at step 2 of 4`);
    expect(steps(out)).toEqual([0, 1, 2, 3]);
  }, 60_000);

  it('--steps below the steps a checkpoint has done names --steps and the checkpoint, before any work', async () => {
    const out = fresh();
    await runTrain({ config: tinyConfig(4), backend: 'wasm', out, checkpointEvery: 4, log: quiet });
    await expect(runTrain({ config: tinyConfig(2), backend: 'wasm', out, resume: true, log: quiet })).rejects.toThrow(
      `--steps: expected at least the 4 steps the checkpoint ${join(out, 'checkpoints', 'step-00000004')} has done, received 2`,
    );
    expect(steps(out)).toEqual([0, 1, 2, 3]);
  }, 60_000);

  it('a batch larger than the data names --batch-size; nothing is created for a refused run', async () => {
    const parent = fresh();
    const videos = join(parent, 'one.csv');
    writeFileSync(videos, `${join(parent, 'missing.mp4')} 0\n`);
    const out = join(parent, 'run');
    await expect(runTrain({ config: tinyConfig(2, videos), backend: 'wasm', out, log: quiet })).rejects.toThrow(
      `--batch-size: expected at most the 1 clip(s) of --data ${videos} (a batch drops no clip), received 2`,
    );
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});

describe('cutMetrics', () => {
  it('keeps the lines of the steps before the resumed one, drops a line cut by a kill, leaves a clean file alone', () => {
    const file = join(fresh(), 'metrics.jsonl');
    writeFileSync(file, '{"step":0}\n{"step":1}\n{"step":2}\n{"step":1}\n{"st');
    cutMetrics(file, 2);
    expect(readFileSync(file, 'utf8')).toBe('{"step":0}\n{"step":1}\n{"step":1}\n');
    cutMetrics(join(fresh(), 'none.jsonl'), 0);
  });
});
