import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Linear, selectBackend } from '@vjepa/core';
import { loadCheckpoint } from './checkpoint';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const writer = fileURLToPath(new URL('./write-checkpoints.test-util.ts', import.meta.url));

/** Starts the writer, lets it commit a few checkpoints, then SIGKILLs it at an arbitrary moment. */
function writeThenKill(root: string, afterSteps: number, extraMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@vjepa/source', '--import', 'tsx', writer, root], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let committed = 0;
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      const steps = d.toString().trim().split('\n').map(Number);
      committed = Math.max(committed, ...steps);
      if (committed >= afterSteps && !child.killed) setTimeout(() => child.kill('SIGKILL'), extraMs);
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(committed) : reject(new Error(`writer exited without being killed: ${stderr}`))));
  });
}

describe('a process killed while writing checkpoints', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it.each([0, 3, 7, 13])('leaves a complete, loadable checkpoint (killed %i ms after a commit)', async (extraMs) => {
    const root = mkdtempSync(join(tmpdir(), 'vjepa-kill-'));
    const committed = await writeThenKill(root, 3, extraMs);
    const layer = new Linear(512, 512);
    const loaded = loadCheckpoint(root, { encoder: layer, predictor: layer });
    // the checkpoint is one the writer committed (the last printed, or one written just after it)
    expect(loaded.state.step).toBeGreaterThanOrEqual(committed);
    const values = layer.weight.dataSync();
    expect(values[0]).toBe(loaded.state.step);
    expect(values[values.length - 1]).toBe(loaded.state.step);
    expect(layer.bias!.dataSync()[511]).toBe(loaded.state.step);
    layer.dispose();
  }, 60_000);
});
