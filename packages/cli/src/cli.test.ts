// The `vjepa` command as a user runs it: one line `vjepa: …` per error, exit 2 for usage errors and 1 for
// failures while working, a stack trace only with --verbose; SIGTERM / SIGINT stop a run cleanly.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommanderError } from 'commander';
import { CheckpointError, DataError, DivergenceError, IoError, LockError, UsageError } from '@vjepa/core';
import { MaskConfigError } from '@vjepa/masking';
import { TorchFormatError } from '@vjepa/torch-format';
import { exitCodeFor, formatError } from './errors';
import { fresh, TINY, trainAndSignal, vjepa } from './run-cli.test-util';

describe('exit statuses and messages', () => {
  it('classifies errors: usage 2, failures 1, help 0', () => {
    expect(exitCodeFor(new UsageError('x: expected y, received z'))).toBe(2);
    expect(exitCodeFor(new MaskConfigError('grid.crop', 'an integer', 0))).toBe(2); // a UsageError
    expect(exitCodeFor(new TorchFormatError('x.pth: format: expected a torch.save file, received bytes 00'))).toBe(1); // a CheckpointError
    expect(exitCodeFor(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"))).toBe(2);
    expect(exitCodeFor(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBe(0);
    for (const Kind of [DataError, CheckpointError, LockError, IoError, DivergenceError]) expect(exitCodeFor(new Kind('m'))).toBe(1);
    // by class, not by name: a usage error named like a runtime one is still usage
    expect(exitCodeFor(Object.assign(new UsageError('x'), { name: 'CheckpointWriteError' }))).toBe(2);
    expect(exitCodeFor(new Error('ffmpeg died'))).toBe(1);
    expect(formatError(new CommanderError(1, 'c', "error: unknown command 'trian'\n(Did you mean train?)"))).toBe(
      "vjepa: unknown command 'trian' (Did you mean train?)",
    );
    const wrapped = new Error('outer', { cause: new Error('inner') });
    expect(formatError(wrapped)).toBe('vjepa: outer');
    expect(formatError(wrapped, true)).toMatch(/^vjepa: outer\nError: outer\n {4}at .*\n[^]*Error: inner\n {4}at /);
  });

  it('a typo in a config file is one line and exit 2, before anything is written', () => {
    const dir = fresh();
    const config = join(dir, 'run.yaml');
    writeFileSync(config, 'optimization: { lerning_rate: 0.001 }\n');
    const result = vjepa('train', '--config', config, '--out', join(dir, 'out'));
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `vjepa: --config ${config}: optimization.lerning_rate: expected one of the keys ipe, ipe_scale, clip_grad, weight_decay, ` +
        'final_weight_decay, epochs, warmup, start_lr, lr, final_lr, ema, betas, eps, received an unknown key "lerning_rate". Did you mean "lr"?\n',
    );
    expect(result.stdout).toBe('');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  }, 120_000);

  it.each([
    [['train', '--lerning-rate', '1'], "vjepa: unknown option '--lerning-rate'"],
    [['trian'], "vjepa: unknown command 'trian' (Did you mean train?)"],
    [['train', '--steps', 'abc'], 'vjepa: steps: expected an integer ≥ 1, received "abc"'],
    [['train', '--keep', '0'], 'vjepa: --keep: expected an integer ≥ 1, received "0"'],
    [['probe', '--checkpoint', 'random', '--views', 'two'], 'vjepa: --views: expected an integer ≥ 1, received "two"'],
    [['bench', '--backends', 'gpu'], 'vjepa: --backends: expected a comma-separated list of auto, tensorflow, webgpu, wasm, cpu, received "gpu"'],
    [['train', '--pred-dim', '32'], 'vjepa: pred-dim: expected a multiple of the encoder\'s 3 heads, received 32'],
    [['train', '--data', '/nonexistent/videos'], 'vjepa: --data: expected \'synthetic\', \'synthetic:NAME\', or an existing CSV index or folder of videos, received "/nonexistent/videos"'],
    [['train', '--resume', '/nonexistent/run'], 'vjepa: --resume: expected a training output folder or checkpoint directory holding a checkpoint, received "/nonexistent/run". Train first, or drop --resume (--resume-if-exists starts a run where there is none)'],
    [['train', '--preset', 'huge'], 'vjepa: --preset: expected one of official, small, received "huge"'],
  ])('vjepa %j: exit 2, one line', (args, line) => {
    const result = vjepa(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`${line}\n`);
  }, 120_000);

  it('masks that do not fit the token grid: exit 2 before the backend or the data are touched', () => {
    const result = vjepa('train', '--data', 'synthetic:tiny', '--crop', '32', '--frames', '8', '--out', join(fresh(), 'out'));
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^vjepa: @vjepa\/masking: invalid generators\[0\]\.spatialScale: expected a scale giving blocks of at least 1×1 tokens on the 4×2×2 grid .*\n$/);
  }, 120_000);

  it('a failure while working is exit 1; --verbose adds the stack trace', () => {
    const dir = fresh();
    const checkpoints = join(dir, 'checkpoints', 'step-00000002');
    spawnSync('mkdir', ['-p', checkpoints]);
    writeFileSync(join(checkpoints, 'state.json'), '{"format": "vjepa-ts-checkpoint-1", "step": 2, "files": {"encoder.safetensors": {"bytes": 10, "sha256": "00"}}}');
    writeFileSync(join(dir, 'checkpoints', 'latest.json'), '{"step": 2, "dir": "step-00000002"}');
    const result = vjepa('train', ...TINY, '--out', dir, '--resume');
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^vjepa: checkpoint: expected an intact checkpoint in .*, received none: .*step-00000002 \(encoder\.safetensors: missing\)/);
    const verbose = vjepa('train', ...TINY, '--out', dir, '--resume', '--verbose');
    expect(verbose.status).toBe(1);
    expect(verbose.stderr).toMatch(/^vjepa: checkpoint: .*\nNoGoodCheckpointError: .*\n {4}at /);
  }, 120_000);
});

describe('vjepa train stopped by a signal', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s: finishes the step, writes a checkpoint, exits %i; --resume continues', async (signal, status) => {
    const out = fresh();
    const { code, stdout } = await trainAndSignal(out, [signal]);
    expect(code).toBe(status);
    const done = Number(/stopped by SIG\w+ after step (\d+); continue with --resume/.exec(stdout)?.[1]);
    expect(done).toBeGreaterThanOrEqual(10);
    expect(done).toBeLessThan(400);
    const latest = JSON.parse(readFileSync(join(out, 'checkpoints', 'latest.json'), 'utf8'));
    expect(latest.step).toBe(done);
    expect(existsSync(join(out, '.vjepa-train.lock'))).toBe(false);
    const resumed = vjepa('train', ...TINY, '--steps', String(done + 2), '--out', out, '--resume');
    expect(resumed.status).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'checkpoints', 'latest.json'), 'utf8')).step).toBe(done + 2);
  }, 180_000);
});
