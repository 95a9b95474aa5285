// `vjepa decode train` and `vjepa decode show`: a tiny run, a decoder of two steps on it, the sheet and one
// JSON line (the program run in this process); a bad flag of a subcommand is one line and exit 2 (as a user runs it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { resolveRunConfig, runTrain } from '@vjepa/trainer';
import { main } from '../main';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = fileURLToPath(new URL('../bin.ts', import.meta.url));
const vjepa = (...args: string[]) =>
  spawnSync(process.execPath, ['--conditions=@vjepa/source', '--import', 'tsx', bin, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });

describe('vjepa decode', () => {
  it('trains a decoder on a run, then writes the sheet and prints the errors as one JSON line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vjepa-cli-decode-'));
    const [run, decoder, sheet] = [join(dir, 'run'), join(dir, 'decoder'), join(dir, 'sheet.png')];
    const config = resolveRunConfig({ data: 'synthetic:tiny', crop: '64', frames: '8', depth: '1', predDim: '48', predDepth: '1', batchSize: '2', steps: '1' });
    await runTrain({ config, backend: 'wasm', out: run, checkpointEvery: 1, log: () => undefined, onProgress: () => undefined }); // the run, in this process
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await main(['node', 'vjepa', 'decode', 'train', '--checkpoint', run, '--steps', '2', '--dim', '24', '--depth', '1', '--batch-size', '2', '--backend', 'wasm', '--out', decoder]);
      expect(lines.some((l) => /^decode step 2\/2 \| loss \d\.\d{4} \|/.test(l))).toBe(true);
      await main(['node', 'vjepa', 'decode', 'show', '--checkpoint', run, '--decoder', decoder, '--video', 'synthetic:tiny', '--samples', '1', '--backend', 'wasm', '--out', sheet]);
    } finally {
      log.mockRestore();
      quiet.mockRestore();
    }
    const line = JSON.parse(lines.at(-1)!);
    expect(Object.keys(line)).toEqual(['masked_l1', 'baselines']);
    expect(Object.keys(line.baselines)).toEqual(['mean_colour', 'nearest_visible', 'pixel_model']);
    expect(line.baselines.pixel_model).toBeNull();
    expect(existsSync(sheet)).toBe(true);
  }, 120_000);

  it('a bad flag of a subcommand is one line and exit 2', () => {
    const result = vjepa('decode', 'train', '--checkpoint', 'x', '--out', 'y', '--steps', '0');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('vjepa: --steps: expected an integer ≥ 1, received "0"\n');
  }, 120_000);
});
