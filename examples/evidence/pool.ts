/**
 * Child processes, `jobs` at a time: each job runs a script of this folder with its arguments, its output
 * echoed line by line with its name as prefix and kept in its log file; a job may wait for another (`after`).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One child process of the pool. */
export interface PoolJob {
  /** The prefix of its echoed lines. */
  name: string;
  /** A script of this folder (`job.ts`, `cell-job.ts`). */
  script: string;
  args: string[];
  /** Where its stdout and stderr go. */
  logFile: string;
  /** Started only once this settles. */
  after?: Promise<void>;
  /** Called when it has exited with 0. */
  done?: () => void;
}

/** Echoes a child's output line by line, each line prefixed with its run's name. */
function prefixLines(stream: NodeJS.ReadableStream, prefix: string): void {
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line) console.log(prefix + line);
  });
}

/** Runs one job to its end; rejects when it exits with another status than 0. */
function runJob(job: PoolJob, quiet: boolean): Promise<void> {
  mkdirSync(dirname(job.logFile), { recursive: true });
  const logFile = createWriteStream(job.logFile);
  const script = fileURLToPath(new URL(`./${job.script}`, import.meta.url));
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@vjepa/source', '--import', 'tsx', script, ...job.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      stream.pipe(logFile);
      if (!quiet) prefixLines(stream, `[${job.name}] `);
    }
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${job.name} exited with ${code}; see ${job.logFile}`))));
  });
}

/**
 * Runs the jobs in queue order, `jobs` at a time: a free worker takes the first job whose `after` has
 * settled, so a job waiting for another never holds a worker while later jobs could run; with none ready
 * it waits for the next `after` to settle. The first failure stops the pool, unless `keepGoing`: then every
 * job is tried (one whose job it waits for failed starts anyway, and fails or not on its own) and the
 * failures are thrown together at the end.
 */
export async function runPool(queue: PoolJob[], options: { jobs: number; quiet?: boolean; keepGoing?: boolean }): Promise<void> {
  const pending = queue.map((job) => ({ job, ready: job.after === undefined, settled: Promise.resolve() }));
  for (const entry of pending) {
    entry.settled = (entry.job.after ?? Promise.resolve()).then(
      () => void (entry.ready = true),
      () => void (entry.ready = true),
    );
  }
  const failures: string[] = [];
  let stopped = false;
  const worker = async () => {
    while (pending.length > 0 && !stopped) {
      const index = pending.findIndex((entry) => entry.ready);
      if (index < 0) {
        await Promise.race(pending.map((entry) => entry.settled));
        continue;
      }
      const [{ job: next }] = pending.splice(index, 1);
      console.log(`start ${next.name}`);
      const started = Date.now();
      try {
        await runJob(next, options.quiet ?? false);
      } catch (error) {
        if (!options.keepGoing) {
          stopped = true;
          throw error;
        }
        failures.push((error as Error).message);
        console.log(`failed ${next.name}: ${(error as Error).message}`);
      }
      next.done?.();
      console.log(`done ${next.name} in ${((Date.now() - started) / 60000).toFixed(1)} min`);
    }
  };
  await Promise.all(Array.from({ length: options.jobs }, worker));
  if (failures.length) throw new Error(`${failures.length} job(s) failed:\n${failures.join('\n')}`);
}
