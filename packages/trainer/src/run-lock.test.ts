import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@vjepa/core';
import { latestCheckpointDir } from './checkpoint';
import { runTraining } from './loop';
import { acquireRunLock, RUN_LOCK_FILE, RunLockedError } from './run-lock';
import { tinyRun } from './tiny-run.test-util';

const fresh = () => mkdtempSync(join(tmpdir(), 'vjepa-lock-'));
const writeLock = (out: string, pid: number, host = hostname()) =>
  writeFileSync(join(out, RUN_LOCK_FILE), JSON.stringify({ pid, host, started: '2026-01-01T00:00:00.000Z' }));

describe('the run lock of an output folder', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('is taken, names this process, and is released', () => {
    const out = fresh();
    const lock = acquireRunLock(out);
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    lock.release();
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('refuses a second run while the first one lives, before anything is written', async () => {
    const out = fresh();
    const sleeper = spawn('sleep', ['30']);
    try {
      writeLock(out, sleeper.pid!);
      expect(() => acquireRunLock(out)).toThrow(RunLockedError);
      expect(() => acquireRunLock(out)).toThrow(
        `out: expected an output folder no other run is using, received ${JSON.stringify(out)}, which process ${sleeper.pid} is training into`,
      );
      const run = tinyRun();
      await expect(runTraining({ ...run.parts, steps: 2, outDir: out })).rejects.toThrow(RunLockedError);
      run.dispose();
      expect(existsSync(join(out, 'metrics.jsonl'))).toBe(false);
      expect(existsSync(join(out, 'checkpoints'))).toBe(false);
      // A lock from another host cannot be checked: it is trusted.
      writeLock(out, 1, 'another-host');
      expect(() => acquireRunLock(out)).toThrow(RunLockedError);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('is taken over from a process that died (and from an unreadable lock file)', async () => {
    const out = fresh();
    const dead = spawnSync('sh', ['-c', 'echo $$']);
    writeLock(out, Number(dead.stdout.toString().trim()));
    const run = tinyRun();
    const warnings: string[] = [];
    const summary = await runTraining({ ...run.parts, steps: 2, outDir: out, checkpointEvery: 2, onWarning: (m) => warnings.push(m) });
    run.dispose();
    expect(summary.steps).toBe(2);
    // a take-over is said, naming the process whose lock it was
    expect(warnings).toEqual([
      `taking over the lock ${join(out, RUN_LOCK_FILE)} of process ${dead.stdout.toString().trim()}, which is no longer running (a run that was killed or stopped at once)`,
    ]);
    expect(latestCheckpointDir(join(out, 'checkpoints'))).toMatch(/step-00000002$/);
    expect(existsSync(join(out, RUN_LOCK_FILE))).toBe(false);
    writeFileSync(join(out, RUN_LOCK_FILE), '{"pi');
    const unreadable: string[] = [];
    acquireRunLock(out, { onWarning: (m) => unreadable.push(m) }).release();
    expect(unreadable).toEqual([`taking over the lock ${join(out, RUN_LOCK_FILE)}, which names no process (a run died while taking it)`]);
  });

  it('is removed when the process exits at once (a second SIGINT calls process.exit)', () => {
    const out = fresh();
    const script = `import { acquireRunLock } from ${JSON.stringify(new URL('./run-lock.ts', import.meta.url).pathname)}; acquireRunLock(${JSON.stringify(out)}); process.exit(130);`;
    const child = spawnSync(process.execPath, ['--conditions=@vjepa/source', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.status).toBe(130);
    expect(existsSync(join(out, RUN_LOCK_FILE))).toBe(false);
  });

  it('a run refused once it holds the lock leaves no empty folder it created', async () => {
    const out = join(fresh(), 'run');
    const run = tinyRun();
    await expect(runTraining({ ...run.parts, steps: 2, outDir: out, resume: join(out, 'nowhere') })).rejects.toThrow(/checkpoint: expected a directory/);
    run.dispose();
    expect(existsSync(out)).toBe(false);
  });
});

describe('a run whose signal is aborted (SIGINT / SIGTERM in the CLI)', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('finishes the step, writes a checkpoint, returns interrupted; a resume continues as if uninterrupted', async () => {
    const straight = tinyRun();
    const full = await runTraining({ ...straight.parts, steps: 6 });
    straight.dispose();

    const out = fresh();
    const first = tinyRun();
    const controller = new AbortController();
    const summary = await runTraining({
      ...first.parts,
      steps: 6,
      outDir: out,
      checkpointEvery: 100,
      signal: controller.signal,
      onProgress: (event) => event.step === 2 && controller.abort(),
    });
    first.dispose();
    expect(summary).toMatchObject({ interrupted: true, losses: full.losses.slice(0, 3) });
    expect(summary.checkpointDir).toMatch(/step-00000003$/);
    expect(existsSync(join(out, RUN_LOCK_FILE))).toBe(false);

    const second = tinyRun(5);
    const resumed = await runTraining({ ...second.parts, steps: 6, outDir: out, resume: true });
    second.dispose();
    expect(resumed.startStep).toBe(3);
    expect(resumed.losses).toEqual(full.losses.slice(3));
  }, 60_000);
});
