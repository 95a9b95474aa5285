// `vjepa embed` as a user runs it: an unreadable input is refused naming it (or its row left out with
// --skip-unreadable), never replaced by another clip; --out is checked before any encoding.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSafetensorsSync } from '@vjepa/core';
import { writeVideo } from '@vjepa/data';
import { resolveRunConfig, runTrain } from '@vjepa/trainer';
import { fresh, vjepaIn } from '../run-cli.test-util';

const dir = fresh();
const vjepa = (...args: string[]) => vjepaIn(dir, args);

beforeAll(async () => {
  const config = resolveRunConfig({ data: 'synthetic:tiny', crop: '64', frames: '8', depth: '1', predDim: '24', predDepth: '1', batchSize: '2', steps: '1' });
  await runTrain({ config, backend: 'wasm', out: join(dir, 'run'), log: () => undefined });
  const frames = new Uint8Array(16 * 64 * 64 * 3).map((_, i) => (i * 7) % 251);
  await writeVideo(join(dir, 'good.mp4'), frames, 16, 64, 64, { codec: 'h264' });
  writeFileSync(join(dir, 'zero.mp4'), '');
  mkdirSync(join(dir, 'folder'));
}, 120_000);

describe('vjepa embed', () => {
  it('good.mp4 zero.mp4 --pool: exit 1 naming zero.mp4, nothing written (row 2 was another clip of good.mp4)', () => {
    const result = vjepa('embed', 'good.mp4', 'zero.mp4', '--pool', '--checkpoint', 'run', '--out', 'e.safetensors', '--backend', 'wasm');
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('vjepa: input "zero.mp4": expected a readable video, received file is empty (0 bytes). Remove it, or leave its row out (embed --skip-unreadable)\n');
    expect(existsSync(join(dir, 'e.safetensors'))).toBe(false);
  }, 120_000);

  it('--skip-unreadable: one row, the warning on stderr, the skipped input named in the file', () => {
    const result = vjepa('embed', 'good.mp4', 'zero.mp4', '--pool', '--skip-unreadable', '--checkpoint', 'run', '--out', 'e.safetensors', '--backend', 'wasm');
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('@vjepa/data: skipping "zero.mp4": file is empty (0 bytes)\n');
    expect(result.stdout).toBe(`wrote features [1,192] of 1 clips to ${join(dir, 'e.safetensors')} (1 unreadable input(s) left out: zero.mp4)\n`);
    const { tensors, metadata } = readSafetensorsSync(join(dir, 'e.safetensors'));
    expect(tensors.get('features')!.shape).toEqual([1, 192]);
    expect(JSON.parse(metadata.names)).toEqual(['good.mp4']);
    expect(JSON.parse(metadata.skipped)).toEqual(['zero.mp4']);
  }, 120_000);

  it.each([
    [['--out', 'folder'], 'vjepa: --out: expected a file to write, received "folder" (a directory). Name a file inside it'],
    [['--out', 'nope/x.safetensors'], `vjepa: --out: expected a file in an existing folder, received "nope/x.safetensors" (the folder ${join(dir, 'nope')} does not exist). Create it first`],
    [['--limit', '0'], 'vjepa: --limit: expected an integer ≥ 1, received "0"'],
  ])('%j: exit 2 before any encoding, naming the flag and the cause', (args, line) => {
    const result = vjepa('embed', 'good.mp4', '--checkpoint', 'run', ...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`${line}\n`);
  }, 120_000);
});
