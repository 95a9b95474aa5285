import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LockError } from '@vjepa/core';

/** The lock file a training run holds in its output folder. */
export const RUN_LOCK_FILE = '.vjepa-train.lock';

/** Thrown when another live process already trains into the same output folder. */
export class RunLockedError extends LockError {
  constructor(
    readonly outDir: string,
    readonly pid: number,
  ) {
    super(
      `out: expected an output folder no other run is using, received ${JSON.stringify(outDir)}, which process ${pid} ` +
        `is training into (lock ${join(outDir, RUN_LOCK_FILE)}). Wait for it, stop it, or use another --out`,
    );
  }
}

/** A held run lock; `release()` removes it (idempotent). */
export interface RunLock {
  readonly path: string;
  release(): void;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holder(path: string): { pid: number; host?: string } | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; host?: unknown };
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, host: typeof parsed.host === 'string' ? parsed.host : undefined } : null;
  } catch {
    return null; // unreadable: a writer died between creating and filling it
  }
}

/** Options of {@link acquireRunLock}. */
export interface RunLockOptions {
  /** Told when a stale lock is taken over (default: silent). */
  onWarning?: (message: string) => void;
}

/**
 * Takes the lock of an output folder so that two runs never write the same checkpoints: the lock file is
 * created exclusively and names this process. A lock whose process is dead (a run killed with SIGKILL, a
 * machine that rebooted) is taken over, with a warning naming that process; one held by a live process
 * throws {@link RunLockedError}. A lock written on another host is trusted as held (its process cannot be
 * checked from here). The lock is also removed when the process exits (`process.exit`, as a second SIGINT
 * does). Releasing it removes the folder too when the lock created it and nothing else was written there,
 * so a run refused after taking the lock leaves no empty folder behind.
 *
 * @param outDir - the run's output folder (created when missing).
 */
export function acquireRunLock(outDir: string, options: RunLockOptions = {}): RunLock {
  const created = !existsSync(outDir);
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, RUN_LOCK_FILE);
  const content = `${JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() })}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = holder(path);
      const sameHost = current?.host === undefined || current.host === hostname();
      if (current && current.pid !== process.pid && (!sameHost || processAlive(current.pid))) throw new RunLockedError(outDir, current.pid);
      // stale (dead process, or our own leftover): take it over
      if (current === null) options.onWarning?.(`taking over the lock ${path}, which names no process (a run died while taking it)`);
      else if (current.pid !== process.pid) {
        options.onWarning?.(`taking over the lock ${path} of process ${current.pid}, which is no longer running (a run that was killed or stopped at once)`);
      }
      rmSync(path, { force: true });
      continue;
    }
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off('exit', release);
      if (holder(path)?.pid === process.pid) rmSync(path, { force: true });
      if (created && existsSync(outDir) && readdirSync(outDir).length === 0) rmdirSync(outDir);
    };
    process.on('exit', release);
    return { path, release };
  }
  throw new LockError(`out: could not take the lock ${path}: other processes keep re-creating it`);
}
