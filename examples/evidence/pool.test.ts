import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPool, type PoolJob } from './pool';

const dir = mkdtempSync(join(tmpdir(), 'vjepa-pool-'));
const order: string[] = [];
function job(name: string, extra: Partial<PoolJob> = {}, exit = 0): PoolJob {
  return { name, script: 'pool-fixture.ts', args: [`--name=${name}`, `--exit=${exit}`], logFile: join(dir, `${name}.txt`), done: () => order.push(name), ...extra };
}

describe('runPool', () => {
  it('never lets a job that waits hold a worker: later ready jobs run first', async () => {
    order.length = 0;
    let release!: () => void;
    const afterC = new Promise<void>((resolve) => (release = resolve));
    // One worker. A waits for C, which is queued behind it: taken in queue order, A would wait forever.
    const queue = [job('a', { after: afterC }), job('b'), job('c', { done: () => (order.push('c'), release()) })];
    await runPool(queue, { jobs: 1, quiet: true });
    expect(order).toEqual(['b', 'c', 'a']);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('job a\n');
  }, 60_000);

  it('with keepGoing, runs every job and throws the failures together', async () => {
    order.length = 0;
    await expect(runPool([job('x', {}, 3), job('y')], { jobs: 2, quiet: true, keepGoing: true })).rejects.toThrow(/1 job\(s\) failed:\nx exited with 3/);
    expect(order.sort()).toEqual(['x', 'y']);
  }, 60_000);
});
