import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunState } from './checkpoint';
import type { ProgressEvent } from './loop';
import { describeStep } from './progress-log';
import { resolveRunConfig, type RunConfig } from './run-config';
import { runTrain, savedRunConfig } from './run';

/** A run of `steps` steps, as `vjepa train` resolves it: a ViT-tiny of depth 1 on the embedded 8 × 64 × 64 synthetic clips. */
function tinyConfig(steps: number): RunConfig {
  return resolveRunConfig({ data: 'synthetic:tiny', crop: '64', frames: '8', depth: '1', predDim: '24', predDepth: '1', batchSize: '2', steps: String(steps) });
}

describe('runTrain', () => {
  it('reports every step to onProgress, its lines to log, and saves the config that readRunState reads back', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vjepa-run-'));
    const events: ProgressEvent[] = [];
    const lines: string[] = [];
    const config = tinyConfig(3);
    const summary = await runTrain({ config, backend: 'wasm', out, checkpointEvery: 3, log: (line) => lines.push(line), onProgress: (e) => events.push(e) });
    expect(events.map((e) => [e.step, e.totalSteps])).toEqual([[0, 3], [1, 3], [2, 3]]);
    expect(events.map((e) => e.loss)).toEqual(summary.losses);
    expect(lines[0]).toMatch(/^backend: wasm/);
    expect(lines.some((line) => line.startsWith('step '))).toBe(false); // the progress went to onProgress only
    expect(lines.at(-1)).toBe(`checkpoint: ${summary.checkpointDir}`);

    const read = readRunState(out)!;
    expect(read.dir).toBe(join(out, 'checkpoints', 'step-00000003'));
    expect(read.state).toMatchObject({ format: 'vjepa-ts-checkpoint-1', step: 3 });
    expect(read.state.config).toEqual(JSON.parse(JSON.stringify(config)));
    expect(Object.keys(read.state.files!).sort()).toEqual(['encoder.safetensors', 'optimizer.safetensors', 'predictor.safetensors', 'target_encoder.safetensors']);
    expect(savedRunConfig(read.dir)).toEqual(read.state.config);
    expect(readRunState(mkdtempSync(join(tmpdir(), 'vjepa-empty-')))).toBeNull();
    expect(savedRunConfig(mkdtempSync(join(tmpdir(), 'vjepa-empty-')))).toBeNull();

    // a checkpoint directory named directly is verified: a damaged state.json is refused, naming the problem
    const state = join(read.dir, 'state.json');
    writeFileSync(state, readFileSync(state, 'utf8').replace('"step": 3', '"step": 4'));
    expect(() => readRunState(read.dir)).toThrow(/checkpoint: expected an intact checkpoint in .*step-00000003, received "state\.json: SHA-256 differs/);
  });

  it('logs a plain line for the first, every 10th and the last step without onProgress; refuses unknown options', async () => {
    const lines: string[] = [];
    await runTrain({ config: tinyConfig(3), backend: 'wasm', out: mkdtempSync(join(tmpdir(), 'vjepa-run-')), checkpointEvery: 3, log: (line) => lines.push(line) });
    expect(lines.filter((line) => line.startsWith('step ')).map((line) => line.split(' | ')[0])).toEqual(['step 1/3', 'step 3/3']);
    await expect(runTrain({ config: tinyConfig(3), out: 'unused', interactive: false } as never)).rejects.toThrow(/options\.interactive: expected one of the keys config, .*, onProgress/);
  });

  it('describeStep: step, loss, lr, momentum, speed and ETA on one line', () => {
    const event = { step: 4, totalSteps: 10, loss: 0.51234, lr: 0.000625, momentum: 0.998, clipsPerSecond: 3.456, etaSeconds: 3725 } as ProgressEvent;
    expect(describeStep(event)).toBe('step 5/10 | loss 0.5123 | lr 6.25e-4 | momentum 0.99800 | 3.46 clips/s | ETA 1h02m');
  });
});
