// A checkpoint write that fails (a full disk, an I/O error), injected into node:fs as every module of the
// project sees it: the previous checkpoint stays intact, the run stops and names it.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { selectBackend } from '@vjepa/core';
import { latestCheckpointDir, verifyCheckpoint } from './checkpoint';
import { CheckpointWriteError, runTraining } from './loop';
import { tinyRun } from './tiny-run.test-util';

const fault = vi.hoisted(() => ({ call: '' as '' | 'writeFileSync' | 'fsyncSync', code: '', after: 0 }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const failing = <F extends (...args: never[]) => unknown>(name: 'writeFileSync' | 'fsyncSync', original: F) =>
    ((...args: Parameters<F>) => {
      if (fault.call === name && fault.after-- <= 0) {
        const error = new Error(`${fault.code}: injected ${name} failure`) as NodeJS.ErrnoException;
        error.code = fault.code;
        throw error;
      }
      return original(...args);
    }) as unknown as F;
  const patched = { ...fs, writeFileSync: failing('writeFileSync', fs.writeFileSync), fsyncSync: failing('fsyncSync', fs.fsyncSync) };
  return { ...patched, default: patched };
});

describe('a checkpoint write that fails', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });
  afterEach(() => {
    fault.call = '';
  });

  it.each([
    // writeFileSync calls of a checkpoint: encoder, predictor, target_encoder, optimizer, state.json, latest.json
    ['ENOSPC on the first tensor file', 'writeFileSync', 'ENOSPC', 0, []],
    ['ENOSPC on the optimizer file', 'writeFileSync', 'ENOSPC', 3, []],
    ['ENOSPC on state.json', 'writeFileSync', 'ENOSPC', 4, []],
    // the new directory is complete, but latest.json (written atomically) still names the previous one
    ['ENOSPC on latest.json', 'writeFileSync', 'ENOSPC', 5, ['step-00000004']],
    ['EIO on an fsync', 'fsyncSync', 'EIO', 1, []],
  ] as const)('%s leaves the previous checkpoint intact and stops the run naming it', async (_, call, code, after, extra) => {
    const out = mkdtempSync(join(tmpdir(), 'vjepa-enospc-'));
    const run = tinyRun();
    const stepsSeen: number[] = [];
    const error = await runTraining({
      ...run.parts,
      steps: 8,
      outDir: out,
      checkpointEvery: 2,
      onProgress: (event) => {
        stepsSeen.push(event.step);
        if (event.step === 3) Object.assign(fault, { call, code, after }); // the disk fills during step 3
      },
    }).catch((e: unknown) => e);
    run.dispose();
    fault.call = '';
    expect(error).toBeInstanceOf(CheckpointWriteError);
    const message = (error as Error).message;
    expect(message).toContain(`checkpoint: could not write the checkpoint of step 4 (${code}: injected ${call} failure); training stopped.`);
    expect(message).toMatch(/The last good checkpoint is .*step-00000002; free space and resume with --resume/);
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe(code);
    expect(stepsSeen).toEqual([0, 1, 2, 3]); // stopped at once
    const root = join(out, 'checkpoints');
    expect(latestCheckpointDir(root)).toMatch(/step-00000002$/);
    expect(verifyCheckpoint(join(root, 'step-00000002'))).toEqual([]);
    expect(readdirSync(root).sort()).toEqual(['latest.json', 'step-00000002', ...extra]); // no half-written directory left
    expect(existsSync(join(out, '.vjepa-train.lock'))).toBe(false); // the lock is released

    // Space is back: a resumed run continues from step 2.
    const again = tinyRun(7);
    const resumed = await runTraining({ ...again.parts, steps: 4, outDir: out, checkpointEvery: 2, resume: true });
    again.dispose();
    expect(resumed.startStep).toBe(2);
    expect(latestCheckpointDir(root)).toMatch(/step-00000004$/);
  }, 60_000);
});
