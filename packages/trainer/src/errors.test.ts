import { CheckpointError, DivergenceError, IoError, LockError, VjepaError, type ErrorKind } from '@vjepa/core';
import { describe, expect, it } from 'vitest';
import { NoGoodCheckpointError } from './checkpoint';
import { CheckpointWriteError, TrainingDivergedError } from './loop';
import { RunLockedError } from './run-lock';

describe('error kinds', () => {
  const cases: Array<[string, VjepaError, abstract new (...args: never[]) => VjepaError, ErrorKind]> = [
    ['RunLockedError', new RunLockedError('runs/a', 4242), LockError, 'lock'],
    ['CheckpointWriteError', new CheckpointWriteError(7, null, Object.assign(new Error('no space left'), { code: 'ENOSPC' })), IoError, 'io'],
    ['TrainingDivergedError', new TrainingDivergedError(7, NaN, 'runs/a/step-00000005'), DivergenceError, 'divergence'],
    ['NoGoodCheckpointError', new NoGoodCheckpointError('runs/a', { 'step-00000005': ['state.json: missing'] }), CheckpointError, 'checkpoint'],
  ];
  it.each(cases)('%s has its kind and its class name', (name, error, Parent, kind) => {
    expect(error).toBeInstanceOf(Parent);
    expect(error).toBeInstanceOf(VjepaError);
    expect([error.kind, error.name]).toEqual([kind, name]);
  });

  it('keeps the file-system error as the cause of a failed checkpoint write', () => {
    const cause = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    const error = new CheckpointWriteError(7, 'runs/a/step-00000005', cause);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(
      'checkpoint: could not write the checkpoint of step 7 (ENOSPC: no space left on device); training stopped. ' +
        'The last good checkpoint is runs/a/step-00000005; free space and resume with --resume',
    );
  });
});
