// `vjepa train --resume` / `--force` on a run, as a user runs it: past a damaged newest checkpoint the
// warning is on stderr and metrics.jsonl is cut at the resumed step; --steps below a checkpoint's step
// names --steps; --force starts over.
import { readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveRunConfig, runTrain } from '@vjepa/trainer';
import { fresh, metricSteps, TINY, vjepa } from './run-cli.test-util';


describe('vjepa train --resume / --force on a run', () => {
  const out = join(fresh(), 'run');
  beforeAll(async () => {
    // the run of train-out.test.ts: 4 steps of the TINY flags, a checkpoint after each
    const flags = { data: 'synthetic:tiny', crop: '64', frames: '8', depth: '1', predDepth: '1', predDim: '48', batchSize: '2', steps: '4' };
    await runTrain({ config: resolveRunConfig(flags), backend: 'wasm', out, checkpointEvery: 1, keep: 3, log: () => undefined });
  }, 120_000);

  it('--resume past a damaged newest checkpoint: the warning on stderr, metrics.jsonl cut at the resumed step', () => {
    truncateSync(join(out, 'checkpoints', 'step-00000004', 'encoder.safetensors'), 100);
    const result = vjepa('train', ...TINY, '--steps', '4', '--out', out, '--resume');
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^warning: checkpoint .*step-00000004 is damaged \(encoder\.safetensors: 100 bytes, .*\); using .*step-00000003 instead\n$/);
    expect(result.stdout).toContain('at step 3 of 4\n');
    expect(metricSteps(out)).toEqual([0, 1, 2, 3]);
  }, 120_000);

  it('--resume --steps below the checkpoint: exit 2 naming --steps (it named state.step)', () => {
    const result = vjepa('train', ...TINY, '--steps', '2', '--out', out, '--resume');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `vjepa: --steps: expected at least the 4 steps the checkpoint ${join(out, 'checkpoints', 'step-00000004')} has done, received 2. ` +
        'Give --steps 4 or more to continue it, or another --out to start a new run\n',
    );
  }, 120_000);

  it('--force: a new run, the old checkpoints and metrics gone', () => {
    const result = vjepa('train', ...TINY, '--steps', '1', '--out', out, '--force');
    expect(result.status).toBe(0);
    expect(metricSteps(out)).toEqual([0]);
    expect(JSON.parse(readFileSync(join(out, 'checkpoints', 'latest.json'), 'utf8')).step).toBe(1);
  }, 120_000);
});
