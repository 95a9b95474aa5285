// `vjepa convert` as a user runs it: a run folder whose newest checkpoint is damaged is converted from the
// previous intact one with a warning saying so; an OUT in a missing folder is refused before any work.
import { existsSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveRunConfig, runTrain } from '@vjepa/trainer';
import { fresh, vjepaIn } from '../run-cli.test-util';

const dir = fresh();
const vjepa = (...args: string[]) => vjepaIn(dir, args);

beforeAll(async () => {
  const config = resolveRunConfig({ data: 'synthetic:tiny', crop: '64', frames: '8', depth: '1', predDim: '24', predDepth: '1', batchSize: '2', steps: '4' });
  await runTrain({ config, backend: 'wasm', out: join(dir, 'run'), checkpointEvery: 2, log: () => undefined });
  truncateSync(join(dir, 'run', 'checkpoints', 'step-00000004', 'encoder.safetensors'), 100);
}, 120_000);

describe('vjepa convert run/ x.pth.tar', () => {
  it('falls back past a damaged newest checkpoint with a warning on stderr, naming both', () => {
    const result = vjepa('convert', 'run', 'x.pth.tar', '--backend', 'wasm');
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(
      /^warning: checkpoint run\/checkpoints\/step-00000004 is damaged \(encoder\.safetensors: 100 bytes, expected \d+ \(truncated or overwritten\)\); using run\/checkpoints\/step-00000002 instead\n$/,
    );
    expect(result.stdout).toMatch(/^wrote x\.pth\.tar from run\/checkpoints\/step-00000002: official layout/);
  }, 120_000);

  it('into a missing folder: exit 2 before any work, naming OUT and the folder', () => {
    const result = vjepa('convert', 'run', 'nope/x.pth.tar');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`vjepa: OUT: expected a file in an existing folder, received "nope/x.pth.tar" (the folder ${join(dir, 'nope')} does not exist). Create it first\n`);
    expect(existsSync(join(dir, 'nope'))).toBe(false);
  }, 120_000);
});
