// `vjepa train` refusals before any work, as a user runs them: an --out or --resume that is a file, a
// batch larger than the data, a bad config value a flag overrides; and the lock after a double SIGINT.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fresh, TINY, trainAndSignal, vjepa } from './run-cli.test-util';

describe('vjepa train refuses before any work, naming the path and the cause', () => {
  const dir = fresh();
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const csv = join(dir, 'one.csv');
  writeFileSync(csv, `${join(dir, 'missing.mp4')} 0\n`);
  const config = join(dir, 'bad.yaml');
  writeFileSync(config, 'data: { batch_size: 0 }\n');

  it.each([
    [['--out', file], `--out: expected a folder to write into, received "${file}" (a file, not a directory)`],
    [['--out', join(file, 'run')], `--out: expected a folder path, received "${join(file, 'run')}" (${file} is a file, not a directory)`],
    [['--out', join(dir, 'r1'), '--resume', file], `--resume: expected a training output folder or checkpoint directory, received "${file}" (a file, not a directory)`],
    [['--out', join(dir, 'r2'), '--data', csv], `--batch-size: expected at most the 1 clip(s) of --data ${csv} (a batch drops no clip), received 2. Give a smaller --batch-size or more videos`],
    // --batch-size 2 (in TINY) overrides the file's value, which used to hide it
    [['--out', join(dir, 'r3'), '--config', config], 'data.batch_size: expected an integer ≥ 1, received 0'],
  ])('%j: exit 2, one line, no folder left', (args, message) => {
    const result = vjepa('train', ...TINY, '--steps', '1', ...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`vjepa: ${message}\n`);
    expect(readdirSync(dir).sort()).toEqual(['a-file', 'bad.yaml', 'one.csv']);
  }, 120_000);
});

describe('the run lock after a double SIGINT', () => {
  it('a second SIGINT stops at once (exit 130) and leaves no lock; a stale lock is taken over with a warning', async () => {
    const out = fresh();
    const { code } = await trainAndSignal(out, ['SIGINT', 'SIGINT']);
    expect(code).toBe(130);
    expect(existsSync(join(out, '.vjepa-train.lock'))).toBe(false);

    // a lock left by a process that died (SIGKILL) is taken over, and said so
    const dead = Number(spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim());
    writeFileSync(join(out, '.vjepa-train.lock'), JSON.stringify({ pid: dead, host: hostname(), started: '2026-01-01T00:00:00.000Z' }));
    const again = vjepa('train', ...TINY, '--steps', '1', '--out', out, '--force');
    expect(again.status).toBe(0);
    expect(again.stderr).toContain(`warning: taking over the lock ${join(out, '.vjepa-train.lock')} of process ${dead}, which is no longer running`);
  }, 180_000);
});
